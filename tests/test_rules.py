"""The streak rule (star scheme), table-driven, calling `cslevel.rules.replay` directly.

Each row: start level, monthly scores from 2026-01 (None = no score that month), the expected
level in force month by month, and the expected level in force the month after the last.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import Scheme, load_scheme

STAR, _ = load_scheme("star")
JAN = Month(2026, 1)
LADDER = ["一星", "二星", "三星", "四星", "五星"]


def scheme_with(**promotion: object) -> Scheme:
    return STAR.model_copy(update={"promotion": STAR.promotion.model_copy(update=promotion)})


def run(start: str | None, scores: list[float | str | None], *, scheme: Scheme = STAR,
        window: int | None = None, hire: date | None = None, blocked: tuple[int, ...] = (),
        first: Month = JAN):
    agent = Agent("0001", "甲", "一组", "", hire, None, start, first, True)
    by_month = {}
    for i, value in enumerate(scores):
        if value is not None:
            month = first + i
            by_month[month] = Score("0001", month, Decimal(str(value)),
                                    discipline_block=i in blocked)
    through = first + (len(scores) - 1)
    states, next_level = replay(agent, by_month, scheme, through, window)
    return states, next_level


def levels(states) -> list[str]:
    return [s.level for s in states]


def p(level: str, n: int) -> list[str]:
    return [level] * n


# (id, start level, scores, expected level path, expected next level)
CASES = [
    # thresholds: 110 counts as up (含), 109.99 counts as down (不含)
    ("110-is-up", "二星", [110, 110, 110], p("二星", 3), "三星"),
    ("110.00-is-up", "二星", ["110.00", "110.00", "110.00"], p("二星", 3), "三星"),
    ("109.99-is-down", "二星", [109.99, 109.99, 109.99], p("二星", 3), "一星"),
    ("109.99-breaks-up-streak", "二星", [120, 120, 109.99, 120, 120], p("二星", 5), "二星"),
    ("110-breaks-down-streak", "二星", [100, 100, 110, 100, 100], p("二星", 5), "二星"),
    ("two-months-are-not-enough", "二星", [130, 130], p("二星", 2), "二星"),
    # a month without a score breaks every streak
    ("missing-breaks-up", "二星", [120, 120, None, 120, 120], p("二星", 5), "二星"),
    ("missing-then-new-up-streak", "二星", [120, 120, None, 120, 120, 120], p("二星", 6), "三星"),
    ("missing-breaks-down", "三星", [100, 100, None, 100, 100], p("三星", 5), "三星"),
    ("missing-then-new-down-streak", "三星", [100, None, 100, 100, 100], p("三星", 5), "二星"),
    # after any move the streak starts again from zero
    ("restart-after-up-5", "二星", [120] * 5, p("二星", 3) + p("三星", 2), "三星"),
    ("restart-after-up-6", "二星", [120] * 6, p("二星", 3) + p("三星", 3), "四星"),
    ("up-then-down", "二星", [120, 120, 120, 100, 100, 100], p("二星", 3) + p("三星", 3), "二星"),
    ("restart-after-down-5", "三星", [100] * 5, p("三星", 3) + p("二星", 2), "二星"),
    ("down-twice", "三星", [100] * 6, p("三星", 3) + p("二星", 3), "一星"),
    ("nine-months-up", "一星", [120] * 9, p("一星", 3) + p("二星", 3) + p("三星", 3), "四星"),
    # no move above the top or below the first regular star
    ("top-stays", "五星", [150] * 4, p("五星", 4), "五星"),
    ("top-then-down", "五星", [120, 120, 120, 100, 100, 100], p("五星", 6), "四星"),
    ("four-to-top", "四星", [120] * 6, p("四星", 3) + p("五星", 3), "五星"),
    ("floor-stays", "一星", [50] * 6, p("一星", 6), "一星"),
    ("floor-then-up", "一星", [50, 50, 50, 120, 120, 120], p("一星", 6), "二星"),
    ("two-down-to-floor-and-stay", "二星", [60] * 9, p("二星", 3) + p("一星", 6), "一星"),
]


@pytest.mark.parametrize(("start", "scores", "path", "nxt"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_streak_table(start: str, scores: list, path: list[str], nxt: str) -> None:
    states, next_level = run(start, scores)
    assert [s.month for s in states] == [JAN + i for i in range(len(scores))]
    assert levels(states) == path
    assert next_level == nxt
    for state in states:
        assert state.in_trial is False


def test_110_decision_record() -> None:
    states, next_level = run("二星", [110, "110.00", 125])
    assert [s.up_streak for s in states] == [1, 2, 3]
    assert [s.down_streak for s in states] == [0, 0, 0]
    assert [s.counted for s in states] == [True, True, True]
    assert [s.decision for s in states[:2]] == [None, None]
    decision = states[2].decision
    assert decision is not None
    assert (decision.kind, decision.rule, decision.from_level, decision.to_level) == (
        "promote", "streak_up", "二星", "三星")
    assert (decision.decided, decision.effective) == (Month(2026, 3), Month(2026, 4))
    assert decision.trigger_months == (Month(2026, 1), Month(2026, 2), Month(2026, 3))
    assert decision.reason == ("连续3个月绩效≥110%（2026-01 110、2026-02 110、2026-03 125），"
                               "2026-04起晋升为三星")
    assert next_level == "三星"


def test_109_99_decision_record() -> None:
    states, next_level = run("二星", [109.99, 100, "109.9"])
    assert [s.down_streak for s in states] == [1, 2, 3]
    assert [s.up_streak for s in states] == [0, 0, 0]
    decision = states[2].decision
    assert decision is not None
    assert (decision.kind, decision.rule, decision.from_level, decision.to_level) == (
        "demote", "streak_down", "二星", "一星")
    assert decision.effective == Month(2026, 4)
    assert decision.reason == ("连续3个月绩效<110%（2026-01 109.99、2026-02 100、2026-03 109.9），"
                               "2026-04起降为一星")
    assert next_level == "一星"


def test_missing_month_state() -> None:
    states, _ = run("二星", [120, 120, None, 120])
    gap = states[2]
    assert (gap.score, gap.counted, gap.up_streak, gap.down_streak, gap.decision) == (
        None, False, 0, 0, None)
    assert gap.note == "本月无成绩，连续计数重新开始"
    assert [s.up_streak for s in states] == [1, 2, 0, 1]


def test_streak_restarts_after_move_counts() -> None:
    states, _ = run("二星", [120] * 5)
    assert [s.up_streak for s in states] == [1, 2, 3, 1, 2]
    assert [bool(s.decision) for s in states] == [False, False, True, False, False]


def test_top_level_note() -> None:
    states, next_level = run("五星", [120, 120, 120])
    assert states[2].decision is None
    assert states[2].note == "已是最高级五星，不再晋升"
    assert next_level == "五星"


def test_floor_level_note() -> None:
    states, next_level = run("一星", [100, 100, 100])
    assert states[2].decision is None
    assert states[2].note == "已是最低星级一星，不再降级"
    assert next_level == "一星"


# --- trial ----------------------------------------------------------------------------
TRIAL_CASES = [
    # hired 2026-01-10: 01, 02, 03 are trial months; 04 is the first regular month at 一星
    ("trial-then-up", [120] * 6, p("试用", 3) + p("一星", 3), "二星"),
    ("trial-months-not-counted", [120] * 5, p("试用", 3) + p("一星", 2), "一星"),
    ("trial-low-scores-no-demotion", [50] * 3, p("试用", 3), "一星"),
    ("after-trial-never-back-to-trial", [50] * 9, p("试用", 3) + p("一星", 6), "一星"),
    ("trial-missing-months", [None, None, None, 120, 120, 120], p("试用", 3) + p("一星", 3),
     "二星"),
]


@pytest.mark.parametrize(("scores", "path", "nxt"), [c[1:] for c in TRIAL_CASES],
                         ids=[c[0] for c in TRIAL_CASES])
def test_trial_table(scores: list, path: list[str], nxt: str) -> None:
    states, next_level = run(None, scores, hire=date(2026, 1, 10))
    assert levels(states) == path
    assert next_level == nxt
    assert [s.in_trial for s in states] == [i < 3 for i in range(len(scores))]
    assert all(not s.counted and s.up_streak == 0 and s.down_streak == 0 for s in states[:3])


def test_trial_end_decision() -> None:
    states, _ = run(None, [120, 120, 120, 120], hire=date(2026, 1, 10))
    assert [bool(s.decision) for s in states] == [False, False, True, False]
    decision = states[2].decision
    assert (decision.kind, decision.rule, decision.from_level, decision.to_level) == (
        "trial_end", "trial_end", "试用", "一星")
    assert (decision.decided, decision.effective) == (Month(2026, 3), Month(2026, 4))
    assert states[3].up_streak == 1  # the first regular month starts the count at one


def test_trial_counts_from_hire_month_not_first_scored_month() -> None:
    # hired in 2025-12, first seen in 2026-01: only 01 and 02 are left of the trial
    states, next_level = run(None, [120] * 5, hire=date(2025, 12, 20))
    assert levels(states) == p("试用", 2) + p("一星", 3)
    assert next_level == "二星"


def test_trial_start_level_without_hire_date() -> None:
    states, next_level = run("试用", [120] * 4)
    assert levels(states) == p("试用", 3) + ["一星"]
    assert next_level == "一星"


def test_regular_start_level_ignores_hire_date() -> None:
    # an agent entering the history with a current level starts there, no trial
    states, next_level = run("三星", [120] * 3, hire=date(2026, 1, 5))
    assert levels(states) == p("三星", 3)
    assert next_level == "四星"


# --- window override --------------------------------------------------------------------
WINDOW_CASES = [
    (2, "二星", [120, 120], p("二星", 2), "三星"),
    (2, "二星", [120] * 4, p("二星", 2) + p("三星", 2), "四星"),
    (2, "二星", [120, None, 120], p("二星", 3), "二星"),
    (2, "二星", [100, 100, 100], p("二星", 2) + ["一星"], "一星"),
    (4, "二星", [120] * 3, p("二星", 3), "二星"),
    (4, "二星", [120] * 4, p("二星", 4), "三星"),
    (4, "二星", [120] * 7, p("二星", 4) + p("三星", 3), "三星"),
    (4, "二星", [120, 120, 120, 109.99, 120, 120, 120, 120], p("二星", 8), "三星"),
    (4, "三星", [100] * 4, p("三星", 4), "二星"),
]


@pytest.mark.parametrize(("window", "start", "scores", "path", "nxt"), WINDOW_CASES)
def test_window_override(window: int, start: str, scores: list, path: list[str], nxt: str) -> None:
    states, next_level = run(start, scores, window=window)
    assert levels(states) == path
    assert next_level == nxt
    for state in states:
        if state.decision:
            assert len(state.decision.trigger_months) == window


def test_window_from_template_variant() -> None:
    states, next_level = run("二星", [120, 120], scheme=scheme_with(window=2))
    assert next_level == "三星"
    assert states[1].decision.reason.startswith("连续2个月绩效≥110%")


# --- discipline flag --------------------------------------------------------------------
def test_discipline_flag_blocks_promotion() -> None:
    states, next_level = run("二星", [120, 120, 120], blocked=(1,))
    assert levels(states) == p("二星", 3)
    assert next_level == "二星"
    assert states[2].decision is None
    assert states[2].note == "违纪标记，暂不晋升（2026-02）"


@pytest.mark.parametrize("blocked", [(0,), (2,), (0, 1, 2)])
def test_discipline_flag_in_any_streak_month_blocks(blocked: tuple[int, ...]) -> None:
    _, next_level = run("二星", [120, 120, 120], blocked=blocked)
    assert next_level == "二星"


def test_discipline_flag_outside_the_streak_does_not_block() -> None:
    # the flag is on a month below the line, before the streak
    _, next_level = run("二星", [100, 120, 120, 120], blocked=(0,))
    assert next_level == "三星"


def test_discipline_flag_does_not_block_demotion() -> None:
    _, next_level = run("二星", [100, 100, 100], blocked=(0, 1, 2))
    assert next_level == "一星"


def test_block_column_off_ignores_flag() -> None:
    _, next_level = run("二星", [120, 120, 120], blocked=(1,),
                        scheme=scheme_with(block_column=False))
    assert next_level == "三星"


# --- independent thresholds ------------------------------------------------------------
SPLIT = scheme_with(down_threshold=Decimal(90))
SPLIT_CASES = [
    ("100-neither-up-nor-down", "二星", [100] * 6, p("二星", 6), "二星"),
    ("100-breaks-up", "二星", [120, 120, 100, 120, 120], p("二星", 5), "二星"),
    ("100-breaks-down", "二星", [80, 80, 100, 80, 80], p("二星", 5), "二星"),
    ("below-90-down", "二星", [80, 80, 80], p("二星", 3), "一星"),
    ("89.99-down", "二星", [89.99, 89.99, 89.99], p("二星", 3), "一星"),
    ("90-is-not-down", "二星", [90, 90, 90], p("二星", 3), "二星"),
    ("110-still-up", "二星", [110, 110, 110], p("二星", 3), "三星"),
]


@pytest.mark.parametrize(("start", "scores", "path", "nxt"),
                         [c[1:] for c in SPLIT_CASES], ids=[c[0] for c in SPLIT_CASES])
def test_independent_thresholds(start: str, scores: list, path: list[str], nxt: str) -> None:
    states, next_level = run(start, scores, scheme=SPLIT)
    assert levels(states) == path
    assert next_level == nxt


def test_independent_thresholds_from_yaml_file(tmp_path: Path) -> None:
    from cslevel.templates import shipped_templates_dir

    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    assert "  down_threshold: 110 " in text
    path = tmp_path / "star90.yaml"
    path.write_text(text.replace("  down_threshold: 110 ", "  down_threshold: 90 "),
                    encoding="utf-8")
    scheme, _ = load_scheme(str(path))
    assert (scheme.promotion.up_threshold, scheme.promotion.down_threshold) == (110, 90)
    _, next_level = run("二星", [120, 120, 100, 120, 120], scheme=scheme)
    assert next_level == "二星"
    states, next_level = run("二星", [100, 100, 100], scheme=scheme)
    assert [s.up_streak for s in states] == [0, 0, 0]
    assert [s.down_streak for s in states] == [0, 0, 0]
    assert next_level == "二星"
    states, next_level = run("二星", [85, 85, 85], scheme=scheme)
    assert states[2].decision.reason == ("连续3个月绩效<90%（2026-01 85、2026-02 85、2026-03 85），"
                                         "2026-04起降为一星")
    assert next_level == "一星"


def test_missing_month_skip_variant() -> None:
    skip = scheme_with(missing_month="skip")
    states, next_level = run("二星", [120, 120, None, 120], scheme=skip)
    assert levels(states) == p("二星", 4)
    assert next_level == "三星"
    assert states[3].decision.trigger_months == (Month(2026, 1), Month(2026, 2), Month(2026, 4))


# --- property: any score sequence -----------------------------------------------------
SCORE_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["109.99", "110", "110.00", "110.01", "50", "150"]),
    st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False)
    .map(str),
)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(LADDER), window=st.integers(min_value=1, max_value=4),
       scores=st.lists(SCORE_VALUES, min_size=1, max_size=24))
def test_property_ladder_and_windows(start: str, window: int, scores: list) -> None:
    states, next_level = run(start, scores, window=window)
    up, down = STAR.promotion.up_threshold, STAR.promotion.down_threshold
    values = {JAN + i: (None if v is None else Decimal(v)) for i, v in enumerate(scores)}

    assert len(states) == len(scores)
    assert all(s.level in LADDER for s in states)
    assert next_level in LADDER
    level_after = [s.level for s in states[1:]] + [next_level]
    last_move: Month | None = None
    for index, state in enumerate(states):
        month = state.month
        decision = state.decision
        # a move is never missed: a full qualifying window since the previous move moves
        tail = [month + (k - window + 1) for k in range(window)]
        fresh = tail[0] >= JAN and (last_move is None or tail[0] > last_move)
        if fresh and all(values.get(m) is not None for m in tail):
            if all(values[m] >= up for m in tail) and state.level != LADDER[-1]:
                assert decision is not None and decision.kind == "promote"
            if all(values[m] < down for m in tail) and state.level != LADDER[0]:
                assert decision is not None and decision.kind == "demote"
        # a level changes only by a decision, one step, in force the next month
        if decision is None:
            assert level_after[index] == state.level
            continue
        step = 1 if decision.kind == "promote" else -1
        assert decision.kind in ("promote", "demote")
        assert decision.from_level == state.level
        assert LADDER.index(decision.to_level) == LADDER.index(state.level) + step
        assert level_after[index] == decision.to_level
        assert decision.decided == month and decision.effective == month + 1
        # exactly `window` counted, consecutive, qualifying months since the previous move
        assert fresh
        assert decision.trigger_months == tuple(tail)
        for m in tail:
            assert values.get(m) is not None
            assert values[m] >= up if step == 1 else values[m] < down
        last_move = month


# --- the registry ---------------------------------------------------------------------------
def test_the_rule_kinds_are_the_names_a_template_may_give() -> None:
    """`cslevel.rules.RULES` and the rule names the templates accept agree (scheme/promotion.py
    lists the names, the rules register the kinds): a template naming any kind is taken, and the
    message for an unknown name lists exactly the registered ones."""

    from pydantic import ValidationError

    from cslevel import rules
    from cslevel.templates import Promotion

    with pytest.raises(ValidationError) as caught:
        Promotion.model_validate({"rule": "no_such_rule"})
    listed = re.search(r"(?:allowed: |可用的规则：)([a-z_, ]+)", str(caught.value))
    assert listed is not None, str(caught.value)
    assert listed.group(1).strip().split(", ") == sorted(rules.RULES)
    for name in rules.RULES:
        try:
            Promotion.model_validate({"rule": name})
        except ValidationError as error:  # (some kinds need more numbers than the name)
            assert all(e["loc"] != ("rule",) for e in error.errors()), error


def test_every_rule_kind_is_a_small_step_with_its_policy_written_down() -> None:
    """A rule kind is a file of its own: its policy as HR reads it (a docstring citing its
    source or DOMAIN.md), its step, its registry entry (`KIND`)."""
    import ast

    from cslevel import rules

    for name, kind in rules.RULES.items():
        module = __import__(kind.step.__module__, fromlist=["KIND"])
        assert module.KIND is kind, name
        source = Path(module.__file__).read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        assert re.search(r"\b00\d\b|DOMAIN", doc), (name, doc[:80])
