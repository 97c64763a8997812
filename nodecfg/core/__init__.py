"""Diagnostics, the code catalogue, documents, the file tree, modes, versions: what every stage shares."""
