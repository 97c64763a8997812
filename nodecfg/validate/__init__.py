"""Validation: the JSON Schemas and nodeadm's checks of the merged config."""
