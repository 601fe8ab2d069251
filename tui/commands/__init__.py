"""Subcommands beyond list/run/watch, one module each (see tui.cli._more_commands)."""
