"""Run a reader on one input in a forked child, so that whatever the input does to it (a
Rust abort, a segfault, an endless loop, gigabytes of memory) the test process survives
and can say what happened. The child is forked from the warmed test process (cslevel and
its readers already imported), limited in address space, and killed after a timeout; it
reports through a pipe. Used by the hostile-workbook tests (BAD_INPUTS 35, 36, 48, 49) and
by the mutation fuzzer (BAD_INPUTS 51, tests/fuzz_core.py)."""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MEMORY_LIMIT = 3 * 1024**3  # bytes of address space the child may add to what it inherits
TIMEOUT = 30.0  # seconds


@dataclass(frozen=True)
class Outcome:
    """What happened to one run: `kind` is "ok" (the function returned `value`), "refused"
    (a CslevelError: `value` is its problems as text), "exception" (any other exception:
    `value` is the traceback), "memory" (MemoryError or over the limit), "crash" (killed by
    signal `value`), "hang" (over the timeout) or "lost" (the child said nothing)."""

    kind: str
    value: Any = None
    seconds: float = 0.0
    peak_mb: float = 0.0  # the child's own peak resident memory above its start

    @property
    def clean(self) -> bool:
        return self.kind in ("ok", "refused")


def _vm_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _child(fn: Callable[..., Any], args: tuple[Any, ...], write_fd: int, memory: int) -> None:
    import faulthandler

    from cslevel.records import CslevelError

    faulthandler.disable()  # (a crash is the parent's to report, not a dump on stderr)

    start_rss = _rss_kb()
    limit = _vm_bytes() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result: tuple[str, Any] = ("ok", fn(*args))
    except CslevelError as exc:
        result = ("refused", [str(p) for p in exc.problems])
    except MemoryError:
        result = ("memory", traceback.format_exc())
    except BaseException:  # noqa: BLE001 - everything else is what the test looks for
        result = ("exception", traceback.format_exc())
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss, 0) / 1024
    try:
        data = pickle.dumps((*result, peak))
    except Exception:  # noqa: BLE001 - a value that does not pickle
        data = pickle.dumps(("exception", f"unpicklable result: {result[1]!r:.500}", peak))
    view = memoryview(data)
    while view:
        view = view[os.write(write_fd, view):]


def run_in_child(fn: Callable[..., Any], *args: Any, timeout: float = TIMEOUT,
                 memory: int = MEMORY_LIMIT) -> Outcome:
    """fn(*args) in a forked child; its return value must pickle (keep it small)."""
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test process's code
        code = 0
        try:
            os.close(read_fd)
            _child(fn, args, write_fd, memory)
        except BaseException:  # noqa: BLE001
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    hung = False
    try:
        while True:
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                hung = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
    if hung:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    seconds = time.monotonic() - started
    if hung:
        return Outcome("hang", timeout, seconds)
    if os.WIFSIGNALED(status):
        return Outcome("crash", signal.Signals(os.WTERMSIG(status)).name, seconds)
    if not chunks:
        return Outcome("lost", os.WEXITSTATUS(status), seconds)
    kind, value, peak = pickle.loads(b"".join(chunks))
    return Outcome(kind, value, seconds, peak)
