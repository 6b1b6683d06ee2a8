"""Item 44: a run killed with `kill -9` leaves no worker process behind.

Each test starts a process that has workers (the early forked reader of `cslevel run`, the
spawned writers of StagedFiles, `cslevel run` itself), kills that process only, at a moment
its workers exist, and checks that every process it had started ends too (found through
/proc before the kill; a guard of 15 s against waiting for ever, no timing asserted).
Seen before the fix: the forked reader, waiting on a pipe it holds the other end of itself,
stayed blocked for ever (17 of 39 kills)."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cs_helpers import kpi
from proc_helpers import Proc, alive, command, descendants, kill_all, survivors

from cslevel import workers

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ROWS = [[f"{i:04d}", f"坐席{i}", "一组", 100 + i % 17] for i in range(1, 21)]

pytestmark = pytest.mark.skipif(sys.platform != "linux",
                                reason="processes are found through /proc (Linux)")


def _env(workers_count: str) -> dict[str, str]:
    env = dict(os.environ, CSLEVEL_WORKERS=workers_count, PYTHONUNBUFFERED="1")
    env.pop("COVERAGE_PROCESS_START", None)
    return env


def _start(tmp_path: Path, source: str, *args: str, workers_count: str = "1"
           ) -> tuple[subprocess.Popen[str], dict[str, object]]:
    """Run `source` as a script; wait (guard: 120 s) for the JSON line it prints when its
    workers are up, and return the process with what it said."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(workers_count))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            return proc, json.loads(line)
    proc.kill()
    _out, err = proc.communicate()
    pytest.fail(f"the script did not get its workers up:\n{err}")


def _kill_and_collect(proc: subprocess.Popen[str]) -> tuple[list[Proc], list[Proc]]:
    """kill -9 of `proc` alone; (its descendants just before, those still running after)."""
    before = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    try:
        return before, survivors(before)
    finally:
        kill_all(before)  # whatever the outcome, nothing is left to the next test
        for pipe in (proc.stdout, proc.stderr):  # not read: a survivor may hold them open
            if pipe is not None:
                pipe.close()


def _described(procs: list[Proc]) -> list[str]:
    return [f"{pid}: {command((pid, start))}" for pid, start in procs]


FORKED_READER = """
    import json, sys, time
    from pathlib import Path
    from cslevel.parallel import Reader as SheetPrefetch

    ahead = SheetPrefetch([Path(p) for p in sys.argv[1:]], early=True)
    method = ahead._pool._mp_context.get_start_method()
    sheets = ahead.sheets(0)  # read by the worker, which now waits for more work
    pids = list(ahead._pool._processes)
    print(json.dumps({"method": method, "read": sheets is not None, "workers": pids}))
    time.sleep(600)
"""


def test_bad_inputs_44_the_early_forked_reader_ends_with_a_killed_run(tmp_path: Path) -> None:
    book = kpi(tmp_path / "kpi_2026-01.xlsx", ROWS)
    proc, said = _start(tmp_path, FORKED_READER, str(book), str(book))
    assert said["method"] == "fork" and said["read"] is True
    before, left = _kill_and_collect(proc)
    assert set(said["workers"]) <= {pid for pid, _start in before}  # type: ignore[arg-type]
    assert left == [], _described(left)


WRITERS = """
    import functools, json, os, sys, time
    from pathlib import Path
    from cslevel.export.safe import StagedFiles
    from cslevel.parallel import WritePool

    def hang(marker, path):
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)  # a write that is going on when the run is killed

    if __name__ == "__main__":
        out = Path(sys.argv[1])
        writers = WritePool()
        writers.start()
        staged = StagedFiles(writers=writers)
        staged.write(out / "payroll-2026-02.xlsx", functools.partial(hang, out / "busy"),
                     background=True)
        while not (out / "busy").exists():
            time.sleep(0.01)
        pids = list(writers._executor()._processes)
        print(json.dumps({"workers": pids, "busy": int((out / "busy").read_text())}))
        time.sleep(600)
"""


def test_bad_inputs_44_the_writers_end_with_a_killed_run_busy_or_idle(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    proc, said = _start(tmp_path, WRITERS, str(out), workers_count="2")
    assert len(said["workers"]) == 2 and said["busy"] in said["workers"]  # type: ignore
    before, left = _kill_and_collect(proc)
    assert set(said["workers"]) <= {pid for pid, _start in before}  # type: ignore[arg-type]
    assert left == [], _described(left)


def _workspace(tmp_path: Path) -> Path:
    """A workspace with two months of the examples (40 agents)."""
    import shutil

    from cslevel.pipeline.workspace import init_workspace

    ws = tmp_path / "ws"
    init_workspace(ws, "star")
    for month in ("2026-01", "2026-02"):
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_{month}.xlsx", ws / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", ws / "input")
    return ws


def test_bad_inputs_44_cslevel_run_killed_while_its_reader_works_leaves_no_process(
        tmp_path: Path) -> None:
    """`cslevel run` itself, killed as soon as its early reader is seen (a run that ended
    before it was seen is tried again on the next month)."""
    ws = _workspace(tmp_path)
    cslevel = [sys.executable, "-m", "cslevel"]
    for month in ("2026-01", "2026-02"):
        proc = subprocess.Popen([*cslevel, "run", "--month", month], cwd=ws,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=_env("1"))
        deadline = time.monotonic() + 120  # a guard: the run ends long before
        while proc.poll() is None and time.monotonic() < deadline and not descendants(
                proc.pid):
            time.sleep(0.002)
        if proc.poll() is None:
            break
        assert proc.returncode == 0, proc.communicate()[1]
    else:
        pytest.fail("both runs ended before their reader was seen")
    before, left = _kill_and_collect(proc)
    assert before, "the reader was seen, then gone before the kill"
    assert left == [], _described(left)


THREADED = """
    import ctypes, json, os, threading, time
    from cslevel.workers import pool

    def state():
        value = ctypes.c_int()
        ctypes.CDLL(None).prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
        return os.getpid(), value.value

    if __name__ == "__main__":
        main = pool(1, "spawn")
        made = []
        def other():
            made.append(pool(1, "spawn"))
            made.append(made[0].submit(state).result())
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()  # the thread that started the worker has ended
        time.sleep(0.5)
        later = made[0].submit(state).result()
        print(json.dumps({"main": main.submit(state).result(), "thread": made[1],
                          "later": later}))
        time.sleep(600)
"""


def test_bad_inputs_44_a_worker_started_by_another_thread_ends_with_the_run_not_the_thread(
        tmp_path: Path) -> None:
    """The kernel's parent-death signal follows the thread that started a worker: it is asked
    for by workers started from the main thread only; one started by another thread outlives
    that thread (it still works), and ends with the run through its watching thread."""
    proc, said = _start(tmp_path, THREADED)
    main, thread, later = said["main"], said["thread"], said["later"]
    assert main[1] == signal.SIGKILL  # type: ignore[index]
    assert thread[1] == 0 and later == thread  # type: ignore[index]
    before, left = _kill_and_collect(proc)
    assert {main[0], thread[0]} <= {pid for pid, _start in before}  # type: ignore[index]
    assert left == [], _described(left)


WATCHED_ONLY = """
    import json, multiprocessing, os, time
    from concurrent.futures import ProcessPoolExecutor
    from cslevel.workers import _watch_parent

    if __name__ == "__main__":
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_watch_parent)
        print(json.dumps({"worker": pool.submit(os.getpid).result()}))
        time.sleep(600)
"""


def test_bad_inputs_44_without_the_kernels_signal_a_forked_worker_still_ends_with_the_run(
        tmp_path: Path) -> None:
    """The portable part alone (what Windows and macOS have): the thread that watches the
    parent ends an idle forked worker, the case that was seen blocked for ever."""
    proc, said = _start(tmp_path, WATCHED_ONLY)
    before, left = _kill_and_collect(proc)
    assert said["worker"] in {pid for pid, _start in before}
    assert left == [], _described(left)


def test_bad_inputs_44_a_worker_whose_run_died_before_it_started_ends_at_once() -> None:
    """The run may die between the start of a worker and its initializer: the worker then has
    another parent than the pid it was given, and ends instead of waiting for work."""
    code = ("import os; from cslevel.workers import bound_to_parent; "
            "bound_to_parent(os.getpid()); print('still here')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=_env("1"), check=False)
    assert (done.returncode, done.stdout) == (workers.ORPHANED, "")
    done = subprocess.run([sys.executable, "-c", code.replace("os.getpid()", "os.getppid()")],
                          capture_output=True, text=True, timeout=60, env=_env("1"),
                          check=False)
    assert (done.returncode, done.stdout) == (0, "still here\n")


def test_bad_inputs_44_a_finished_pool_leaves_no_process(tmp_path: Path) -> None:
    """The safety net changes nothing for a pool shut down normally: its workers end."""
    pool = workers.pool(2, "spawn")
    pids = {pool.submit(os.getpid).result() for _ in range(4)}
    procs = [p for p in descendants(os.getpid()) if p[0] in pids]
    pool.shutdown(wait=True)
    assert procs and not [p for p in procs if alive(p)]
