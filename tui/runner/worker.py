"""What a worker process of the observed program installs (from sitecustomize)."""

from __future__ import annotations

import os

from tui.runner import emit, executors, pools, threads


def install_in_worker() -> None:
    emit.install(os.environ[emit.SOCKET_ENV])
    threads.install()
    pools.install()
    executors.install()
