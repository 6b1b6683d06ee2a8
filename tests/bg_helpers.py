"""Writers for tests/test_background_writes.py, importable by the worker processes that
StagedFiles spawns (a spawned worker imports what it runs by module name)."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def write_text(path: Path) -> None:
    path.write_text(f"written by process {os.getpid()}", encoding="utf-8")


def disk_full(path: Path) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def die(path: Path) -> None:
    os._exit(3)  # the worker process ends as if killed
