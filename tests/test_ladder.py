"""The dual ladder (DOMAIN.md scheme 6, 004 双渠道晋升; issue 19 item 12): the template
`ladder` with a management track 员工 → 组长 → 主管 → 经理 and an expert track 初级 → 中级 →
高级 → 专家. The rules move an agent only along the track of the level held; a change of
track is a placement (`cslevel adjust level`); equal ranks are paid the same; a roster whose
track disagrees with the level, or names no track of the template, is refused."""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from cslevel.records import Agent, CslevelError, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme, parse_scheme, read_template

LADDER, _TEXT = load_scheme("ladder")
JAN = Month(2026, 1)
MANAGEMENT = ["员工", "组长", "主管", "经理"]
EXPERT = ["初级", "中级", "高级", "专家"]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "ladder"


def run(start: str, scores: list[float | None]) -> tuple[list[str], str, list[str]]:
    """(level in force each month, level the month after, each month's note)."""
    agent = Agent("0001", "甲", "一组", "", None, None, start, JAN, True)
    by_month = {JAN + i: Score("0001", JAN + i, Decimal(str(v)))
                for i, v in enumerate(scores) if v is not None}
    states, after = replay(agent, by_month, LADDER, JAN + (len(scores) - 1))
    return [s.level for s in states], after, [s.note for s in states]


def p(level: str, n: int) -> list[str]:
    return [level] * n


# (id, start level, scores, level path, level the month after)
CASES = [
    # the bottom and the top of the management track
    ("员工-up", "员工", [115, 115, 115], p("员工", 3), "组长"),
    ("员工-down-stays", "员工", [80, 80, 80], p("员工", 3), "员工"),
    ("经理-up-stays", "经理", [115, 115, 115], p("经理", 3), "经理"),
    ("经理-down", "经理", [80, 80, 80], p("经理", 3), "主管"),
    # …and of the expert track
    ("初级-up", "初级", [115, 115, 115], p("初级", 3), "中级"),
    ("初级-down-stays", "初级", [80, 80, 80], p("初级", 3), "初级"),
    ("专家-up-stays", "专家", [115, 115, 115], p("专家", 3), "专家"),
    ("专家-down", "专家", [80, 80, 80], p("专家", 3), "高级"),
    # the middle of each track
    ("组长-up", "组长", [110, 110, 110], p("组长", 3), "主管"),
    ("组长-down", "组长", [89.99, 89.99, 89.99], p("组长", 3), "员工"),
    ("中级-up", "中级", [110, 110, 110], p("中级", 3), "高级"),
    ("中级-down", "中级", [89.99, 89.99, 89.99], p("中级", 3), "初级"),
    # the lines: 110 is up (含), 109.99 is not; 90 is not down, 89.99 is (不含)
    ("109.99-stays", "中级", [109.99, 109.99, 109.99], p("中级", 3), "中级"),
    ("90-stays", "主管", [90, 90, 90], p("主管", 3), "主管"),
    # a whole year: up the track to its top, never across
    ("员工-year-up", "员工", [115] * 12, [*p("员工", 3), *p("组长", 3), *p("主管", 3), *p("经理", 3)],
     "经理"),
    ("初级-year-up", "初级", [115] * 12, [*p("初级", 3), *p("中级", 3), *p("高级", 3), *p("专家", 3)],
     "专家"),
    ("经理-year-down", "经理", [80] * 12, [*p("经理", 3), *p("主管", 3), *p("组长", 3), *p("员工", 3)],
     "员工"),
    ("专家-year-down", "专家", [80] * 12, [*p("专家", 3), *p("高级", 3), *p("中级", 3), *p("初级", 3)],
     "初级"),
    # a month without a score breaks the streak
    ("missing-breaks", "初级", [115, 115, None, 115, 115], p("初级", 5), "初级"),
]


@pytest.mark.parametrize(("start", "scores", "path", "after"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rules_move_along_the_track_of_the_level_held(start: str, scores: list, path: list[str],
                                                      after: str) -> None:
    assert run(start, scores)[:2] == (path, after)


@pytest.mark.parametrize(("start", "scores", "note"), [
    ("经理", [115] * 3, "已是管理通道最高级别经理，不再晋升"),
    ("专家", [115] * 3, "已是专业通道最高级别专家，不再晋升"),
    ("员工", [80] * 3, "已是管理通道最低级别员工，不再降级"),
    ("初级", [80] * 3, "已是专业通道最低级别初级，不再降级"),
])
def test_the_ends_of_each_track_say_why_nothing_moves(start: str, scores: list, note: str) -> None:
    assert run(start, scores)[2][-1] == note


@settings(max_examples=60, deadline=None)
@given(start=st.sampled_from(MANAGEMENT + EXPERT),
       scores=st.lists(st.one_of(st.none(), st.sampled_from([80, 89.99, 90, 100, 110, 120])),
                       min_size=1, max_size=18))
def test_property_no_rule_crosses_tracks(start: str, scores: list) -> None:
    path, after, _notes = run(start, scores)
    track = MANAGEMENT if start in MANAGEMENT else EXPERT
    assert set(path) | {after} <= set(track)
    # one step at a time along the track
    places = [track.index(level) for level in [*path, after]]
    assert all(abs(b - a) <= 1 for a, b in itertools.pairwise(places))


def test_the_shipped_template_has_two_tracks_of_equal_rank_and_pay() -> None:
    assert [(t.name, t.levels) for t in LADDER.tracks] == [("管理通道", MANAGEMENT),
                                                            ("专业通道", EXPERT)]
    assert LADDER.trial_level is None and LADDER.entry_level == "员工"
    pays = {name: {k: str(v) for k, v in LADDER.level(name).pay.items()}
            for name in MANAGEMENT + EXPERT}
    assert pays["组长"] == pays["中级"] == {"基本工资": "7000.00", "岗位津贴": "1000.00",
                                         "绩效奖金": "3000.00"}
    for manager, expert in zip(MANAGEMENT, EXPERT):
        assert pays[manager] == pays[expert]
    assert LADDER.resolve_track("专业序列") is LADDER.tracks[1]
    assert LADDER.resolve_track(" management ") is LADDER.tracks[0]
    assert LADDER.track_of("中级") is LADDER.tracks[1] and LADDER.track_of("x") is None


def _template(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = read_template("ladder")[1]
    assert text.count(old) >= count
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


MIDDLE_PAY = "{基本工资: 7000.00, 岗位津贴: 1000.00, 绩效奖金: 3000.00}"
BAD_TEMPLATES = [
    # 组长 (rank 2 of the management track) paid more than 中级 (rank 2 of the expert track)
    ("rank-pay", MIDDLE_PAY, "{基本工资: 7100.00, 岗位津贴: 1000.00, 绩效奖金: 3000.00}",
     "取值有误：级别 组长 与 中级 同为第 2 级，但薪酬不同；请将两者的薪酬设为相同（同级次同薪）",
     ("Value error, levels 组长 and 中级 have the same rank (2) but different pay; give them the "
     "same pay (equal ranks are paid the same)")),
    ("level-on-no-track", "levels: [初级, 中级, 高级, 专家]", "levels: [初级, 中级, 高级]",
     "取值有误：以下级别不在任何通道上：['专家']；每个正式级别须属于一个通道",
     "Value error, levels on no track: ['专家']; put every regular level on one track"),
    ("level-on-two-tracks", "levels: [初级, 中级, 高级, 专家]", "levels: [初级, 中级, 高级, 专家, 经理]",
     "取值有误：级别 经理 同时在两个通道上：管理通道 和 专业通道",
     "Value error, level 经理 is on two tracks: 管理通道 and 专业通道"),
    ("unknown-level", "levels: [初级, 中级, 高级, 专家]", "levels: [初级, 中级, 高级, 专家, 大师]",
     ("取值有误：tracks（专业通道）：'大师' 不是正式级别；可用：['员工', '组长', '主管', '经理', '初级', "
     "'中级', '高级', '专家']"),
     ("Value error, tracks (专业通道): '大师' is not a regular level; allowed: ['员工', '组长', '主管', "
     "'经理', '初级', '中级', '高级', '专家']")),
]


@pytest.mark.parametrize(("old", "new", "zh", "en"), [c[1:] for c in BAD_TEMPLATES],
                         ids=[c[0] for c in BAD_TEMPLATES])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_template_whose_tracks_do_not_hold_is_refused(cli, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        old: str, new: str, zh: str, en: str,
                                                        language: str) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", language)
    path = _template(tmp_path, old, new)
    code, out, _err = cli("templates", "validate", path, "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [p["message"] for p in problems] == [zh if language == "zh" else en]
    assert problems[0]["file"] == str(path)


def test_tracks_refuse_a_floor_level_and_a_rule_that_does_not_climb(tmp_path: Path) -> None:
    text = read_template("ladder")[1]
    with pytest.raises(CslevelError, match="有通道（tracks）时不能使用 promotion.floor_level"):
        parse_scheme(text.replace("  missing_month: break", "  floor_level: 初级\n"
                                  "  missing_month: break"), "x.yaml")
    with pytest.raises(CslevelError, match=r"通道（tracks）需要按阶梯逐级升降的规则（streak, "
                                         r"window_average, rank_streak），不能用 quarterly_standard"):
        parse_scheme(text.replace("rule: streak", "rule: quarterly_standard"), "x.yaml")


# --- through the CLI --------------------------------------------------------------------------
def _kpi(folder: Path, month: str, rows: list[tuple[str, str, float]]) -> Path:
    return write_xlsx(folder / f"kpi_{month}.xlsx",
                      [["工号", "姓名", "绩效分值"], *[[a, n, s] for a, n, s in rows]], "绩效")


def level_pay(row: dict) -> dict[str, str]:
    """A payroll row's components of the level (the ladder's pay table), without the bonuses
    and pay inputs the template adds on top."""
    return {c: row["components"][c] for c in LADDER.pay.components}


def level_total(row: dict) -> str:
    return str(sum((Decimal(v) for v in level_pay(row).values()), Decimal("0.00")))


def _roster(folder: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(folder / "roster.xlsx", [["工号", "姓名", "当前级别", "通道"], *rows], "花名册")


ROSTER_PROBLEMS = {
    "zh": [("roster.xlsx › 花名册 › C2: 中级 属于 专业通道，不在 管理通道 上（管理通道 的级别：员工、组长、"
           "主管、经理） — 请更正级别或通道；如需转换通道，请用 cslevel adjust level 并写明原因。"),
           "roster.xlsx › 花名册 › D3: 未知通道 '技术通道' — 请使用以下之一：管理通道、专业通道。"],
    "en": [("roster.xlsx › 花名册 › C2: 中级 is on 专业通道, not on 管理通道 (its levels: 员工, 组长, "
           "主管, 经理) — Correct the level or the track; to move an agent to another track, use "
           "cslevel adjust level with a reason."),
           "roster.xlsx › 花名册 › D3: unknown track '技术通道' — Use one of: 管理通道, 专业通道."],
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_roster_whose_track_disagrees_is_refused_and_nothing_written(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", language)
    roster = _roster(tmp_path, [["0001", "甲", "中级", "管理通道"], ["0002", "乙", "组长", "技术通道"],
                                ["0003", "丙", "专家", "专业序列"], ["0004", "丁", "", "专业通道"]])
    kpi = _kpi(tmp_path, "2026-01", [("0001", "甲", 100), ("0002", "乙", 100), ("0003", "丙", 100),
                                     ("0004", "丁", 100)])
    code, out, _err = cli("score", kpi, "--roster", roster, "--scheme", "ladder",
                          "--out", "out/", "--json")
    assert code == 1
    assert [p["text"] for p in json.loads(out)["problems"]] == ROSTER_PROBLEMS[language]
    assert not (tmp_path / "history.db").exists() and not (tmp_path / "out").exists()


def test_a_track_alone_opens_at_its_lowest_level(cli_json, tmp_path: Path) -> None:
    roster = _roster(tmp_path, [["0001", "甲", "", "专业通道"], ["0002", "乙", "", "管理序列"],
                                ["0003", "丙", "", ""]])
    kpi = _kpi(tmp_path, "2026-01", [("0001", "甲", 100), ("0002", "乙", 100), ("0003", "丙", 100)])
    cli_json("score", kpi, "--roster", roster, "--scheme", "ladder", "--out", "out/")
    levels = {r["agent_id"]: r["level"] for r in cli_json("promote")["levels"]}
    assert levels == {"0001": "初级", "0002": "员工", "0003": "员工"}


def test_equal_ranks_are_paid_the_same_on_both_tracks(cli_json, tmp_path: Path) -> None:
    roster = _roster(tmp_path, [["0001", "甲", "组长", "管理通道"], ["0002", "乙", "中级", "专业通道"],
                                ["0003", "丙", "经理", "管理通道"], ["0004", "丁", "专家", "专业通道"]])
    kpi = _kpi(tmp_path, "2026-01", [("0001", "甲", 97.45), ("0002", "乙", 97.45),
                                     ("0003", "丙", 97.45), ("0004", "丁", 97.45)])
    cli_json("score", kpi, "--roster", roster, "--scheme", "ladder", "--out", "out/")
    pay = cli_json("payroll", "export", "--month", "2026-02", "--out", "pay.xlsx")
    rows = {r["agent_id"]: (r["level"], level_pay(r), level_total(r)) for r in pay["rows"]}
    # 绩效奖金 = the level's 3,000.00 × 97.45 / 100 = 2,923.50; 8,000.00 × 97.45 / 100 = 7,796.00
    middle = {"基本工资": "7000.00", "岗位津贴": "1000.00", "绩效奖金": "2923.50"}
    top = {"基本工资": "30000.00", "岗位津贴": "4000.00", "绩效奖金": "7796.00"}
    assert rows == {"0001": ("组长", middle, "10923.50"), "0002": ("中级", middle, "10923.50"),
                    "0003": ("经理", top, "41796.00"), "0004": ("专家", top, "41796.00")}
    # the bonuses of 004's pay plan on top (issue 21 item 8): all four tie for 1st place (800
    # each); the managers 组长 and 经理 get 管理奖金 by their team's average, 97.45 ≥ 90: 300
    bonuses = {r["agent_id"]: (r["components"]["排名奖金"], r["components"]["管理奖金"], r["total"])
               for r in pay["rows"]}
    assert bonuses == {"0001": ("800.00", "300.00", "12023.50"),
                       "0002": ("800.00", "0.00", "11723.50"),
                       "0003": ("800.00", "300.00", "42896.00"),
                       "0004": ("800.00", "0.00", "42596.00")}


def test_a_change_of_track_is_a_placement_and_the_rules_follow_the_new_track(
        cli, cli_json, tmp_path: Path) -> None:
    roster = _roster(tmp_path, [["0001", "甲", "组长", "管理通道"], ["0002", "乙", "组长", "管理通道"]])
    scores = [115, 116, 117, 118, 119, 120]
    kpis = [_kpi(tmp_path, f"2026-{m:02d}", [("0001", "甲", s), ("0002", "乙", s)])
            for m, s in enumerate(scores, start=1)]
    cli_json("score", *kpis, "--roster", roster, "--scheme", "ladder", "--out", "out/")
    # before: 0001 climbs the management track, 组长 → 主管 from 04
    before = cli_json("history", "0001")
    assert [m["level"] for m in before["months"]] == p("组长", 3) + p("主管", 3)
    assert before["next_level"] == "经理"
    doc = cli_json("adjust", "level", "0001", "--from", "2026-02", "--to", "中级",
                   "--reason", "转专业通道 moves to the expert track")
    assert (doc["was"], doc["value"], doc["month"]) == ("组长", "中级", "2026-02")
    after = cli_json("history", "0001")
    # placed on 中级 from 02: the streak starts again there, 02–04 earn 高级 from 05, on the
    # expert track (never 主管 or 经理)
    assert [m["level"] for m in after["months"]] == ["组长", "中级", "中级", "中级", "高级", "高级"]
    assert after["next_level"] == "高级"
    assert after["months"][1]["reason"] == ("级别由调整 #1 设为中级，由管理通道转入专业通道：转专业通道 "
                                           "moves to the expert track")
    assert after["months"][3]["to"] == "高级" and after["months"][3]["effective"] == "2026-05"
    # the other agent is untouched
    assert cli_json("history", "0002")["next_level"] == "经理"
    # the payroll of 05 pays 高级 (rank 3), like 主管
    pay = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-05",
                                               "--out", "pay.xlsx")["rows"]}
    assert (pay["0001"]["level"], level_total(pay["0001"])) == ("高级", "21720.00")
    assert (pay["0002"]["level"], level_total(pay["0002"])) == ("主管", "21720.00")


# --- the example folder -----------------------------------------------------------------------
def test_the_example_year_through_the_cli(cli_json, tmp_path: Path) -> None:
    doc = cli_json("score", str(EXAMPLES / "kpi_2026-*.xlsx"), "--roster",
                   EXAMPLES / "roster.xlsx", "--scheme", "ladder", "--out", "out/")
    assert len(doc["months"]) == 12 and doc["problems"] == []
    moves = [(m["agent_id"], m["from"], m["to"], m["effective"])
             for m in cli_json("promote", "--as-of", "2026-03")["moves"]]
    assert moves == [("0101", "主管", "经理", "2026-04"), ("0103", "组长", "员工", "2026-04"),
                     ("0107", "初级", "中级", "2026-04"), ("0109", "高级", "专家", "2026-04"),
                     ("0110", "中级", "初级", "2026-04")]
    assert [(m["agent_id"], m["from"], m["to"]) for m in cli_json(
        "promote", "--as-of", "2026-06")["moves"]] == [("0107", "中级", "高级")]
    assert [(m["agent_id"], m["from"], m["to"]) for m in cli_json(
        "promote", "--as-of", "2026-09")["moves"]] == [("0107", "高级", "专家")]
    december = cli_json("promote")
    # 0106 scores 113 and up from October: 员工 → 组长 at the close of 2026-12
    assert december["as_of"] == "2026-12"
    assert [(m["agent_id"], m["from"], m["to"], m["effective"]) for m in december["moves"]] == [
        ("0106", "员工", "组长", "2027-01")]
    assert {r["agent_id"]: r["level"] for r in december["levels"]} == {
        "0101": "经理", "0102": "员工", "0103": "员工", "0104": "组长", "0105": "员工",
        "0106": "组长", "0107": "专家", "0108": "中级", "0109": "专家", "0110": "初级",
        "0111": "初级", "0112": "初级"}
    # April pays the moves decided at the close of March, 绩效奖金 by March's score
    april = {r["agent_id"]: (r["level"], level_total(r)) for r in cli_json(
        "payroll", "export", "--month", "2026-04", "--out", "pay-04.xlsx")["rows"]}
    assert april == {
        "0101": ("经理", "42920.00"),   # 30,000 + 4,000 + 8,000 × 111.5%
        "0102": ("员工", "5491.00"), "0103": ("员工", "5364.00"), "0104": ("组长", "10973.00"),
        "0105": ("员工", "5462.00"), "0106": ("员工", "5501.00"),
        "0107": ("中级", "11495.00"),   # 7,000 + 1,000 + 3,000 × 116.5%
        "0108": ("中级", "10880.00"), "0109": ("专家", "43256.00"),
        "0110": ("初级", "5313.00"),    # 4,000 + 500 + 1,000 × 81.3%
        "0111": ("初级", "5516.00"),
        "0112": ("初级", "5500.00")}    # joined in April: no March score, the standard bonus
    january = cli_json("payroll", "export", "--out", "pay.xlsx")
    # 0106 paid as 组长 from 2027-01: 7,000 + 1,000 + 3,000 × 113.5% = 11,405.00
    pay = {r["agent_id"]: r for r in january["rows"]}
    assert (pay["0106"]["level"], level_total(pay["0106"])) == ("组长", "11405.00")
    assert january["month"] == "2027-01"
    assert str(sum(Decimal(level_total(r)) for r in january["rows"])) == "195414.00"
    assert level_pay({"components": january["components_total"]}) == {
        "基本工资": "135000.00", "岗位津贴": "18000.00", "绩效奖金": "42414.00"}
    # the bonuses on top: five ranked (800 + 500 × 2 + 300 × 2 at most, ties share a place)
    assert Decimal(january["components_total"]["排名奖金"]) > 0
    assert Decimal(january["total"]) == sum(Decimal(v) for v in
                                            january["components_total"].values())


def test_tracks_hold_for_the_window_average_rule_too() -> None:
    """The weighted scheme's quarterly review (window_average) on the two tracks: the same
    one-step moves, along the track of the level held."""
    weighted, _text = load_scheme("weighted")
    quarterly = LADDER.model_copy(update={"promotion": weighted.promotion.model_copy(
        update={"floor_level": None})})

    def path(start: str, scores: list[float]) -> tuple[list[str], str]:
        agent = Agent("0001", "甲", "一组", "", None, None, start, JAN, True)
        by_month = {JAN + i: Score("0001", JAN + i, Decimal(str(v))) for i, v in enumerate(scores)}
        states, after = replay(agent, by_month, quarterly, JAN + (len(scores) - 1))
        return [s.level for s in states], after

    assert path("组长", [85] * 6) == ([*p("组长", 3), *p("主管", 3)], "经理")
    assert path("中级", [85] * 6) == ([*p("中级", 3), *p("高级", 3)], "专家")
    assert path("专家", [85] * 3) == (p("专家", 3), "专家")
    assert path("初级", [60] * 3) == (p("初级", 3), "初级")
    assert path("员工", [60] * 3) == (p("员工", 3), "员工")
    assert path("经理", [60] * 3) == (p("经理", 3), "主管")


def test_a_pay_table_paying_equal_ranks_differently_is_refused(cli, tmp_path: Path) -> None:
    text = read_template("ladder")[1]
    text, count = re.subn(r"^    pay: \{[^}]*\}\n", "", text, flags=re.MULTILINE)
    assert count == 8
    template = tmp_path / "ladder_table.yaml"
    template.write_text(text.replace("  currency: CNY\n", "  currency: CNY\n  table: 薪酬表.xlsx\n"),
                        encoding="utf-8")
    rows = [["级别", "基本工资", "岗位津贴", "绩效奖金"]]
    for rank, (manager, expert) in enumerate(zip(MANAGEMENT, EXPERT, strict=True), start=1):
        rows += [[manager, 4000 * rank, 500, 1000], [expert, 4000 * rank, 500, 1000]]
    rows[4][1] = 8100  # 中级 (rank 2 of the expert track) above 组长
    write_xlsx(tmp_path / "薪酬表.xlsx", rows)
    code, out, _err = cli("templates", "validate", template, "--json")
    assert code == 1
    assert [(p["file"], p["message"]) for p in json.loads(out)["problems"]] == [
        (str(tmp_path / "薪酬表.xlsx"),
         "级别 组长 与 中级 同为第 2 级，但薪酬不同；请将两者的薪酬设为相同（同级次同薪）")]
    rows[4][1] = 8000
    write_xlsx(tmp_path / "薪酬表.xlsx", rows)
    assert cli("templates", "validate", template)[0] == 0
