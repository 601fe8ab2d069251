"""What a worker process of the observed program installs (from sitecustomize)."""

from __future__ import annotations

import os

from tui.runner import emit, executors, leftovers, output, pools, threads


def install_in_worker() -> None:
    emit.install(os.environ[emit.SOCKET_ENV], os.environ.get(emit.SECRET_ENV, ""))
    if os.environ.get(leftovers.LEDGER_ENV):
        leftovers.install(os.environ[leftovers.LEDGER_ENV])
    threads.install()
    pools.install()
    output.install(send_at_once=True)
    executors.install()
