"""cslevel.open_history, the analysts' API (issue 20, item 4): its DataFrames hold exactly
what the commands give with --json, over the star examples' twelve months scored into a
history (with a score and a level adjusted, and the decisions up to 2026-06 confirmed), on
SQLite and, where CSLEVEL_TEST_POSTGRES is set, on PostgreSQL; reading writes nothing;
`import cslevel` loads neither pandas nor SQLAlchemy."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cs_helpers import db_snapshot
from typer.testing import CliRunner

import cslevel
from cslevel import i18n
from cslevel.cli import app
from cslevel.records import CslevelError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
PAY_MONTHS = [*MONTHS, "2027-01"]
SCORED_AGAIN = ("0002", "2026-04", "125")  # adjust score: agent, month, score
PLACED = ("0003", "2026-07", "三星")  # adjust level: agent, from, level


def _cli(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--db", db])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def _json(db: str, *args: str) -> dict[str, Any]:
    code, out = _cli(db, *args, "--json")
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def _examples_history(db: str, out: Path) -> None:
    """The star examples' year scored into `db`, one score and one level adjusted, and the
    decisions up to 2026-06 confirmed."""
    files = [str(p) for p in sorted(EXAMPLES.glob("kpi_2026-*.xlsx"))]
    attendance = [a for p in sorted(EXAMPLES.glob("att_2026-*.xlsx"))
                  for a in ("--attendance", str(p))]
    _json(db, "score", *files, *attendance, "--roster", str(EXAMPLES / "roster.xlsx"),
          "--scheme", "star", "--out", f"{out}/")
    agent, month, score = SCORED_AGAIN
    _json(db, "adjust", "score", agent, "--month", month, "--to", score,
          "--reason", "申诉成立", "--by", "测试")
    agent, month, level = PLACED
    _json(db, "adjust", "level", agent, "--from", month, "--to", level,
          "--reason", "特别优秀", "--by", "测试")
    _json(db, "promote", "--as-of", "2026-06")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def history_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[str]:
    """The examples' history, made once per backend for the module's tests (which only
    read it, except the payroll export's file and run record)."""
    folder = tmp_path_factory.mktemp(f"api-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CSLEVEL_LANG", "zh")
        i18n.set_language(None)
        if request.param == "sqlite":
            db = str(folder / "history.db")
            _examples_history(db, folder / "out")
            yield db
            return
        from pg_helpers import PG_ENV, fresh_schema, postgres_base

        base = postgres_base()
        if base is None:
            pytest.skip(f"{PG_ENV} is not set (.ci/run starts a PostgreSQL server and sets it)")
        with fresh_schema(base) as url:
            _examples_history(url, folder / "out")
            yield url


@pytest.fixture(scope="module")
def frames(history_db: str) -> Iterator[cslevel.HistoryFrames]:
    with cslevel.open_history(history_db) as history:
        yield history


def _decimal(value: float) -> Decimal:
    """A score as `--json` gives it (a JSON number), as the Decimal it was."""
    return Decimal(repr(value))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --- the frames against the CLI's JSON ---------------------------------------------------
def test_months(frames: cslevel.HistoryFrames) -> None:
    months = frames.months()
    assert list(months.astype(str)) == MONTHS
    assert str(months.dtype) == "period[M]" and months.name == "month"


def test_scores_and_levels_are_what_history_shows(history_db: str,
                                                  frames: cslevel.HistoryFrames) -> None:
    scores, levels = frames.scores(), frames.levels()
    assert list(scores.columns) == ["agent_id", "name", "team", "month", "score",
                                    "imported_score", "response_time", "resolution_rate",
                                    "satisfaction", "complaint_rate", "training"]
    assert list(levels.columns) == ["agent_id", "name", "team", "month", "level", "source",
                                    "adjustment_id", "in_trial", "counted", "probation",
                                    "flags"]
    for frame in (scores, levels):
        assert str(frame["month"].dtype) == "period[M]"
        assert pd.api.types.is_string_dtype(frame["agent_id"])
        assert all(type(a) is str and len(a) == 4 for a in frame["agent_id"])  # 0001, not 1
    assert all(type(v) is Decimal for c in ("score", "imported_score", "response_time")
               for v in scores[c])
    # the star example's 培训次数 (read, not scored): one in April and one in October for most
    twice = scores[scores["agent_id"] == "0001"]
    assert {str(m): t for m, t in twice[["month", "training"]].itertuples(index=False)
            if t} == {"2026-04": Decimal(1), "2026-10": Decimal(1)}
    ids = sorted(set(levels["agent_id"]))
    assert len(ids) == 40 and ids[0] == "0001"
    for agent_id in ids:
        doc = _json(history_db, "history", agent_id)
        own_scores = scores[scores["agent_id"] == agent_id]
        own_levels = levels[levels["agent_id"] == agent_id]
        assert set(own_levels["name"]) == {doc["name"]} and set(own_levels["team"]) == {
            doc["team"]}
        assert [(str(m), level, flags, probation, counted) for m, level, flags, probation,
                counted in own_levels[["month", "level", "flags", "probation", "counted"]]
                .itertuples(index=False)] == [
            (m["month"], m["level"], tuple(m["flags"]), m["probation"], m["counted"])
            for m in doc["months"]]
        assert [(str(m), s) for m, s in own_scores[["month", "score"]].itertuples(
            index=False)] == [(m["month"], _decimal(m["score"])) for m in doc["months"]
                              if m["score"] is not None]
        imported = {m["month"]: m.get("imported_score", m["score"]) for m in doc["months"]}
        assert [(str(m), s) for m, s in own_scores[["month", "imported_score"]].itertuples(
            index=False)] == [(m, _decimal(imported[m])) for m in map(str, own_scores["month"])]


def test_a_score_adjusted_shows_beside_the_imported_one(history_db: str,
                                                       frames: cslevel.HistoryFrames) -> None:
    agent, month, score = SCORED_AGAIN
    scores = frames.scores()
    row = scores[(scores["agent_id"] == agent) & (scores["month"] == pd.Period(month, "M"))]
    assert row["score"].tolist() == [Decimal(score)]
    listed = _json(history_db, "adjust", "list")["adjustments"]
    assert row["imported_score"].tolist() == [Decimal(listed[0]["was"])]
    assert row["imported_score"].tolist() != [Decimal(score)]
    others = scores.drop(row.index)
    assert (others["score"] == others["imported_score"]).all()


def test_where_each_level_came_from(frames: cslevel.HistoryFrames) -> None:
    levels = frames.levels()

    def path(agent_id: str) -> list[tuple[str, str, str, object]]:
        own = levels[levels["agent_id"] == agent_id]
        return [(str(m), lv, src, None if pd.isna(adj) else int(adj)) for m, lv, src, adj in
                own[["month", "level", "source", "adjustment_id"]].itertuples(index=False)]

    # 0001: 四星 from the roster; 五星 by the rules from 2026-04, back to 四星 from 2026-11
    assert path("0001") == [
        *((m, "四星", "roster", None) for m in MONTHS[:3]),
        *((m, "五星", "rule", None) for m in MONTHS[3:10]),
        *((m, "四星", "rule", None) for m in MONTHS[10:])]
    # 0003: 一星 from the roster, 三星 set by a person from 2026-07 (adjustment #2), then
    # 07-09 under 110 move it one star down from 2026-10
    assert path("0003") == [
        *((m, "一星", "roster", None) for m in MONTHS[:6]),
        ("2026-07", "三星", "placement", 2),
        *((m, "三星", "placement", None) for m in MONTHS[7:9]),
        *((m, "二星", "rule", None) for m in MONTHS[9:])]
    # 0037, hired 2026-02: three trial months, then 一星 by the trial's end
    own = levels[levels["agent_id"] == "0037"]
    assert [(str(m), lv, src, trial) for m, lv, src, trial in
            own[["month", "level", "source", "in_trial"]].itertuples(index=False)] == [
        *((m, "试用", "roster", True) for m in MONTHS[1:4]),
        *((m, "一星", "rule", False) for m in MONTHS[4:])]


def test_decisions_are_promotes_moves(history_db: str, frames: cslevel.HistoryFrames) -> None:
    decisions, levels = frames.decisions(), frames.levels()
    assert list(decisions.columns) == ["agent_id", "name", "team", "kind", "from_level",
                                       "to_level", "decided", "effective", "rule", "reason",
                                       "trigger_months", "confirmed"]
    assert str(decisions["decided"].dtype) == str(decisions["effective"].dtype) == "period[M]"
    # the examples' year: 13 promotions, 11 demotions, 3 trial ends (examples/README.md),
    # and two demotions of 0003 after its placement at 三星 (from the roster's 一星 it had
    # nowhere to go down)
    assert decisions["kind"].value_counts().to_dict() == {"promote": 13, "demote": 13,
                                                          "trial_end": 3}
    placed = decisions[decisions["agent_id"] == "0003"]
    assert [(str(r.decided), r.kind, r.from_level, r.to_level) for r in placed.itertuples()] == [
        ("2026-09", "demote", "三星", "二星"), ("2026-12", "demote", "二星", "一星")]
    for month in MONTHS:
        doc = _json(history_db, "promote", "--as-of", month, "--dry-run")
        own = decisions[decisions["decided"] == pd.Period(month, "M")]
        assert [(r.agent_id, r.name, r.kind, r.from_level, r.to_level, str(r.effective),
                 r.rule, r.reason, [str(m) for m in r.trigger_months])
                for r in own.itertuples()] == [
            (m["agent_id"], m["name"], m["kind"], m["from"], m["to"], m["effective"],
             m["rule"], m["reason"], m["trigger_months"]) for m in doc["moves"]]
        assert own["confirmed"].tolist() == [month <= "2026-06"] * len(own)
        if month < MONTHS[-1]:  # the levels in force the month after: the levels frame's
            after = levels[levels["month"] == pd.Period(month, "M") + 1]
            assert dict(zip(after["agent_id"], after["level"], strict=True)) == {
                row["agent_id"]: row["level"] for row in doc["levels"]}


def test_decisions_are_those_history_shows(history_db: str,
                                           frames: cslevel.HistoryFrames) -> None:
    decisions = frames.decisions()
    for agent_id in ("0001", "0008", "0016", "0037"):
        doc = _json(history_db, "history", agent_id)
        own = decisions[decisions["agent_id"] == agent_id]
        assert [(str(r.decided), r.kind, r.to_level, str(r.effective), r.reason, r.confirmed)
                for r in own.itertuples()] == [
            (m["month"], m["decision"], m["to"], m["effective"], m["reason"], m["confirmed"])
            for m in doc["months"] if m["decision"]]
        assert len(own) >= 1 or agent_id == "0008"


def test_payroll_is_payroll_exports(history_db: str, frames: cslevel.HistoryFrames,
                                    tmp_path: Path) -> None:
    for month in PAY_MONTHS:
        payroll = frames.payroll(month)
        doc = _json(history_db, "payroll", "export", "--month", month,
                    "--out", str(tmp_path / f"payroll-{month}.xlsx"))
        components = list(doc["rows"][0]["components"])
        assert components[:2] == ["基本工资", "岗位绩效工资"]
        assert list(payroll.columns) == ["agent_id", "name", "team", "month", "level",
                                         *components, "total", "previous_total", "change",
                                         "note"]
        assert set(payroll["month"].astype(str)) == {month}
        assert all(type(v) is Decimal for c in [*components, "total"] for v in payroll[c])
        assert [{"agent_id": r["agent_id"], "name": r["name"], "team": r["team"],
                 "level": r["level"], "components": {c: str(r[c]) for c in components},
                 "total": str(r["total"]), "previous_total": _text(r["previous_total"]),
                 "change": r["change"], "note": r["note"]}
                for r in payroll.to_dict("records")] == doc["rows"], month
        assert payroll.attrs["warnings"] == [p["text"] for p in doc["problems"]]
    # the payroll of 2026-01 has nothing to compare with; later months' have
    assert frames.payroll("2026-01")["previous_total"].isna().all()
    assert frames.payroll(pd.Period("2026-08", "M"))["previous_total"].notna().any()


def test_adjustments_are_adjust_lists(history_db: str, frames: cslevel.HistoryFrames) -> None:
    adjustments = frames.adjustments()
    doc = _json(history_db, "adjust", "list")
    assert [{**r, "month": str(r["month"])} for r in adjustments.to_dict("records")] == doc[
        "adjustments"]
    assert adjustments[["id", "agent_id", "kind", "value", "by"]].values.tolist() == [
        [1, "0002", "score", "125.00", "测试"], [2, "0003", "level", "三星", "测试"]]
    assert adjustments["was"].tolist()[1] == "一星"  # 0003's level from the roster
    assert str(adjustments["month"].dtype) == "period[M]"


# --- reading writes nothing ----------------------------------------------------------------
def _read_everything(db: str) -> None:
    with cslevel.open_history(db) as history:
        history.months()
        history.scores()
        history.levels()
        history.decisions()
        history.payroll("2026-12")
        history.adjustments(undone=True)


def test_reading_writes_nothing_even_on_an_older_schema(history_db: str,
                                                        tmp_path: Path) -> None:
    if "://" in history_db:
        pytest.skip("the file's bytes are a SQLite history's")
    db = tmp_path / "older.db"
    db.write_bytes(Path(history_db).read_bytes())
    # the schema before the payroll ledger (migration 7): opened as the read commands do it
    with sqlite3.connect(db) as con:
        con.execute("drop table paid_lines")
        con.execute("drop table paid_payrolls")
        con.execute("delete from schema_migrations where version = 7")
    con.close()
    before = db_snapshot(db)
    _read_everything(str(db))
    assert db_snapshot(db) == before  # no migration kept, no run, no decision, no checkpoint
    assert sorted(p.name for p in tmp_path.iterdir()) == ["older.db"]


def test_a_read_only_history_file_can_be_read(history_db: str, tmp_path: Path) -> None:
    if "://" in history_db:
        pytest.skip("a SQLite file's permissions")
    db = tmp_path / "read-only.db"
    db.write_bytes(Path(history_db).read_bytes())
    db.chmod(0o444)
    before = db_snapshot(db)
    with cslevel.open_history(db) as history:  # a Path is taken too
        assert len(history.levels()) == 452
    assert db_snapshot(db) == before


def test_reading_changes_no_table(history_db: str) -> None:
    """On either backend: no run, decision, checkpoint or migration recorded."""
    from pg_helpers import tables

    before = tables(history_db)
    assert before["runs"] and before["decisions"] and before["schema_migrations"]
    _read_everything(history_db)
    assert tables(history_db) == before


# --- opening, closing, errors ----------------------------------------------------------------
def test_closed_history_refuses(history_db: str) -> None:
    history = cslevel.open_history(history_db)
    assert not history.closed
    history.close()
    with pytest.raises(ValueError) as caught:
        history.levels()
    assert str(caught.value) == "此历史数据库已关闭；请用 cslevel.open_history 重新打开"
    with cslevel.open_history(history_db) as again:
        pass
    assert again.closed


def test_no_history_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CslevelError) as caught:
        cslevel.open_history(tmp_path / "none.db")
    assert str(caught.value) == (
        f"{tmp_path / 'none.db'} 处没有历史数据库 — 请先运行 `cslevel score`，或用 --db / "
        "CSLEVEL_DB 指向该数据库。")
    assert not (tmp_path / "none.db").exists()


def test_a_month_outside_the_history_is_a_clear_error(frames: cslevel.HistoryFrames) -> None:
    with pytest.raises(CslevelError) as caught:
        frames.payroll("2027-03")
    assert [p.message for p in caught.value.problems] == [
        "2027-02 还没有分数：尚不能确定 2027-03 适用的级别"]
    with pytest.raises(ValueError) as bad:
        frames.payroll("2026-13")
    assert str(bad.value) == "不是月份：'2026-13'（应为 YYYY-MM，例如 2026-10）"


def test_import_cslevel_loads_neither_pandas_nor_sqlalchemy() -> None:
    code = ("import sys, cslevel, cslevel.cli\n"
            "heavy = lambda: sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pandas', 'sqlalchemy'))\n"
            "print(heavy())\n"
            "assert callable(cslevel.open_history) and 'open_history' in dir(cslevel)\n"
            "print(sorted({m.split('.')[0] for m in heavy()}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines() == ["[]", "['pandas']"]
    with pytest.raises(AttributeError):
        cslevel.no_such_name  # noqa: B018  (the attribute looked up is the test)


# --- a payroll that carries corrections of a paid month ---------------------------------
def test_payroll_carries_corrections_as_export_does(db_url: str, tmp_path: Path, cli) -> None:
    """2026-05 locked (its payroll 2026-06 paid), reopened and scored again with 0001's score
    lower: the payroll of 2026-07 carries 0001's 扣回, in the frame as in the export."""
    from cs_helpers import kpi

    def month_file(month: str, first: str) -> str:
        path = kpi(tmp_path / f"kpi_{month}.xlsx", [["0001", "甲", "一组", first],
                                                    ["0002", "乙", "一组", "100"]])
        return str(path)

    for m in range(1, 7):
        assert cli("score", month_file(f"2026-{m:02d}", "120"), "--scheme", "star",
                   "--db", db_url)[0] == 0
    assert cli("lock", "2026-05", "--db", db_url)[0] == 0
    assert cli("reopen", "2026-05", "--reason", "KPI 更正", "--db", db_url)[0] == 0
    (tmp_path / "kpi_2026-05.xlsx").unlink()
    assert cli("score", month_file("2026-05", "90"), "--db", db_url)[0] == 0
    with cslevel.open_history(db_url) as history:
        payroll = history.payroll("2026-07")
    code, out, err = cli("payroll", "export", "--month", "2026-07", "--out",
                         str(tmp_path / "p.xlsx"), "--db", db_url, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [c["agent_id"] for c in doc["corrections"]] == ["0001"]
    components = list(doc["rows"][0]["components"])
    assert components[-1] == "补发/扣回"
    assert list(payroll.columns)[5:-4] == components
    # a line without corrections has no 补发/扣回 in the export; 0.00 in the frame
    assert [{c: str(v) for c, v in r.items() if c in components} | {"total": str(r["total"])}
            for r in payroll.to_dict("records")] == [
        {"补发/扣回": "0.00", **r["components"], "total": r["total"]} for r in doc["rows"]]
    assert payroll["补发/扣回"].tolist() == [Decimal(doc["corrections"][0]["difference"]),
                                          Decimal("0.00")]
