"""What a worker process of the observed program installs (from sitecustomize)."""

from __future__ import annotations

import os

from tui.runner import emit, leftovers, output, patches


def install_in_worker() -> None:
    emit.install(os.environ[emit.SOCKET_ENV], os.environ.get(emit.SECRET_ENV, ""))
    output.send_each_write()
    patches.install(patches.for_worker(os.environ.get(leftovers.LEDGER_ENV) or None))
