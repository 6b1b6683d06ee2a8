"""Every later output follows a change to an earlier month (issue 18, part 3): `cslevel run`
of an earlier month writes again, in the same all-or-nothing finish, every output of a later
(unlocked) month that would now differ, and lists them; a later month's run says
"unchanged" only when nothing recorded since its run changed what its outputs show — on
SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import write_xlsx
from cs_helpers import kpi

MONTHS = ["2026-08", "2026-09", "2026-10", "2026-11"]
ROSTER = [["工号", "姓名", "组别", "当前级别"], ["0001", "甲", "一组", "一星"],
          ["0002", "乙", "一组", "二星"]]
# 0001: three months at 115 → 二星 from 2026-11; 0002: three at 100 → 一星 from 2026-11
SCORES = {"0001": [115, 115, 115, 100], "0002": [100, 100, 100, 100]}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return "cslevel.db"
    return str(request.getfixturevalue("pg_url"))


def _workspace(cli, folder: Path, database: str, october_0001: int = 115) -> Path:
    code, _out, err = cli("init", str(folder), "--language", "en")
    assert code == 0, err
    config = folder / "cslevel.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'url = "cslevel.db"', f'url = "{database}"'), encoding="utf-8")
    write_xlsx(folder / "input" / "roster.xlsx", ROSTER, text_columns=(0, 1, 2, 3))
    for i, month in enumerate(MONTHS):
        _kpi(folder, month, october_0001 if month == "2026-10" else None, i)
    return folder


def _kpi(folder: Path, month: str, score_0001: int | None, index: int) -> None:
    rows = [[a, name, "一组", scores[index]] for (a, scores), name in
            zip(SCORES.items(), ["甲", "乙"], strict=True)]
    if score_0001 is not None:
        rows[0][3] = score_0001
    path = folder / "input" / f"kpi_{month}.xlsx"
    path.unlink(missing_ok=True)
    kpi(path, rows)


def _run(cli, ws: Path, month: str) -> dict:
    code, out, err = cli("run", "--month", month, "--config", str(ws / "cslevel.toml"),
                         "--json")
    assert code == 0, err + out
    return json.loads(out)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.language("en")
def test_a_fix_of_an_earlier_month_writes_the_later_months_files_again(
        tmp_path: Path, cli, database: str) -> None:
    ws = _workspace(cli, tmp_path / "a", database)
    for month in MONTHS:
        assert _run(cli, ws, month)["status"] == "done"
    before = _digests(ws / "output")
    _kpi(ws, "2026-10", 100, 2)  # October fixed: 0001 is not promoted after all
    doc = _run(cli, ws, "2026-10")
    assert doc["status"] == "done"
    assert sorted(Path(p).name for p in doc["rewritten"]) == [
        "payroll-2026-12.xlsx", "results-2026-11.xlsx"]
    assert all(Path(p).parent == ws / "output" for p in doc["rewritten"])
    after = _digests(ws / "output")
    changed = sorted(n for n in after if after[n] != before.get(n))
    # October's own (its results, its moves, the payroll it feeds) and the later ones listed
    assert changed == ["moves-2026-10.xlsx", "payroll-2026-11.xlsx", "payroll-2026-12.xlsx",
                       "results-2026-10.xlsx", "results-2026-11.xlsx"]
    # November's run now has nothing to do: what its files show is what the history says
    again = _run(cli, ws, "2026-11")
    assert again["status"] == "unchanged"
    # …and the later months' files are byte for byte those of a workspace that had the fix
    # from the start (October's results differ: they say the month was scored again)
    if database == "cslevel.db":
        fresh = _workspace(cli, tmp_path / "b", database, october_0001=100)
        for month in MONTHS:
            _run(cli, fresh, month)
        made = _digests(fresh / "output")
        assert sorted(n for n in made if made[n] != after[n]) == ["results-2026-10.xlsx"]


@pytest.mark.language("en")
def test_a_change_made_outside_the_workspace_run_is_not_unchanged(tmp_path: Path,
                                                                  cli) -> None:
    """October scored again with `cslevel score` (not `cslevel run`): November's run, with
    its own inputs unchanged, is made again, not reported unchanged."""
    ws = _workspace(cli, tmp_path / "a", "cslevel.db")
    for month in MONTHS:
        _run(cli, ws, month)
    _kpi(ws, "2026-10", 100, 2)
    code, out, err = cli("score", str(ws / "input" / "kpi_2026-10.xlsx"), "--db",
                         str(ws / "cslevel.db"), "--out", str(tmp_path / "elsewhere") + "/",
                         "--json")
    assert code == 0, err
    # the score names the workspace's files it cannot write again itself
    warned = [p for p in json.loads(out)["problems"] if "no longer show" in p["message"]]
    out_dir = ws / "output"
    assert [(p["message"], p["hint"]) for p in warned] == [
        (f"the files cslevel run wrote for {month} no longer show what the history says: "
         f"{out_dir / f'results-{month}.xlsx'}, {out_dir / f'payroll-{pay}.xlsx'}, "
         f"{out_dir / f'moves-{month}.xlsx'}",
         f"Run the month again in its workspace to write them again: cslevel run --month {month}")
        for month, pay in (("2026-10", "2026-11"), ("2026-11", "2026-12"))]
    doc = _run(cli, ws, "2026-11")
    assert doc["status"] == "done"
    assert doc["rewritten"] == []
    assert _run(cli, ws, "2026-11")["status"] == "unchanged"


@pytest.mark.language("en")
def test_a_later_month_whose_inputs_are_gone_is_named(tmp_path: Path, cli) -> None:
    ws = _workspace(cli, tmp_path / "a", "cslevel.db")
    for month in MONTHS:
        _run(cli, ws, month)
    shutil.move(ws / "input" / "kpi_2026-11.xlsx", tmp_path / "kpi_2026-11.xlsx")
    _kpi(ws, "2026-10", 100, 2)
    doc = _run(cli, ws, "2026-10")
    assert doc["rewritten"] == []
    (warning,) = [p for p in doc["problems"] if "may be out of date" in p["message"]]
    assert warning["severity"] == "warning"
    assert warning["message"] == (
        f"the outputs of 2026-11 may be out of date, and its workbooks are no longer in "
        f"{ws / 'input'} to make them again")
    assert warning["hint"] == "Put them back and run 2026-11 again: cslevel run --month 2026-11"


@pytest.mark.language("en")
def test_status_names_the_months_out_of_date_and_the_moves_to_sign(tmp_path: Path,
                                                                   cli) -> None:
    ws = _workspace(cli, tmp_path / "a", "cslevel.db")
    for month in MONTHS:
        _run(cli, ws, month)
    config = str(ws / "cslevel.toml")
    code, out, err = cli("status", "--config", config, "--json")
    assert code == 0, err
    pending = [{"agent_id": "0001", "from": "一星", "to": "二星", "effective": "2026-11"},
               {"agent_id": "0002", "from": "二星", "to": "一星", "effective": "2026-11"}]
    assert json.loads(out) == {"stale": [], "pending_signoff": pending,
                               "corrections": {"rows": [], "total": "0.00"}}
    _kpi(ws, "2026-10", 100, 2)
    code, _out, err = cli("score", str(ws / "input" / "kpi_2026-10.xlsx"), "--db",
                          str(ws / "cslevel.db"), "--out", str(tmp_path / "elsewhere") + "/")
    assert code == 0, err
    code, out, err = cli("status", "--config", config, "--json")
    doc = json.loads(out)
    assert [(s["month"], s["locked"], [Path(f).name for f in s["files"]]) for s in doc["stale"]] == [
        ("2026-10", False, ["results-2026-10.xlsx", "payroll-2026-11.xlsx", "moves-2026-10.xlsx"]),
        ("2026-11", False, ["results-2026-11.xlsx", "payroll-2026-12.xlsx", "moves-2026-11.xlsx"])]
    assert all(s["why"].startswith("score on ") for s in doc["stale"])
    assert doc["pending_signoff"] == pending[1:]  # 0001 is no longer promoted
    code, out, _err = cli("status", "--config", config)
    assert "2026-11: files out of date (score on " in out
    assert "write them again: cslevel run --month 2026-11" in out
    assert "1 move waits for the signed sign-off list:" in out
    assert "No correction of a paid month is pending." in out
    _run(cli, ws, "2026-10")
    code, out, _err = cli("status", "--config", config, "--json")
    assert json.loads(out)["stale"] == []


@pytest.mark.language("en")
def test_an_adjustment_names_the_workspace_files_it_leaves_out_of_date(tmp_path: Path,
                                                                       cli) -> None:
    ws = _workspace(cli, tmp_path / "a", "cslevel.db")
    for month in MONTHS:
        _run(cli, ws, month)
    code, out, err = cli("adjust", "score", "0001", "--month", "2026-10", "--to", "105",
                         "--reason", "recount", "--db", str(ws / "cslevel.db"))
    assert code == 0, err
    said = " ".join((out + err).split())
    assert "the files cslevel run wrote for 2026-10 no longer show what the history says" in said
    assert "cslevel run --month 2026-11" in said
    assert "2026-09" not in said.split("no longer show")[0]
    doc = _run(cli, ws, "2026-10")  # the adjustment reaches October's and November's files
    assert sorted(Path(p).name for p in doc["rewritten"]) == [
        "payroll-2026-12.xlsx", "results-2026-11.xlsx"]
