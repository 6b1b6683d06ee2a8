"""A run of several workbooks may have the next ones parsed by a worker process while it
scores and stores the current one (cslevel.parallel). What is stored, written and
reported is the same as when the run reads every file itself (CSLEVEL_WORKERS=0): the same
rows, the same bytes, the same warnings in the run's language, the same error for a bad
file, with nothing written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cs_helpers import db_snapshot, files_in, kpi

from cslevel import parallel as prefetch
from cslevel.parallel import KpiRead as PreparedKpi
from cslevel.parallel import Reader as SheetPrefetch
from cslevel.read.workbook import read_sheets

ROWS = [[f"{i:04d}", f"坐席{i}", "一组" if i % 2 else "二组", 100 + i % 17] for i in range(1, 31)]
ATT_HEADER = ["工号", "姓名", "实际出勤天数", "迟到次数"]


def _inputs(folder: Path, renamed: bool = True) -> list[str]:
    """Four months of KPI and attendance; the second KPI workbook (the first one the worker
    reads and scores) is an .xlsx named .xls (read as such, with a warning from the reader
    itself)."""
    folder.mkdir()
    args = []
    for m in (1, 2, 3, 4):
        path = kpi(folder / f"kpi_2026-{m:02d}.xlsx", [[*r[:3], r[3] + m] for r in ROWS])
        if m == 2 and renamed:
            path = path.rename(path.with_suffix(".xls"))
        args.append(str(path))
    for m in (1, 2, 3, 4):
        path = kpi(folder / f"att_2026-{m:02d}.xlsx",
                   [[r[0], r[1], 22, (int(r[0]) + m) % 3] for r in ROWS], header=ATT_HEADER)
        args += ["--attendance", str(path)]
    return args


def _score(cli, tmp_path: Path, name: str, workers: str, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setenv("CSLEVEL_WORKERS", workers)
    args = _inputs(tmp_path / name)
    return cli("score", *args, "--scheme", "star", "--db", tmp_path / name / "h.db",
               "--out", f"{tmp_path / name / 'out'}/")


def _served(monkeypatch) -> list[str]:
    """What each workbook the run took was: read "here", "sheets" parsed or "scored" by the
    worker."""
    served: list[str] = []
    take = SheetPrefetch._take

    def spy(self: SheetPrefetch, index: int) -> object:
        got = take(self, index)
        served.append("here" if got is None else "scored" if isinstance(got, PreparedKpi)
                      else "sheets")
        return got

    monkeypatch.setattr(SheetPrefetch, "_take", spy)
    return served


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbooks_read_ahead_give_what_reading_them_here_gives(tmp_path: Path, cli,
                                                                 monkeypatch, lang) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", lang)
    served = _served(monkeypatch)
    alone = _score(cli, tmp_path, "alone", "0", monkeypatch)
    assert served == ["here"] * 8  # no worker: every file read by the run itself
    served.clear()
    ahead = _score(cli, tmp_path, "ahead", "1", monkeypatch)
    # the first one is read while the worker starts; every other KPI workbook is read and
    # scored by the worker, the others' sheets parsed there
    assert served == ["here", "scored", "sheets", "scored", *["sheets"] * 4]
    assert alone[0] == ahead[0] == 0, alone[2] + ahead[2]
    here, there = str(tmp_path / "alone"), str(tmp_path / "ahead")
    assert ahead[1].replace(there, here) == alone[1]
    assert ahead[2].replace(there, here) == alone[2]
    warning = ("kpi_2026-02.xls: the file is named .xls but is really an Excel workbook "
               "(.xlsx); read as such" if lang == "en"
               else "kpi_2026-02.xls: 文件扩展名是 .xls，但实际格式是：")
    assert warning in alone[1] + alone[2]
    outputs = sorted((tmp_path / "ahead" / "out").iterdir())
    assert [p.name for p in outputs] == [f"results-2026-{m:02d}.xlsx" for m in (1, 2, 3, 4)]
    assert [p.read_bytes() for p in outputs] == [
        (tmp_path / "alone" / "out" / p.name).read_bytes() for p in outputs]
    _digest, tables = db_snapshot(tmp_path / "ahead" / "h.db")
    _digest, expected = db_snapshot(tmp_path / "alone" / "h.db")
    for table in ("scores", "attendance", "agents"):
        assert [[str(v).replace(there, here) for v in row] for row in tables[table]] == [
            [str(v) for v in row] for row in expected[table]]


@pytest.mark.parametrize("bad", ["not a workbook", "a score that is not a number",
                                 "an error after an earlier one"])
def test_a_bad_workbook_read_ahead_stops_the_run_as_it_would_here(tmp_path: Path, cli,
                                                                  monkeypatch, bad) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", "en")
    results = {}
    for name, workers in (("alone", "0"), ("ahead", "1")):
        monkeypatch.setenv("CSLEVEL_WORKERS", workers)
        args = _inputs(tmp_path / name, renamed=False)
        if bad == "not a workbook":  # the worker cannot read it: the run reads it again
            (tmp_path / name / "kpi_2026-02.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
        else:  # read and scored by the worker, the problem reported by the run
            rows = [[*r[:3], r[3] + 2] for r in ROWS]
            rows[4][3] = "n/a"
            kpi(tmp_path / name / "kpi_2026-02.xlsx", rows)
            if bad == "an error after an earlier one":  # the worker's scores are not stored
                rows = [[*r[:3], r[3] + 4] for r in ROWS]
                rows[7][3] = "?"
                kpi(tmp_path / name / "kpi_2026-04.xlsx", rows)
        before = files_in(tmp_path / name)
        code, out, err = cli("score", *args, "--scheme", "star", "--db",
                             tmp_path / name / "h.db", "--out", f"{tmp_path / name / 'out'}/")
        assert files_in(tmp_path / name) == before  # no database, no results
        results[name] = (code, (out + err).replace(str(tmp_path / name), "X"))
    assert results["ahead"] == results["alone"]
    assert results["ahead"][0] == 1
    assert "kpi_2026-02.xlsx" in results["ahead"][1]


def test_the_sheets_read_ahead_are_the_sheets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    paths = [kpi(tmp_path / f"k{i}.xlsx", ROWS[: 5 + i]) for i in range(5)]
    with SheetPrefetch(paths) as ahead:
        got = [ahead.sheets(i) for i in range(5)]
    assert got[0] is None
    assert got[1:] == [read_sheets(p) for p in paths[1:]]


def test_few_workbooks_or_no_worker_read_here(tmp_path: Path, monkeypatch) -> None:
    paths = [kpi(tmp_path / f"k{i}.xlsx", ROWS[:3]) for i in range(prefetch.MIN_FILES)]
    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    with SheetPrefetch(paths[:-1]) as ahead:
        assert [ahead.sheets(i) for i in range(len(paths) - 1)] == [None] * (len(paths) - 1)
    monkeypatch.setenv("CSLEVEL_WORKERS", "0")
    with SheetPrefetch(paths) as ahead:
        assert [ahead.sheets(i) for i in range(len(paths))] == [None] * len(paths)


def test_a_worker_that_dies_leaves_the_reading_to_the_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    paths = [kpi(tmp_path / f"k{i}.xlsx", ROWS[: 3 + i]) for i in range(5)]
    with SheetPrefetch(paths) as ahead:
        assert ahead.sheets(1) == read_sheets(paths[1])
        pool = ahead._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # killed, e.g. out of memory
            process.kill()
            process.join()
        # what it had read before is used; nothing raises; the rest is left to the run
        for i in (2, 3):
            got = ahead.sheets(i)
            assert got is None or got == read_sheets(paths[i])
        assert ahead.sheets(4) is None
        assert ahead._pool is None


def test_closing_a_reader_mid_read_leaves_no_thread_and_no_worker(tmp_path: Path,
                                                                  monkeypatch) -> None:
    """A run that stops needing its reader (nothing changed; an error) closes it while the
    worker still reads: the worker is ended and the pool's thread joined then, not left to
    race the interpreter's exit (which printed "Exception ignored … Bad file descriptor")."""
    import threading

    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    paths = [kpi(tmp_path / f"k{i}.xlsx", ROWS * 20) for i in range(6)]
    before = set(threading.enumerate())
    ahead = SheetPrefetch(paths)
    pool = ahead._pool
    assert pool is not None
    workers = list(pool._processes.values())
    assert workers and not all(f.done() for f in ahead._futures.values())  # still reading
    ahead.close()
    assert [w.is_alive() for w in workers] == [False] * len(workers)
    assert [t for t in threading.enumerate() if t not in before] == []
    assert ahead._pool is None and ahead.sheets(3) is None  # the run reads the rest itself
    idle = SheetPrefetch(paths[:prefetch.MIN_FILES])
    assert idle.sheets(1) == read_sheets(paths[1])  # every read done: closed the same way
    idle.close()
    assert [t for t in threading.enumerate() if t not in before] == []


HALF_SENT = r"""
import gc, os, struct, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from cslevel import parallel

marker = Path(sys.argv[1])

def half_sent(language, path):
    # the worker dies while sending its result: a length of 1000 bytes, 10 of them sent
    pool = next(o for o in gc.get_objects() if isinstance(o, ProcessPoolExecutor))
    os.write(pool._result_queue._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
    marker.write_text("sent")
    time.sleep(600)

parallel._read_in_worker = half_sent
reader = parallel.Reader([Path("k.xlsx")], early=True)  # forked: the worker has half_sent
while not marker.exists():
    time.sleep(0.01)
time.sleep(0.2)  # the pool's thread is reading the rest of the message
reader.close()
print("closed")
"""


def test_closing_a_reader_whose_worker_dies_mid_send_does_not_hang(tmp_path: Path) -> None:
    """The worker killed by `close` while it was sending a result left half a message in the
    result pipe; the pool's thread waited for the rest for ever and `close` with it (a run, and
    once the test suite, hung there). Run in a child with a time limit, so that a hang fails."""
    import os
    import subprocess

    script = tmp_path / "half_sent.py"
    script.write_text(HALF_SENT, encoding="utf-8")
    env = {**os.environ, "CSLEVEL_WORKERS": "1"}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "sent")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "closed\n", "")


# --- cslevel run: the worker started early ---------------------------------------------------
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _month_workspace(cli, folder: Path, bad_score: bool = False) -> Path:
    """A workspace with the examples' November and December, November already run."""
    import shutil

    code, _out, err = cli("init", str(folder), "--language", "en")
    assert code == 0, err
    for month in ("2026-11", "2026-12"):
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_{month}.xlsx", folder / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", folder / "input")
    code, _out, err = cli("run", "--month", "2026-11", "--config", folder / "cslevel.toml")
    assert code == 0, err
    if bad_score:  # December's KPI workbook with a score that is not a number
        import openpyxl

        # (the first agent's 解决率 under the header row; the title above says 绩效 too, and
        # a header without 工号 is now read by name through the roster)
        book = openpyxl.load_workbook(folder / "input" / "kpi_2026-12.xlsx")
        sheet = book.worksheets[0]
        header = next(row for row in sheet.iter_rows(max_row=10) if row[0].value == "工号")
        column = next(c.column for c in header if c.value == "解决率")
        sheet.cell(row=header[0].row + 1, column=column, value="n/a")
        book.save(folder / "input" / "kpi_2026-12.xlsx")
    return folder


def _other_threads_done() -> bool:
    """Wait (a little) for threads other tests left behind, e.g. a closed pool's manager
    finishing its last task: the early worker is forked only when no other thread runs."""
    import threading
    import time

    deadline = time.monotonic() + 30
    while threading.active_count() > 1 and time.monotonic() < deadline:
        for thread in threading.enumerate():
            if thread is not threading.current_thread():
                thread.join(timeout=0.1)
    return prefetch._can_fork()


@pytest.mark.skipif(sys.platform != "linux", reason="the early worker is forked (Linux)")
def test_a_month_run_has_its_workbooks_read_from_the_first_by_a_forked_worker(
        tmp_path: Path, cli, monkeypatch) -> None:
    results = {}
    for name, workers in (("alone", "0"), ("ahead", "1")):
        monkeypatch.setenv("CSLEVEL_WORKERS", workers)
        ws = _month_workspace(cli, tmp_path / name)
        assert _other_threads_done(), "another thread still runs: the worker cannot fork"
        with monkeypatch.context() as patch:
            served = _served(patch)
            code, out, err = cli("run", "--month", "2026-12", "--config", ws / "cslevel.toml")
        assert code == 0, err
        results[name] = (served, out.replace(str(ws), "WS"), ws)
    assert results["alone"][0] == ["here", "here"]
    # the KPI workbook read and scored by the worker, the attendance sheets parsed there
    assert results["ahead"][0] == ["scored", "sheets"]
    assert results["ahead"][1] == results["alone"][1]
    alone, ahead = results["alone"][2], results["ahead"][2]
    names = sorted(p.name for p in (ahead / "output").iterdir())
    assert names == sorted(p.name for p in (alone / "output").iterdir())
    assert [(ahead / "output" / n).read_bytes() for n in names] == [
        (alone / "output" / n).read_bytes() for n in names]
    _digest, tables = db_snapshot(ahead / "cslevel.db")
    _digest, expected = db_snapshot(alone / "cslevel.db")
    for table in ("scores", "attendance", "agents", "decisions"):
        assert [[str(v).replace(str(ahead), "WS") for v in row] for row in tables[table]] == [
            [str(v).replace(str(alone), "WS") for v in row] for row in expected[table]]


def test_a_bad_workbook_read_early_stops_the_month_as_it_would_here(tmp_path: Path, cli,
                                                                    monkeypatch) -> None:
    results = {}
    for name, workers in (("alone", "0"), ("ahead", "1")):
        monkeypatch.setenv("CSLEVEL_WORKERS", workers)
        ws = _month_workspace(cli, tmp_path / name, bad_score=True)
        before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
        code, out, err = cli("run", "--month", "2026-12", "--config", ws / "cslevel.toml")
        assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before
        results[name] = (code, (out + err).replace(str(ws), "WS"))
    assert results["ahead"] == results["alone"]
    assert results["ahead"][0] == 1
    assert "kpi_2026-12.xlsx" in results["ahead"][1] and "n/a" in results["ahead"][1]


def test_early_reading_forks_only_with_no_other_thread(tmp_path: Path, monkeypatch) -> None:
    import threading

    from cslevel.records import Month
    from cslevel.templates import load_scheme

    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    scheme, _text = load_scheme("star")
    paths = [kpi(tmp_path / "k.xlsx", ROWS[:4]),
             kpi(tmp_path / "a.xlsx", [[r[0], r[1], 22, 0] for r in ROWS[:4]],
                 header=ATT_HEADER)]
    prepared = (scheme, Month(2026, 1), {0})
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)  # as a progress bar's refresh thread
    busy.start()
    try:
        assert not prefetch._can_fork()
        with SheetPrefetch(paths, prepared, early=True) as ahead:  # two files: read here
            assert ahead._pool is None
            assert [ahead._take(0), ahead._take(1)] == [None, None]
    finally:
        stop.set()
        busy.join()
    if sys.platform == "linux":
        assert _other_threads_done()
        with SheetPrefetch(paths, prepared, early=True) as ahead:
            assert ahead._pool is not None
            assert ahead._pool._mp_context.get_start_method() == "fork"
            first = ahead._take(0)
            assert isinstance(first, PreparedKpi) and first.scored is not None
            assert [row.agent_id for row in first.rows] == ["0001", "0002", "0003", "0004"]
            assert ahead.sheets(1) == read_sheets(paths[1])
