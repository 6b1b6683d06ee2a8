"""Large workbooks are written by worker processes while the run goes on
(StagedFiles.write(background=True)); when every worker is busy the run's own process writes
the next one. The files are byte for byte those written in the run's own process, in the
run's language; a failed background write stops the run with the usual message and leaves
neither the target nor a temporary file; CSLEVEL_WORKERS=0 turns it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest
from bg_helpers import die, disk_full, write_text
from cs_helpers import kpi

from cslevel import parallel
from cslevel.export.safe import StagedFiles
from cslevel.parallel import WritePool
from cslevel.pipeline import session as sessions
from cslevel.records import CslevelError

ROWS = [[f"{i:04d}", f"坐席{i}", "一组" if i % 2 else "二组", 100 + i % 17] for i in range(1, 41)]


def _score(cli, tmp_path: Path, out: str, db: str) -> list[Path]:
    files = [kpi(tmp_path / f"kpi_2026-{m:02d}.xlsx", ROWS) for m in (1, 2, 3)]
    code, _out, err = cli("score", *files, "--scheme", "star", "--db", tmp_path / db,
                          "--out", f"{out}/")
    assert code == 0, err
    return sorted((tmp_path / out).iterdir())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_background_writes_give_the_same_bytes(tmp_path: Path, cli, monkeypatch, lang) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", lang)
    monkeypatch.setenv("CSLEVEL_WORKERS", "0")
    alone = _score(cli, tmp_path, "alone", "a.db")
    monkeypatch.setattr(sessions, "BACKGROUND_ROWS", 1)  # every workbook goes to a worker
    monkeypatch.setenv("CSLEVEL_WORKERS", "2")
    workers = _score(cli, tmp_path, "workers", "b.db")
    assert [p.name for p in workers] == ["results-2026-01.xlsx", "results-2026-02.xlsx",
                                         "results-2026-03.xlsx"]
    assert [p.read_bytes() for p in workers] == [p.read_bytes() for p in alone]


def test_a_worker_writes_in_another_process(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "2")
    with StagedFiles(writers=WritePool()) as staged:
        staged.write(tmp_path / "a.txt", write_text, background=True)
        staged.write(tmp_path / "b.txt", write_text, background=True)
    texts = [(tmp_path / n).read_text(encoding="utf-8") for n in ("a.txt", "b.txt")]
    assert all(t.startswith("written by process ") for t in texts)
    assert f"written by process {os.getpid()}" not in texts
    assert oct((tmp_path / "a.txt").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_a_failed_background_write_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "2")
    staging = tmp_path / "staging"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))  # the staged files go there
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(CslevelError) as caught, StagedFiles(writers=WritePool()) as staged:
        staged.write(out / "new.txt", write_text, background=True)
        staged.write(out / "old.txt", disk_full, background=True)
    problem = caught.value.problems[0]
    assert problem.message == "无法写入输出文件：磁盘已满"
    assert problem.hint == (f"请清理 {out} 所在磁盘（以及临时文件夹）的空间后重新运行。"
                            "本次未做任何更改。")
    assert problem.source is not None and problem.source.file == str(out / "old.txt")
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
    assert (out / "old.txt").read_text(encoding="utf-8") == "old"
    assert list(staging.iterdir()) == []
    assert staged.files() == []


@pytest.mark.parametrize(("value", "cores", "expected"), [
    ("", 1, 0), ("", 2, 1), ("", 4, 2), ("", 16, 2), ("0", 8, 0), ("3", 1, 3), ("x", 2, 1)])
def test_how_many_workers(monkeypatch, value: str, cores: int, expected: int) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", value)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert parallel.workers() == expected


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_worker_that_dies_stops_the_run_cleanly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    staging = tmp_path / "staging"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    with pytest.raises(CslevelError) as caught, StagedFiles(writers=WritePool()) as staged:
        staged.write(tmp_path / "payroll.xlsx", die, background=True)
    assert str(caught.value) == (
        f"{tmp_path / 'payroll.xlsx'}: 无法写入输出文件（写入该文件的进程意外退出） — 如果该文件"
        "正在 Excel/WPS 中打开，请先关闭；或用 --out 另选一个有写入权限的文件夹中的路径。")
    assert list(staging.iterdir()) == []
    assert not (tmp_path / "payroll.xlsx").exists()


def test_python_dash_m_with_a_worker(tmp_path: Path) -> None:
    """`python -m cslevel` imports cslevel/__main__.py in the spawned worker too: the command
    must not run a second time there."""
    rows = [[f"{i:05d}", f"坐席{i}", "一组", 100 + i % 17] for i in range(1, 5001)]
    workbook = kpi(tmp_path / "kpi_2026-10.xlsx", rows)
    env = {**os.environ, "CSLEVEL_WORKERS": "1", "CSLEVEL_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "cslevel", "score", str(workbook), "--scheme", "star",
         "--db", str(tmp_path / "h.db"), "--out", str(tmp_path / "out") + "/", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["outputs"] == [str(tmp_path / "out" / "results-2026-10.xlsx")]
    assert len(doc["agents"]) == 5000
    sheet = openpyxl.load_workbook(tmp_path / "out" / "results-2026-10.xlsx",
                                   read_only=True).worksheets[0]
    assert sheet.max_row == 5001


# --- cslevel run: the results written last by the run, the payroll by a worker ----------------
def test_a_write_left_for_later_is_written_by_the_run_when_collected(tmp_path: Path,
                                                                     monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "1")
    with StagedFiles(writers=WritePool()) as staged:
        staged.start_workers()
        staged.write(tmp_path / "results.txt", write_text, later=True)
        staged.write(tmp_path / "payroll.txt", write_text, background=True)
        assert [target.name for _tmp, target in staged.files()] == ["results.txt",
                                                                     "payroll.txt"]
    assert (tmp_path / "results.txt").read_text(encoding="utf-8") == (
        f"written by process {os.getpid()}")
    payroll = (tmp_path / "payroll.txt").read_text(encoding="utf-8")
    assert payroll.startswith("written by process ") and str(os.getpid()) not in payroll


def test_a_write_left_for_later_is_dropped_when_the_run_fails(tmp_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "0")
    called = []
    staging = tmp_path / "staging"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    with pytest.raises(CslevelError), StagedFiles(writers=WritePool()) as staged:
        staged.write(tmp_path / "results.txt", called.append, later=True)
        staged.start_workers()  # no workers: nothing to start
        raise CslevelError([])
    assert called == []
    assert list(staging.iterdir()) == []
    assert not (tmp_path / "results.txt").exists()


def test_run_with_a_worker_gives_the_same_bytes(tmp_path: Path, cli, monkeypatch) -> None:
    """`cslevel run` hands the payroll to a worker and writes the results itself at the end:
    the same files as written in one process, and no 'not confirmed' warning (the run's own
    promote confirms the month)."""
    import shutil

    examples = Path(__file__).resolve().parents[1] / "examples"
    folders = {}
    for name, workers, rows in (("alone", "0", 5000), ("worker", "1", 1)):
        monkeypatch.setenv("CSLEVEL_WORKERS", workers)
        monkeypatch.setattr(sessions, "BACKGROUND_ROWS", rows)
        code, _out, err = cli("init", name)
        assert code == 0, err
        ws = tmp_path / name
        for month in ("2026-01", "2026-02"):
            for kind in ("kpi", "att"):
                shutil.copy(examples / f"{kind}_{month}.xlsx", ws / "input")
        shutil.copy(examples / "roster.xlsx", ws / "input")
        for month in ("2026-01", "2026-02"):
            code, out, err = cli("run", "--month", month, "--config", str(ws / "cslevel.toml"),
                                 "--json")
            assert code == 0, err
            doc = json.loads(out)
            assert not [p for p in doc["problems"] if "promote" in p["message"]], doc
        folders[name] = {p.name: p.read_bytes() for p in sorted((ws / "output").iterdir())}
    assert sorted(folders["worker"]) == [
        "moves-2026-01.xlsx", "moves-2026-02.xlsx", "payroll-2026-02.xlsx",
        "payroll-2026-03.xlsx", "results-2026-01.xlsx", "results-2026-02.xlsx"]
    assert folders["worker"] == folders["alone"]
