"""Smaller CLI contracts: help with examples, repeatable outputs, --out folders, leavers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cs_helpers import kpi

from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme


@pytest.mark.parametrize(("args", "example"), [
    (["score", "--help"], "cslevel score kpi_2026-10.xlsx"),
    (["promote", "--help"], "cslevel promote --months 3"),
    (["payroll", "export", "--help"], "cslevel payroll export --month 2026-11"),
    (["history", "--help"], "cslevel history 0007"),
    (["report", "--help"], "cslevel report --from 2026-01 --to 2026-12 --out report.html"),
    (["adjust", "score", "--help"], "cslevel adjust score 0007 --month 2026-03 --to 110"),
    (["adjust", "level", "--help"], "cslevel adjust level 0007 --from 2026-04 --to 四星"),
    (["adjust", "list", "--help"], "cslevel adjust list --agent 0007"),
    (["adjust", "undo", "--help"], "cslevel adjust undo 3 --reason"),
])
def test_every_command_has_help_with_an_example(cli, args: list[str], example: str) -> None:
    code, out, _ = cli(*args)
    assert code == 0
    assert example in " ".join(out.split())


def test_version(cli) -> None:
    code, out, _ = cli("--version")
    assert (code, out.strip()) == (0, "cslevel 0.1.0")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_month_twice_gives_identical_outputs(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 28: re-running a month changes nothing, byte for byte."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    outputs = []
    for run in range(2):
        assert cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--out", f"r{run}.xlsx")[0] == 0
        assert cli("promote", "--out", f"m{run}.xlsx")[0] == 0
        assert cli("payroll", "export", "--out", f"p{run}.xlsx")[0] == 0
        assert cli("payroll", "export", "--out", f"p{run}.csv")[0] == 0
        outputs.append([_sha(tmp_path / f"{stem}{run}.{ext}")
                        for stem, ext in (("r", "xlsx"), ("m", "xlsx"), ("p", "xlsx"),
                                          ("p", "csv"))])
    assert outputs[0] == outputs[1]


def test_out_folder_is_created_when_it_ends_with_a_slash(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "甲", "一组", 112]])
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 113]])
    code, _, err = cli("score", "kpi_2026-*.xlsx", "--scheme", "star", "--out", "new/sub/")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "new" / "sub").iterdir()) == [
        "results-2026-09.xlsx", "results-2026-10.xlsx"]


@pytest.mark.language("en")
def test_several_months_into_one_file_is_refused_before_writing(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "甲", "一组", 112]])
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 113]])
    code, _, err = cli("score", "kpi_2026-09.xlsx", "kpi_2026-10.xlsx", "--scheme", "star",
                       "--out", "one.xlsx")
    assert code == 1
    assert "2 months were scored but --out names one file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpi_2026-09.xlsx", "kpi_2026-10.xlsx"]


def test_lock_files_and_hidden_files_in_a_folder_are_skipped(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 7: Excel's ~$ lock files and hidden files are not inputs."""
    folder = tmp_path / "in"
    folder.mkdir()
    kpi(folder / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    (folder / "~$kpi_2026-10.xlsx").write_bytes(b"\x00lock")
    (folder / ".kpi_2026-10.xlsx").write_bytes(b"hidden")
    doc = cli_json("score", folder, "--scheme", "star", "--dry-run")
    assert [a["agent_id"] for a in doc["agents"]] == ["0001"]


@pytest.mark.language("en")
def test_unknown_agent_in_history(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0007", "甲", "一组", 112]])
    assert cli("score", "kpi_2026-10.xlsx", "--scheme", "star")[0] == 0
    code, _, err = cli("history", "7")
    assert code == 1
    assert "no agent '7' in the history — Check the id (ids are text: 0007 is not 7)" in err


def _scores(agent_id: str, start: Month, values: list[int]) -> dict[Month, Score]:
    return {start + i: Score(agent_id, start + i, Decimal(v)) for i, v in enumerate(values)}


def test_a_leaver_gets_no_move_at_the_close_of_the_leave_month() -> None:
    scheme, _ = load_scheme("star")
    start = Month(2026, 1)
    agent = Agent("0001", start_level="二星", first_month=start, leave_date=date(2026, 3, 15))
    states, next_level = replay(agent, _scores("0001", start, [120, 120, 120]), scheme,
                                Month(2026, 5))
    assert [s.month for s in states] == [Month(2026, 1), Month(2026, 2), Month(2026, 3)]
    assert states[-1].decision is None
    assert states[-1].note.startswith("2026-03-15 离职，不再调整级别")
    assert next_level == "二星"


def test_history_of_a_leaver_says_when_they_left(tmp_path: Path, cli, cli_json) -> None:
    from conftest import write_xlsx

    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "离职日期", "当前级别"],
                                          ["0001", "甲", "2026-03-15", "二星"],
                                          ["0002", "乙", None, "二星"]])
    for month in ("01", "02", "03", "04"):
        rows = [["0001", "甲", "一组", 120]] if month != "04" else []
        kpi(tmp_path / f"kpi_2026-{month}.xlsx", rows + [["0002", "乙", "一组", 120]])
    code, _, err = cli("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "star",
                       "--out", "out/")
    assert code == 0, err
    doc = cli_json("history", "0001")
    assert [m["month"] for m in doc["months"]] == ["2026-01", "2026-02", "2026-03"]
    assert doc["months"][-1]["decision"] is None
    assert (doc["next_level"], doc["left_on"]) == (None, "2026-03-15")
    promoted = cli_json("promote", "--as-of", "2026-03")
    assert [m["agent_id"] for m in promoted["moves"]] == ["0002"]
    assert [lv["agent_id"] for lv in promoted["levels"]] == ["0002"]


def _command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CSLEVEL_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "cslevel", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120,
                          check=False)


def test_the_process_ends_with_the_commands_code_and_all_its_output(tmp_path: Path) -> None:
    """The command ends the process without the interpreter's teardown (`cli._leave`): the
    exit code is the command's and nothing written is lost."""
    import json

    kpi(tmp_path / "kpi_2026-01.xlsx", [[f"{n:04d}", f"名{n}", "一组", 90 + n % 20]
                                        for n in range(1, 301)])
    done = _command("score", "kpi_2026-01.xlsx", "--scheme", "star", "--db", "h.db", "--json",
                    cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    agents = json.loads(done.stdout)["agents"]  # the whole JSON document came through
    assert [a["agent_id"] for a in agents] == [f"{n:04d}" for n in range(1, 301)]
    usage = _command("history", cwd=tmp_path)
    assert usage.returncode == 2 and "Missing argument" in usage.stderr
    unknown = _command("history", "9999", "--db", "h.db", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no agent '9999' in the history" in unknown.stderr


def test_leaving_early_only_when_nothing_else_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from cslevel import cli

    ended: list[int] = []
    monkeypatch.setattr(os, "_exit", ended.append)
    cli._leave("a message")  # a text exit: Python prints it and exits with 1
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        cli._leave(0)  # a thread still running: the ordinary way, which waits for it
    finally:
        stop.set()
        other.join()
    assert ended == []
    cli._leave(None)
    cli._leave(3)
    assert ended == [0, 3]


def test_a_folder_on_the_command_line_gives_every_workbook_the_readers_take(
        tmp_path: Path) -> None:
    """.xlsb and .ods files in a folder are read like the others (the readers take them);
    other files in the folder are left alone."""
    from cslevel.cli.report import _expand

    names = ["a.xlsx", "b.ods", "c.xlsb", "d.XLS", "e.csv", "notes.pdf", "readme.md"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in _expand([tmp_path])] == ["a.xlsx", "b.ods", "c.xlsb", "d.XLS",
                                                     "e.csv"]
