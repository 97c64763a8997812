"""The command line: argument parsing, the result cache, one module per command."""
