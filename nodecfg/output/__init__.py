"""Presenting results: the file tree on disk, findings as text and machine formats, explain."""
