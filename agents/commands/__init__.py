"""Subcommands of `python -m agents`, one module each, each exposing `register(app)`."""
