"""Worker processes that end with the run that started them.

A run hands work to worker processes: the reader that reads (and scores) the month's
workbooks ahead (`cslevel.parallel.Reader`, forked early by `cslevel run` on Linux, spawned
elsewhere) and the writers that write large workbooks in the background
(`cslevel.export.safe.StagedFiles`). When the run is killed (`kill -9`, the OOM killer, a
scheduler's timeout), nothing tells a worker: a forked worker holds its own copy of the
write end of the pipe it waits on, so it never sees the end of it and waits for ever.

Every pool made by `pool` therefore runs `bound_to_parent` first in each worker:

- on Linux, the kernel kills the worker as soon as its parent dies
  (`prctl(PR_SET_PDEATHSIG, SIGKILL)`, set through ctypes). The signal follows the parent
  *thread* that started the worker, so it is asked for only when that thread is the run's
  main thread, which ends only with the run (read from /proc; ProcessPoolExecutor starts its
  processes in the thread that calls `submit`); a worker whose parent had already died
  before the request ends at once (its parent pid is no longer the run's);
- everywhere (Windows, macOS, and Linux as a second line), a daemon thread in the worker
  waits on the parent's sentinel that multiprocessing gives every child (the end of a pipe
  only the parent holds open, or on Windows a handle on the parent process) and ends the
  worker when the parent is gone. It needs the worker's interpreter (a worker inside a long
  call that holds the GIL ends when the call returns); the kernel's signal does not.

Nothing here is imported by the run before it makes a pool; a spawned worker imports this
module only (the package's `__init__` is one line) before its initializer runs.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

ORPHANED = 70  # a worker's exit code when its run was gone (EX_SOFTWARE: not a result)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PR_GET_PDEATHSIG = 2


def pool(workers: int, method: str) -> ProcessPoolExecutor:
    """A pool of `workers` processes started by `method` ("fork" or "spawn") whose workers end
    when this process ends, however it ends. Submit to it from the thread that made it (the
    main thread, in every command)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=bound_to_parent, initargs=(os.getpid(),))


def bound_to_parent(parent: int) -> None:
    """A worker's initializer: end this process when the process `parent` ends. It never
    raises (a failing initializer would break the pool: the run would lose its workers)."""
    try:
        if sys.platform.startswith("linux") and _started_by_main_thread(parent):
            _kill_me_with_parent()
        if os.getppid() != parent:  # the run died before (or while) this was set up
            os._exit(ORPHANED)
        _watch_parent()
    except Exception:  # noqa: BLE001, S110 — the worker still works; only this net is off
        pass


def _started_by_main_thread(parent: int) -> bool:
    """Whether this process was started by `parent`'s main thread (the thread PR_SET_PDEATHSIG
    follows). /proc/PID/task/TID/children lists the children each thread started; without it
    (a kernel built without CONFIG_PROC_CHILDREN) the answer is yes: cslevel's pools are
    made and fed from the main thread."""
    try:
        with open(f"/proc/{parent}/task/{parent}/children", encoding="ascii") as fh:
            return str(os.getpid()) in fh.read().split()
    except OSError:
        return True


def _kill_me_with_parent() -> None:
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


def _watch_parent() -> None:
    """A daemon thread that ends this worker when the parent's sentinel says it has ended."""
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:  # not a multiprocessing child: nothing to watch
        return

    def watch() -> None:
        parent.join()  # returns once the parent's end is closed: it has ended
        os._exit(ORPHANED)

    threading.Thread(target=watch, name="cslevel-parent-watch", daemon=True).start()
