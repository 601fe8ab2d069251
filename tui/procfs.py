"""Reading ``/proc``: the runner (its own process tree, before the program starts and when
it must end it) and the supervisor's samplers (ten times a second) read it the same way."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class StatFiles:
    """``/proc`` files kept open and read with ``pread`` (3 us a read, against 15 us to open,
    read and close): the sampler reads the same processes and threads ten times a second. A
    file not read in a sweep (its thread or process ended) is closed."""

    def __init__(self) -> None:
        self._fds: dict[str, int] = {}
        self._read: set[str] = set()

    def raw(self, path: str) -> bytes | None:
        """What the file at ``path`` holds now; None if it is gone."""
        self._read.add(path)
        fd = self._fds.get(path)
        try:
            if fd is None:
                fd = self._fds[path] = os.open(path, os.O_RDONLY)
            size = 4096
            data = os.pread(fd, size, 0)
            while len(data) == size:  # (a long list of children, many cores)
                size *= 4
                data = os.pread(fd, size, 0)
        except OSError:
            self._drop(path)
            return None
        return data

    def read(self, path: str) -> tuple[str, list[bytes]] | None:
        """The name, and the fields after it, of the ``stat`` file at ``path``; None if gone."""
        data = self.raw(path)
        if data is None:
            return None
        # the name may hold spaces and parentheses: it ends at the last ")"
        head, _, rest = data.rpartition(b")")
        return head.partition(b"(")[2].decode(errors="replace"), rest.split()

    def sweep_done(self) -> None:
        for path in [p for p in self._fds if p not in self._read]:
            self._drop(path)
        self._read = set()

    def close(self) -> None:
        for path in list(self._fds):
            self._drop(path)

    @staticmethod
    @contextlib.contextmanager
    def given_or_own(files: StatFiles | None) -> Iterator[StatFiles]:
        """``files``; or, without, files of its own for one reading, closed after it."""
        if files is not None:
            yield files
            return
        own = StatFiles()
        try:
            yield own
        finally:
            own.close()

    def _drop(self, path: str) -> None:
        fd = self._fds.pop(path, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def cpu_seconds(fields: list[bytes]) -> float:
    """User plus system CPU seconds of a ``stat`` file, from its fields after the name
    (``StatFiles.read``): fields 14 and 15 are indexes 11 and 12 there."""
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def descendants(root: int, files: StatFiles | None = None) -> list[int]:
    """``root`` and every process below it, from /proc/<pid>/task/<tid>/children."""
    found, pending = [], [root]
    with StatFiles.given_or_own(files) as reader:
        while pending:
            pid = pending.pop()
            found.append(pid)
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                children = reader.raw(f"/proc/{pid}/task/{tid}/children")
                if children is not None:
                    pending.extend(int(child) for child in children.split())
    return found
