"""Writing a file a person named: atomically, and only where a regular file is (or none).

A recording or trace is written to a temporary file beside the target and
renamed over it, so a reader sees a complete file or the old one. Renaming
replaces whatever the name points at; run as root, that once replaced
``/dev/full``. So a target that exists and is not a regular file (a symlink,
a device node, a FIFO, a folder) is refused instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], text: str | Iterable[str]) -> Path:
    """Write ``text`` (a string, or pieces of one written as they come) to ``path`` as UTF-8;
    ``OSError`` (with a readable ``strerror``) if the target is not a regular file or cannot
    be written."""
    target = Path(path)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EEXIST, "it exists and is not a regular file", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            if isinstance(text, str):
                out.write(text)
            else:
                out.writelines(text)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> str:
    """Why ``path`` was not written, in one line for a person (the reason, not a traceback)."""
    return f"cannot write {os.fspath(path)}: {exc.strerror or exc}"
