"""Processes seen through /proc (Linux): a process's descendants, whether one still runs.

A process is known by its pid and its start time (field 22 of /proc/PID/stat), so a pid the
system gave again to another process is not taken for the one that ended."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

Proc = tuple[int, str]  # pid, start time (clock ticks after boot)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name: [state, ppid, …]; None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in
                      Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> list[Proc]:
    """Every process started by `pid`, by its children, and so on (not `pid` itself)."""
    found: list[Proc] = []
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            fields = _stat(child)
            if fields is not None:
                found.append((child, fields[19]))
                todo.append(child)
    return found


def alive(proc: Proc) -> bool:
    """Whether the process still runs (a zombie waiting to be reaped has ended)."""
    fields = _stat(proc[0])
    return fields is not None and fields[19] == proc[1] and fields[0] not in ("Z", "X")


def command(proc: Proc) -> str:
    try:
        return Path(f"/proc/{proc[0]}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def survivors(procs: list[Proc], guard: float = 15.0) -> list[Proc]:
    """The processes of `procs` still running once all have ended or `guard` seconds passed
    (a guard against waiting for ever, not a timing)."""
    deadline = time.monotonic() + guard
    left = [p for p in procs if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    return left


def kill_all(procs: list[Proc]) -> None:
    for proc in procs:
        if alive(proc):
            try:
                os.kill(proc[0], signal.SIGKILL)
            except OSError:
                pass
