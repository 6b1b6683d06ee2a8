"""Checkpoints (cslevel.checkpoints): a month's run replays the promotion rule from where each
agent stood at the close of an earlier month instead of from the first stored month. What it
derives must be exactly what a full replay derives; a checkpoint that no longer holds (a
month up to it scored again, a changed record, template or window, decisions not confirmed)
is not used."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cslevel import checkpoints
from cslevel.pipeline import derive
from cslevel.records import Agent, Month, Score
from cslevel.rules import Checkpoint, replay, replay_keeping
from cslevel.store import open_history
from cslevel.templates import Scheme, load_scheme

STAR, _ = load_scheme("star")
JAN = Month(2026, 1)
LADDER = ["一星", "二星", "三星", "四星", "五星"]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

SCORES = st.one_of(st.none(), st.sampled_from(["109.99", "110", "60", "79.99", "100"]),
                   st.decimals(min_value=0, max_value=200, places=2, allow_nan=False,
                               allow_infinity=False).map(str))


def _scheme(missing: str, block: bool) -> Scheme:
    return STAR.model_copy(update={"promotion": STAR.promotion.model_copy(
        update={"missing_month": missing, "block_column": block})})


# --- the rule: resumed from a checkpoint = the tail of a full replay --------------------------
@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from([None, "试用", *LADDER]), window=st.integers(1, 4),
       scores=st.lists(SCORES, min_size=1, max_size=20), cut=st.integers(0, 24),
       hired=st.one_of(st.none(), st.integers(-3, 2)), left=st.one_of(st.none(),
                                                                       st.integers(0, 22)),
       first=st.integers(0, 3), missing=st.sampled_from(["break", "skip"]),
       blocked=st.sets(st.integers(0, 19), max_size=4), block=st.booleans())
def test_a_replay_from_a_checkpoint_is_the_tail_of_the_full_replay(
        start, window, scores, cut, hired, left, first, missing, blocked, block) -> None:
    scheme = _scheme(missing, block)
    first_month = JAN + first
    agent = Agent("0001", "甲", "一组", "",
                  (first_month + hired).first_day() if hired is not None else None,
                  (first_month + left).first_day() if left is not None else None,
                  None if start == "试用" else start, first_month, True)
    if start == "试用":
        agent = Agent(**{**agent.__dict__, "start_level": STAR.trial_level})
    by_month = {first_month + i: Score("0001", first_month + i, Decimal(v),
                                       discipline_block=i in blocked)
                for i, v in enumerate(scores) if v is not None}
    through = first_month + (len(scores) - 1)
    at = JAN + (cut - 1)  # the checkpoint's month: before, within or after the agent's months
    full, level, kept = replay_keeping(agent, by_month, scheme, through, window, keep=at)
    if agent.first_month > at + 1:
        assert kept is None  # the agent starts later: replayed from its first month
        return
    assert kept is not None  # (starting the month after: the opening state)
    carried = Checkpoint(at, json.loads(json.dumps(kept.carry)))  # as stored: JSON
    tail, level_after = replay(agent, by_month, scheme, through, window, start=carried)
    assert tail == [s for s in full if s.month > at]
    assert level_after == level


WEIGHTED, _ = load_scheme("weighted")
ROLLING = WEIGHTED.model_copy(update={"promotion": WEIGHTED.promotion.model_copy(
    update={"review_months": []})})
POINTS, _ = load_scheme("points")


@settings(max_examples=200, deadline=None)
@given(scheme=st.sampled_from([WEIGHTED, ROLLING, POINTS]), start=st.integers(0, 7),
       window=st.integers(1, 4), scores=st.lists(
           st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1,
                                            allow_nan=False, allow_infinity=False)),
           min_size=1, max_size=20),
       cut=st.integers(0, 24), left=st.one_of(st.none(), st.integers(0, 22)),
       first=st.integers(0, 3))
def test_the_other_resumable_rules_go_on_from_a_checkpoint_as_a_full_replay(
        scheme, start, window, scores, cut, left, first) -> None:
    """The review-window rule (with calendar or rolling reviews, probation) and the
    score-bands rule: the same property as the streak rule's."""
    levels = scheme.level_names
    first_month = JAN + first
    agent = Agent("0001", "甲", "一组", "", None,
                  (first_month + left).first_day() if left is not None else None,
                  levels[start % len(levels)], first_month, True)
    by_month = {first_month + i: Score("0001", first_month + i, v)
                for i, v in enumerate(scores) if v is not None}
    through = first_month + (len(scores) - 1)
    at = JAN + (cut - 1)
    full, level, kept = replay_keeping(agent, by_month, scheme, through, window, keep=at)
    if agent.first_month > at + 1:
        assert kept is None
        return
    assert kept is not None
    carried = Checkpoint(at, json.loads(json.dumps(kept.carry)))
    tail, level_after = replay(agent, by_month, scheme, through, window, start=carried)
    assert tail == [s for s in full if s.month > at]
    assert level_after == level


def test_probation_goes_on_past_a_checkpoint() -> None:
    """A review at the checkpoint's month that puts the agent on probation: the month after
    is on probation (and flagged under 50) from the checkpoint as in the full replay."""
    agent = Agent("0001", "甲", "一组", "", None, None, WEIGHTED.level_names[3], JAN, True)
    by_month = {JAN + i: Score("0001", JAN + i, Decimal(v))
                for i, v in enumerate(["40", "40", "40", "30", "90"])}
    full, level, kept = replay_keeping(agent, by_month, WEIGHTED, JAN + 4, keep=JAN + 2)
    assert kept == Checkpoint(JAN + 2, [WEIGHTED.level_names[2], "2026-04"])
    assert full[3].probation and full[3].flags == ("dismissal_review",)
    tail, level_after = replay(agent, by_month, WEIGHTED, JAN + 4, start=kept)
    assert tail == full[3:] and level_after == level


def test_the_carry_of_a_streak() -> None:
    agent = Agent("0001", "甲", "一组", "", None, None, "二星", JAN, True)
    by_month = {JAN + i: Score("0001", JAN + i, Decimal(v))
                for i, v in enumerate(["120", "111", "100", "60", "70"])}
    _states, _level, kept = replay_keeping(agent, by_month, STAR, JAN + 4, keep=JAN + 1)
    assert kept == Checkpoint(JAN + 1, ["二星", ["2026-01", "2026-02"], [], 2, 0])
    # after the last month: its close
    _states, _level, kept = replay_keeping(agent, by_month, STAR, JAN + 3, keep=JAN + 4)
    assert kept == Checkpoint(JAN + 4, ["二星", [], ["2026-03", "2026-04"], 0, 2])
    # three months under 110: demoted, the streaks start again
    _states, _level, kept = replay_keeping(agent, by_month, STAR, JAN + 4, keep=JAN + 4)
    assert kept == Checkpoint(JAN + 4, ["一星", [], [], 0, 0])


# --- the month's run: the same outputs and decisions with and without checkpoints ------------
def _workspace(tmp_path: Path, cli, name: str) -> Path:
    code, _out, err = cli("init", name)
    assert code == 0, err
    ws = tmp_path / name
    for month in range(1, 13):
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_2026-{month:02d}.xlsx", ws / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", ws / "input")
    return ws


def _run_months(cli, config: Path, months: int) -> None:
    """`cslevel run` of 2026-01 .. the given number of months."""
    for month in range(1, months + 1):
        code, _out, err = cli("run", "--month", f"2026-{month:02d}", "--config", str(config))
        assert code == 0, err


def _decisions(ws: Path) -> list:
    with open_history(str(ws / "cslevel.db"), write=False) as history:
        return history.decisions()


def _checkpoints_used(monkeypatch) -> list[Month]:
    """The months of the checkpoints that derivations went on from, as they happen."""
    used: list[Month] = []
    load = checkpoints.load

    def spy(*args, **kwargs):
        found = load(*args, **kwargs)
        if found is not None:
            used.append(found[0])
        return found

    monkeypatch.setattr(checkpoints, "load", spy)
    return used


def test_month_runs_give_the_same_with_checkpoints(tmp_path: Path, cli, monkeypatch) -> None:
    used = _checkpoints_used(monkeypatch)
    folders = {}
    for name, usable in (("full", False), ("checkpoints", True)):
        monkeypatch.setattr(checkpoints, "usable", lambda scheme, on=usable: on)
        ws = _workspace(tmp_path, cli, name)
        _run_months(cli, ws / "cslevel.toml", 12)
        folders[name] = ({p.name: p.read_bytes() for p in sorted((ws / "output").iterdir())},
                         _decisions(ws))
        if name == "full":
            assert used == []
    # from February on, each month's run went on from the close of the month before last
    # (February's from December: every agent's opening state)
    assert used == [Month(2025, 12) + i for i in range(11)]
    assert len(folders["checkpoints"][0]) == 36
    assert folders["checkpoints"] == folders["full"]


# --- when a checkpoint is not used ------------------------------------------------------------
def _history_with_checkpoint(tmp_path: Path, cli) -> str:
    """Six months scored and promoted with `cslevel run`: checkpoints at the close of April."""
    ws = _workspace(tmp_path, cli, "ws")
    _run_months(cli, ws / "cslevel.toml", 6)
    return str(ws / "cslevel.db")


JUNE = Month(2026, 6)


def _load(db: str, needed: Month = JUNE, window: int = 3,
          scheme: Scheme = STAR) -> tuple[Month, dict] | None:
    with open_history(db, write=False) as history:
        return checkpoints.load(history, scheme, window, history.agents(), needed)


def test_checkpoints_are_kept_at_the_close_of_the_month_before_last(tmp_path: Path,
                                                                    cli) -> None:
    db = _history_with_checkpoint(tmp_path, cli)
    got = _load(db)
    assert got is not None
    month, start = got
    assert month == Month(2026, 5)
    with open_history(db, write=False) as history:
        agents = history.agents()
    assert set(start) == {a for a, agent in agents.items()
                          if agent.first_month is not None and agent.first_month <= month}
    assert _load(db, needed=Month(2026, 5)) is None  # a state of May itself is needed
    assert _load(db, window=2) is None  # another review window
    assert _load(db, scheme=_scheme("skip", True)) is None  # another template


def test_re_scoring_a_month_up_to_the_checkpoint_drops_it(tmp_path: Path, cli) -> None:
    db = _history_with_checkpoint(tmp_path, cli)
    with open_history(db) as history:
        history.add_scores(Month(2026, 7), [Score("0001", Month(2026, 7), Decimal(100))])
        assert history.checkpoints() is not None  # a later month: the checkpoint holds
        history.clear_month(Month(2026, 5))
        assert history.checkpoints() is None
    assert _load(db) is None


def test_a_changed_record_or_unconfirmed_decisions_are_not_gone_on_from(tmp_path: Path,
                                                                        cli) -> None:
    db = _history_with_checkpoint(tmp_path, cli)
    with open_history(db, write=False) as history:
        agents = history.agents()
        month, _start = checkpoints.load(history, STAR, 3, agents, Month(2026, 6))
        someone = next(a for a in agents.values() if a.first_month == JAN)
        moved = {**agents, someone.agent_id: Agent(**{**someone.__dict__,
                                                      "hire_date": date(2025, 12, 1)})}
        assert checkpoints.load(history, STAR, 3, moved, Month(2026, 6)) is None
        # leaving after the checkpoint's month does not touch what it carries; before does
        later = {**agents, someone.agent_id: Agent(**{**someone.__dict__,
                                                      "leave_date": date(2026, 6, 10)})}
        assert checkpoints.load(history, STAR, 3, later, Month(2026, 6)) is not None
        earlier = {**agents, someone.agent_id: Agent(**{**someone.__dict__,
                                                        "leave_date": date(2026, 3, 10)})}
        assert checkpoints.load(history, STAR, 3, earlier, Month(2026, 6)) is None
        # an agent scored by then but not carried
        stranger = Agent("X999", "乙", "一组", "", None, None, None, Month(2026, 2), True)
        assert checkpoints.load(history, STAR, 3, {**agents, "X999": stranger},
                                Month(2026, 6)) is None
        newcomer = Agent("X998", "丙", "一组", "", None, None, None, Month(2026, 6), True)
        assert checkpoints.load(history, STAR, 3, {**agents, "X998": newcomer},
                                Month(2026, 6)) is not None
        history.set_setting("promoted_through", str(month - 1))
        assert checkpoints.load(history, STAR, 3, agents, Month(2026, 6)) is None


def test_a_dry_run_keeps_no_checkpoint(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    with open_history(db) as history:
        history.add_scores(JAN, [Score("0001", JAN, Decimal(100))])
        history.save_agents([(Agent("0001", "甲", "一组", "", None, None, None, JAN, True),
                              False)])
    with open_history(db, write=False) as history:
        assert checkpoints.keep_month(history, STAR, JAN + 2) is None
    with open_history(db) as history:
        derived = derive.derive(history, STAR, JAN + 2, 3)
        assert derived.since is None
        assert history.checkpoints() is None  # kept only with the decisions they go with
        derive.record_decisions(history, JAN + 2, derive.decisions_found(derived),
                                   derived)
        assert history.checkpoints() is not None
        assert history.checkpoints()[0] == JAN + 1
        assert history.setting("promoted_through") == "2026-03"


def test_a_record_changed_by_a_score_alone_is_derived_again_at_the_next_promote(
        tmp_path: Path, cli, monkeypatch) -> None:
    """A score run (no promote) with a corrected roster (a leave date before the checkpoint)
    derives everything again and keeps no checkpoint: the next promote records the
    decisions of the corrected record, the same as without checkpoints."""
    import openpyxl

    recorded = {}
    for name, on in (("full", False), ("checkpoints", True)):
        monkeypatch.setattr(checkpoints, "usable", lambda scheme, on=on: on)
        ws = _workspace(tmp_path, cli, name)
        _run_months(cli, ws / "cslevel.toml", 6)
        before = [d for d in _decisions(ws) if d.agent_id == "0028"]
        assert [(d.decided, d.from_level, d.to_level) for d in before] == [
            (Month(2026, 3), "二星", "三星"), (Month(2026, 6), "三星", "二星")]
        roster = ws / "input" / "roster.xlsx"
        book = openpyxl.load_workbook(roster)
        row = next(r for r in book.active.iter_rows() if r[0].value == "0028")
        row[5].value = date(2026, 3, 10)  # 0028 left in March (the roster was late)
        book.save(roster)
        db = str(ws / "cslevel.db")
        code, _out, err = cli("score", str(ws / "input" / "kpi_2026-07.xlsx"), "--attendance",
                              str(ws / "input" / "att_2026-07.xlsx"), "--roster", str(roster),
                              "--scheme", "star", "--db", db, "--out", str(tmp_path / name))
        assert code == 0, err
        code, _out, err = cli("promote", "--db", db)
        assert code == 0, err
        recorded[name] = _decisions(ws)
        # no move in the month of leaving, and none after it
        assert [d for d in recorded[name] if d.agent_id == "0028"] == []
    assert recorded["checkpoints"] == recorded["full"]


def test_on_postgresql_too(tmp_path: Path, cli, monkeypatch, pg_url: str) -> None:
    """Runs on a PostgreSQL history going on from checkpoints write what runs replaying
    everything on SQLite write, and record the same decisions."""
    used = _checkpoints_used(monkeypatch)
    got = {}
    for name, url, on in (("lite", "cslevel.db", False), ("pg", pg_url, True)):
        monkeypatch.setattr(checkpoints, "usable", lambda scheme, on=on: on)
        ws = _workspace(tmp_path, cli, name)
        config = ws / "cslevel.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            'url = "cslevel.db"', f'url = "{url}"'), encoding="utf-8")
        _run_months(cli, config, 6)
        with open_history(url if name == "pg" else str(ws / "cslevel.db"),
                          write=False) as history:
            got[name] = ({p.name: p.read_bytes() for p in sorted((ws / "output").iterdir())},
                         history.decisions(), history.checkpoints() is not None)
    assert used == [Month(2025, 12) + i for i in range(5)]  # the PostgreSQL runs went on
    # from checkpoints (February's to June's); the SQLite ones replayed every month
    assert got["pg"][2] and not got["lite"][2]
    assert got["pg"][:2] == got["lite"][:2]


def test_checkpoints_that_no_longer_hold_are_made_again(tmp_path: Path, cli) -> None:
    """A corrected record makes the checkpoints of May unusable; the next promote, replaying
    everything, keeps new ones of the same month that go with the corrected record."""
    db = _history_with_checkpoint(tmp_path, cli)
    with open_history(db) as history:
        someone = next(a for a in history.agents().values() if a.first_month == JAN)
        history.save_agents([(Agent(**{**someone.__dict__, "hire_date": date(2025, 11, 3)}),
                              True)])
    assert _load(db) is None
    code, _out, err = cli("promote", "--db", db)
    assert code == 0, err
    got = _load(db)
    assert got is not None and got[0] == Month(2026, 5)


def test_checkpoints_not_as_written_are_not_used(tmp_path: Path, cli) -> None:
    db = _history_with_checkpoint(tmp_path, cli)
    with open_history(db, write=False) as history:
        month, text = history.checkpoints()
    saved = json.loads(text)
    someone = next(iter(saved["agents"]))
    for broken in ("not json", "[]", json.dumps({**saved, "agents": []}),
                   json.dumps({**saved, "agents": {**saved["agents"], someone: "x"}}),
                   json.dumps({**saved, "agents": {**saved["agents"], someone: [[], None]}})):
        with open_history(db) as history:
            history.set_checkpoints(month, broken)
        assert _load(db) is None
    with open_history(db) as history:
        history.set_checkpoints(month, text)
    assert _load(db) is not None


def test_a_checkpoint_goes_in_and_a_new_one_comes_out() -> None:
    """The replay never changes a checkpoint it is given (a checkpoint is frozen): going on
    from the same one twice gives the same states, and it holds what it held."""
    import copy
    import dataclasses

    import pytest

    agent = Agent("0001", "甲", "一组", "", None, None, "二星", JAN, True)
    by_month = {JAN + i: Score("0001", JAN + i, Decimal(v))
                for i, v in enumerate(["120", "111", "115", "60", "70", "65"])}
    _states, _level, kept = replay_keeping(agent, by_month, STAR, JAN + 5, keep=JAN + 1)
    assert kept is not None
    before = copy.deepcopy(kept)
    first = replay(agent, by_month, STAR, JAN + 5, start=kept)
    assert replay(agent, by_month, STAR, JAN + 5, start=kept) == first
    assert kept == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        kept.carry = None  # type: ignore[misc]
