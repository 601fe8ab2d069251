"""What a concur-tui command can fail with, and the exit code each failure gets.

One hierarchy, so that ``tui.cli.main`` reports every expected failure the same way: one
or two lines on stderr, never a traceback. Standard library only and quick to import
(``tui.launch`` needs the exit codes before anything slow is loaded).
"""

from __future__ import annotations

# Exit codes of every concur-tui command (``EXIT_PIPE_CLOSED``: what reads the output, say
# ``| head``, stopped reading; 128 + SIGPIPE, as a shell reports a command SIGPIPE ended).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 130, 141


class ConcurError(Exception):
    """A failure concur-tui expected and explains: its message is for a person to read."""

    exit_code = EXIT_FAILED


class UsageError(ConcurError):
    """Bad input from a person: reported in one or two lines, exit code 2."""

    exit_code = EXIT_USAGE


class UnavailableError(ConcurError):
    """Something this installation cannot do (a part of it failed to import): exit code 1."""
