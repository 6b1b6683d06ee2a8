"""The weighted scheme's posts (DOMAIN.md scheme 2, 004 "客服部岗位级别说明"; issue 21 item 2):
one scheme, several ladders. Every post (岗位) has its own ladder, weights and pay table; the
quarterly review moves an agent only within the ladder of the post of the level held (审核助理,
one level, never moves); a change of post is a placement by a person (`cslevel adjust level`);
the roster's 岗位 names the post and must agree with the level held; the 考勤 item is the
month's attendance score when an attendance workbook is given, else the KPI column."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from cslevel.records import Agent, CslevelError, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme, parse_scheme, read_template

WEIGHTED, _TEXT = load_scheme("weighted")
JAN = Month(2026, 1)
POSTS = {
    "客服代表": ["普通·中级", "普通·高级", "大客户·中级", "大客户·高级", "高级·中级", "高级·高级"],
    "技术支持": ["技术支持·中级", "技术支持·高级"],
    "技术支持组长": ["技术支持组长·中级", "技术支持组长·高级"],
    "审核员": ["审核员一级", "审核员二级", "审核员三级", "审核员四级"],
    "审核助理": ["审核助理"],
    "客服主管": ["客服主管·中级", "客服主管·高级"],
}
POST_OF = {level: post for post, levels in POSTS.items() for level in levels}


def run(start: str, scores: list[float | None]) -> tuple[list[str], str, list[str]]:
    """(level in force each month from 2026-01, level the month after, each month's note)."""
    agent = Agent("0001", "甲", "一组", "", None, None, start, JAN, True)
    by_month = {JAN + i: Score("0001", JAN + i, Decimal(str(v)))
                for i, v in enumerate(scores) if v is not None}
    states, after = replay(agent, by_month, WEIGHTED, JAN + (len(scores) - 1))
    return [s.level for s in states], after, [s.note for s in states]


def p(level: str, n: int) -> list[str]:
    return [level] * n


# (id, start level, monthly scores from 2026-01, level path, level the month after); the
# reviews are at the close of 03, 06, 09 and 12, on the quarter's average: > 80 up, 70–80
# unchanged, 50–< 70 down, < 50 down and a month of probation
CASES = [
    # technical support: its bottom and its top, never onto the representatives' ladder
    ("技术支持-up", "技术支持·中级", [85, 85, 85], p("技术支持·中级", 3), "技术支持·高级"),
    ("技术支持-top-stays", "技术支持·高级", [95, 95, 95], p("技术支持·高级", 3), "技术支持·高级"),
    ("技术支持-bottom-stays", "技术支持·中级", [60, 60, 60], p("技术支持·中级", 3), "技术支持·中级"),
    ("技术支持-down", "技术支持·高级", [69.99, 69.99, 69.99], p("技术支持·高级", 3), "技术支持·中级"),
    ("技术支持-80-stays", "技术支持·中级", [80, 80, 80], p("技术支持·中级", 3), "技术支持·中级"),
    ("技术支持-year", "技术支持·中级", [85] * 12, [*p("技术支持·中级", 3), *p("技术支持·高级", 9)],
     "技术支持·高级"),
    # the technical-support lead
    ("组长-up", "技术支持组长·中级", [80.01, 80.01, 80.01], p("技术支持组长·中级", 3), "技术支持组长·高级"),
    ("组长-top-stays", "技术支持组长·高级", [90, 90, 90], p("技术支持组长·高级", 3), "技术支持组长·高级"),
    ("组长-down", "技术支持组长·高级", [50, 50, 50], p("技术支持组长·高级", 3), "技术支持组长·中级"),
    # reviewers: 一级 → 四级
    ("审核员-up", "审核员一级", [85, 85, 85], p("审核员一级", 3), "审核员二级"),
    ("审核员-bottom-stays", "审核员一级", [65, 65, 65], p("审核员一级", 3), "审核员一级"),
    ("审核员-top-stays", "审核员四级", [85, 85, 85], p("审核员四级", 3), "审核员四级"),
    ("审核员-down-probation", "审核员四级", [49, 49, 49], p("审核员四级", 3), "审核员三级"),
    ("审核员-year", "审核员一级", [85] * 12,
     [*p("审核员一级", 3), *p("审核员二级", 3), *p("审核员三级", 3), *p("审核员四级", 3)], "审核员四级"),
    ("审核员-year-down", "审核员四级", [60] * 12,
     [*p("审核员四级", 3), *p("审核员三级", 3), *p("审核员二级", 3), *p("审核员一级", 3)], "审核员一级"),
    # the reviewers' assistant: one level, "暂时不变": never moves, whatever the scores
    ("审核助理-high", "审核助理", [100] * 12, p("审核助理", 12), "审核助理"),
    ("审核助理-low", "审核助理", [30] * 12, p("审核助理", 12), "审核助理"),
    # the supervisor
    ("主管-up", "客服主管·中级", [81, 81, 81], p("客服主管·中级", 3), "客服主管·高级"),
    ("主管-top-stays", "客服主管·高级", [99, 99, 99], p("客服主管·高级", 3), "客服主管·高级"),
    ("主管-bottom-stays", "客服主管·中级", [40, 40, 40], p("客服主管·中级", 3), "客服主管·中级"),
    # the representatives' ladder keeps its ends too (never onto another post's)
    ("代表-top-stays", "高级·高级", [95, 95, 95], p("高级·高级", 3), "高级·高级"),
    ("代表-bottom-stays", "普通·中级", [55, 55, 55], p("普通·中级", 3), "普通·中级"),
    ("代表-up", "普通·高级", [85, 85, 85], p("普通·高级", 3), "大客户·中级"),
]


@pytest.mark.parametrize(("start", "scores", "path", "after"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_review_moves_along_the_ladder_of_the_post_held(start: str, scores: list,
                                                            path: list[str], after: str) -> None:
    assert run(start, scores)[:2] == (path, after)


@pytest.mark.parametrize(("start", "scores", "note"), [
    ("技术支持·高级", [95] * 3, ("2026-01–2026-03 平均 95（2026-01 95、2026-02 95、2026-03 95），"
                            "已是技术支持最高级别技术支持·高级，不再晋升")),
    ("技术支持·中级", [60] * 3, ("2026-01–2026-03 平均 60（2026-01 60、2026-02 60、2026-03 60），"
                            "已是技术支持最低级别技术支持·中级，不再降级")),
    ("审核助理", [100] * 3, ("2026-01–2026-03 平均 100（2026-01 100、2026-02 100、2026-03 100），"
                        "已是审核助理最高级别审核助理，不再晋升")),
    ("审核助理", [30] * 3, ("2026-01–2026-03 平均 30（2026-01 30、2026-02 30、2026-03 30），"
                       "已是审核助理最低级别审核助理，不再降级，并试用考察一个月")),
])
def test_the_ends_of_a_posts_ladder_say_why_nothing_moves(start: str, scores: list,
                                                          note: str) -> None:
    assert run(start, scores)[2][-1] == note


@settings(max_examples=80, deadline=None)
@given(start=st.sampled_from(sorted(POST_OF)),
       scores=st.lists(st.one_of(st.none(), st.sampled_from([30, 49.99, 50, 69.99, 70, 80,
                                                             80.01, 100])),
                       min_size=1, max_size=15))
def test_property_no_review_crosses_posts(start: str, scores: list) -> None:
    path, after, _notes = run(start, scores)
    ladder = POSTS[POST_OF[start]]
    assert set(path) | {after} <= set(ladder)
    places = [ladder.index(level) for level in [*path, after]]
    assert all(abs(b - a) <= 1 for a, b in itertools.pairwise(places))


def test_the_shipped_template_gives_each_post_its_ladder_weights_and_pay() -> None:
    assert {t.name: t.levels for t in WEIGHTED.tracks} == POSTS
    assert WEIGHTED.equal_rank_pay is False and WEIGHTED.promotion.floor_level is None
    assert WEIGHTED.score.attendance_metric == "attendance"
    # DOMAIN.md: customer-service posts 20/20/25/25/10; technical support 40/40/10/10
    service = {"callback_rate": 20, "satisfaction": 20, "handling": 25, "training": 25,
               "attendance": 10}
    tech = {"tech_handling": 40, "tech_feedback": 40, "tech_skills": 10, "attendance": 10}
    for post, weights in [("客服代表", service), ("审核员", service), ("审核助理", service),
                          ("客服主管", service), ("技术支持", tech), ("技术支持组长", tech)]:
        assert WEIGHTED.score.weights_for(post) == weights, post
    pay = {name: {k: str(v) for k, v in WEIGHTED.level(name).pay.items()}
           for name in ("技术支持·中级", "审核员一级", "审核助理")}
    assert pay == {
        "技术支持·中级": {"基本工资": "3800.00", "绩效工资": "1200.00", "岗位津贴": "500.00"},
        "审核员一级": {"基本工资": "3000.00", "绩效工资": "1000.00", "岗位津贴": "500.00"},
        "审核助理": {"基本工资": "2800.00", "绩效工资": "1000.00", "岗位津贴": "500.00"}}
    assert WEIGHTED.resolve_track("技术支持岗") is WEIGHTED.tracks[1]
    assert WEIGHTED.resolve_track("大客户客服代表") is WEIGHTED.tracks[0]


def test_equal_rank_pay_is_the_templates_choice() -> None:
    """Posts have their own pay tables (equal_rank_pay: false); with true, as the dual ladder
    says, the same template is refused: 普通·中级 and 技术支持·中级 are both rank 1."""
    with pytest.raises(CslevelError, match="级别 普通·中级 与 技术支持·中级 同为第 1 级，但薪酬不同"):
        parse_scheme(_TEXT.replace("equal_rank_pay: false", "equal_rank_pay: true"), "x.yaml")
    assert load_scheme("ladder")[0].equal_rank_pay is True


def test_the_attendance_metric_must_be_a_metric_with_an_attendance_score() -> None:
    with pytest.raises(CslevelError, match=r"attendance_metric 'kaoqin' 不是已定义的指标"):
        parse_scheme(_TEXT.replace("attendance_metric: attendance", "attendance_metric: kaoqin"),
                     "x.yaml")
    cut = _TEXT.index("  score: {start: 100")
    no_score = _TEXT[:cut] + _TEXT[_TEXT.index("\n", cut) + 1:]
    with pytest.raises(CslevelError, match=r"score.attendance_metric 需要 attendance.score"):
        parse_scheme(no_score, "x.yaml")
    assert parse_scheme(_TEXT.replace("  attendance_metric: attendance\n", ""),
                        "x.yaml").score.attendance_metric is None
    assert read_template("weighted")[1] == _TEXT


# --- through the CLI --------------------------------------------------------------------------
SERVICE = ["客户回访率", "客户满意度", "处理时限和正确度", "各类培训及业务水平"]
TECH = ["处理问题的时限和准确率", "对员工培训后的反馈", "技能和产品的掌握"]
ATT_HEADER = ["工号", "姓名", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数",
              "事假/病假天数"]


def _kpi(folder: Path, month: str, rows: list[list[object]], attendance: bool = True) -> Path:
    """rows: [id, name, post, 4 service items, 考勤, 3 technical items] (None: blank); with
    `attendance` False the workbook has no 考勤 column."""
    header = ["工号", "姓名", "岗位", *SERVICE, "考勤", *TECH]
    if not attendance:
        header.remove("考勤")
        rows = [[*r[:7], *r[8:]] for r in rows]
    return write_xlsx(folder / f"kpi_{month}.xlsx", [header, *rows], "考核")


def _att(folder: Path, month: str, rows: list[list[object]]) -> Path:
    """rows: [id, name, late, early, absent]; 21 days required, present = 21 − absent."""
    return write_xlsx(folder / f"att_{month}.xlsx", [ATT_HEADER, *[
        [a, n, 21, 21 - absent, late, early, absent, 0] for a, n, late, early, absent in rows]],
        "考勤")


def _roster(folder: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(folder / "roster.xlsx", [["工号", "姓名", "岗位", "当前级别"], *rows], "花名册")


def _tech(agent: str, name: str, items: tuple[int, int, int], kaoqin: object) -> list[object]:
    return [agent, name, "技术支持", None, None, None, None, kaoqin, *items]


def _service(agent: str, name: str, items: tuple[int, int, int, int], kaoqin: object,
             post: str = "客服代表") -> list[object]:
    return [agent, name, post, *items, kaoqin, None, None, None]


def _explanations(results: Path) -> dict[str, str]:
    """Each agent's score explanation, the results workbook's last column (评分说明)."""
    import openpyxl

    sheet = openpyxl.load_workbook(results, read_only=True).worksheets[0]
    return {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}


def _scores(doc: dict) -> dict[str, tuple[str, str]]:
    return {a["agent_id"]: (a["score"], a["level"]) for a in doc["months"][0]["agents"]}


ROWS = [_tech("0001", "甲", (90, 80, 70), 60), _service("0002", "乙", (90, 80, 70, 60), 50),
        _service("0003", "丙", (80, 80, 80, 80), 70)]
ROSTER = [["0001", "甲", "技术支持", "技术支持·中级"], ["0002", "乙", "客服代表", "大客户·中级"],
          ["0003", "丙", "普通客服代表", "普通·中级"]]


def test_each_post_is_scored_on_its_weights_with_the_kpi_attendance_column(
        cli_json, tmp_path: Path) -> None:
    """Without an attendance workbook the 考勤 item is the KPI column's."""
    kpi = _kpi(tmp_path, "2026-01", ROWS)
    doc = cli_json("score", kpi, "--roster", _roster(tmp_path, ROSTER), "--scheme", "weighted",
                   "--out", "out/")
    # 0001 technical support: 0.4 × 90 + 0.4 × 80 + 0.1 × 70 + 0.1 × 60 = 81.00
    # 0002 representative: 0.2 × 90 + 0.2 × 80 + 0.25 × 70 + 0.25 × 60 + 0.1 × 50 = 71.50
    # 0003 representative: 0.2 × 80 + 0.2 × 80 + 0.25 × 80 + 0.25 × 80 + 0.1 × 70 = 79.00
    assert _scores(doc) == {"0001": (81, "技术支持·中级"), "0002": (71.5, "大客户·中级"),
                            "0003": (79, "普通·中级")}
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []


def test_the_attendance_item_is_the_months_attendance_score(cli, cli_json, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """With an attendance workbook the 考勤 item is its score (100 − 2 × late − 2 × early −
    10 × absent), not the KPI column; an agent it does not list keeps the KPI column's."""
    monkeypatch.setenv("CSLEVEL_LANG", "en")
    kpi = _kpi(tmp_path, "2026-01", ROWS)
    att = _att(tmp_path, "2026-01", [["0001", "甲", 3, 1, 0], ["0002", "乙", 0, 0, 1]])
    doc = cli_json("score", kpi, "--attendance", att, "--roster", _roster(tmp_path, ROSTER),
                   "--scheme", "weighted", "--out", "out/")
    # 0001: 考勤 100 − 6 − 2 = 92: 36 + 32 + 7 + 9.2 = 84.20 (not 81.00)
    # 0002: 考勤 100 − 10 = 90: 18 + 16 + 17.5 + 15 + 9 = 75.50 (not 71.50)
    # 0003: not in the attendance workbook: the KPI column's 70, 79.00
    assert _scores(doc) == {"0001": (84.2, "技术支持·中级"), "0002": (75.5, "大客户·中级"),
                            "0003": (79, "普通·中级")}
    agents = {a["agent_id"]: a for a in doc["months"][0]["agents"]}
    assert (agents["0001"]["attendance_score"], agents["0002"]["attendance_score"]) == (92, 90)
    assert [p["text"] for p in doc["problems"]] == [
        ("kpi_2026-01.xlsx › 考核 › row 4: agent 0003 is in the KPI workbook but not in the "
        "attendance workbook of 2026-01")]
    explained = _explanations(tmp_path / "out" / "results-2026-01.xlsx")
    assert explained["0001"] == (
        "Σ points×weight = 84.20 points: 考勤 92.0 points×10%; 处理问题的时限和准确率 90.0 "
        "points×40%; 对员工培训后的反馈 80.0 points×40%; 技能和产品的掌握 70.0 points×10% (考勤 "
        "from the attendance workbook)")
    assert explained["0003"] == (
        "Σ points×weight = 79.00 points: 客户回访率 80.0 points×20%; 客户满意度 80.0 points×20%; "
        "处理时限和正确度 80.0 points×25%; 各类培训及业务水平 80.0 points×25%; 考勤 70.0 points×10%")


def test_the_kpi_needs_no_attendance_column_when_the_attendance_workbook_gives_it(
        cli, cli_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", "en")
    kpi = _kpi(tmp_path, "2026-01", ROWS[:2], attendance=False)
    att = _att(tmp_path, "2026-01", [["0001", "甲", 3, 1, 0], ["0002", "乙", 0, 0, 1]])
    doc = cli_json("score", kpi, "--attendance", att, "--scheme", "weighted", "--out", "out/")
    assert {a: s for a, (s, _level) in _scores(doc).items()} == {"0001": 84.2, "0002": 75.5}
    # an agent neither workbook gives a 考勤 for is refused, naming the row; nothing stored
    (tmp_path / "history.db").unlink()
    kpi = _kpi(tmp_path, "2026-02", ROWS, attendance=False)
    att = _att(tmp_path, "2026-02", [["0001", "甲", 3, 1, 0], ["0002", "乙", 0, 0, 1]])
    code, out, _err = cli("score", kpi, "--attendance", att, "--scheme", "weighted",
                          "--out", "out2/", "--json")
    assert code == 1
    assert [p["text"] for p in json.loads(out)["problems"] if p["severity"] == "error"] == [
        ("kpi_2026-02.xlsx › 考核 › row 4: no 考勤 for agent 0003 in 2026-02: not in the "
        "attendance workbook and no value in the KPI workbook — Add the agent to the month's "
        "attendance workbook, or fill in the 考勤 column of the KPI workbook.")]
    assert not (tmp_path / "history.db").exists() and not (tmp_path / "out2").exists()


def test_each_post_is_paid_from_its_own_pay_table(cli_json, tmp_path: Path) -> None:
    kpi = _kpi(tmp_path, "2026-01", ROWS)
    att = _att(tmp_path, "2026-01", [["0001", "甲", 3, 1, 0], ["0002", "乙", 0, 0, 1],
                                     ["0003", "丙", 0, 0, 0]])
    roster = _roster(tmp_path, [ROSTER[0], ["0002", "乙", "客服主管", "客服主管·中级"],
                                ["0003", "丙", "审核员", "审核员二级"]])
    cli_json("score", kpi, "--attendance", att, "--roster", roster, "--scheme", "weighted",
             "--out", "out/")
    pay = cli_json("payroll", "export", "--month", "2026-02", "--out", "pay.xlsx")
    rows = {r["agent_id"]: (r["level"], r["components"], r["total"]) for r in pay["rows"]}
    # 绩效工资 = the level's amount × January's score / 100; 0003 (审核员, the service
    # weights): 16 + 16 + 20 + 20 + 10 = 82.00
    assert rows == {
        "0001": ("技术支持·中级", {"基本工资": "3800.00", "绩效工资": "1010.40", "岗位津贴": "500.00"},
                 "5310.40"),   # 1,200.00 × 84.20 %
        "0002": ("客服主管·中级", {"基本工资": "4800.00", "绩效工资": "1510.00", "岗位津贴": "800.00"},
                 "7110.00"),   # 2,000.00 × 75.50 %
        "0003": ("审核员二级", {"基本工资": "3300.00", "绩效工资": "902.00", "岗位津贴": "600.00"},
                 "4802.00")}   # 1,100.00 × 82.00 %


def test_the_roster_post_must_agree_with_the_level_held(cli, cli_json, tmp_path: Path) -> None:
    roster = _roster(tmp_path, [["0001", "甲", "技术支持", "大客户·中级"], ["0002", "乙", "审核员", ""]])
    kpi = _kpi(tmp_path, "2026-01", [_tech("0001", "甲", (90, 80, 70), 60),
                                     _service("0002", "乙", (90, 80, 70, 60), 50, "审核员")])
    code, out, _err = cli("score", kpi, "--roster", roster, "--scheme", "weighted",
                          "--out", "out/", "--json")
    assert code == 1
    assert [p["text"] for p in json.loads(out)["problems"]] == [
        ("roster.xlsx › 花名册 › D2: 大客户·中级 属于 客服代表，不在 技术支持 上（技术支持 的级别："
        "技术支持·中级、技术支持·高级） — 请更正级别或通道；如需转换通道，请用 cslevel adjust level 并写明原因。")]
    assert not (tmp_path / "history.db").exists()
    # a post alone opens at its ladder's lowest level
    roster = _roster(tmp_path, [["0001", "甲", "技术支持岗", ""], ["0002", "乙", "审核员", ""]])
    cli_json("score", kpi, "--roster", roster, "--scheme", "weighted", "--out", "out/")
    assert {r["agent_id"]: r["level"] for r in cli_json("promote")["levels"]} == {
        "0001": "技术支持·中级", "0002": "审核员一级"}


def test_a_change_of_post_is_a_placement_and_the_reviews_follow_the_new_ladder(
        cli_json, tmp_path: Path) -> None:
    roster = _roster(tmp_path, [["0001", "甲", "客服代表", "普通·高级"],
                                ["0002", "乙", "客服代表", "普通·高级"]])
    kpis = [_kpi(tmp_path, f"2026-{m:02d}", [_service("0001", "甲", (90, 90, 90, 90), 90),
                                             _service("0002", "乙", (90, 90, 90, 90), 90)])
            for m in range(1, 7)]
    cli_json("score", *kpis, "--roster", roster, "--scheme", "weighted", "--out", "out/")
    # before: 0001 climbs the representatives' ladder, 普通·高级 → 大客户·中级 → 大客户·高级
    before = cli_json("history", "0001")
    assert [m["level"] for m in before["months"]] == p("普通·高级", 3) + p("大客户·中级", 3)
    assert before["next_level"] == "大客户·高级"
    doc = cli_json("adjust", "level", "0001", "--from", "2026-02", "--to", "技术支持·中级",
                   "--reason", "转技术支持岗")
    assert (doc["was"], doc["value"], doc["month"]) == ("普通·高级", "技术支持·中级", "2026-02")
    after = cli_json("history", "0001")
    # from 02 on the technical-support ladder: the 03 review (average 90) earns 技术支持·高级
    # from 04, and the 06 review finds it at the top of that ladder (never 大客户·…)
    assert [m["level"] for m in after["months"]] == [
        "普通·高级", "技术支持·中级", "技术支持·中级", *p("技术支持·高级", 3)]
    assert after["next_level"] == "技术支持·高级"
    assert after["months"][1]["reason"] == "级别由调整 #1 设为技术支持·中级，由客服代表转入技术支持：转技术支持岗"
    assert cli_json("history", "0002")["next_level"] == "大客户·高级"
    # April pays the new post's table: 4,200.00 + 1,400.00 × 90 % + 600.00
    pay = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-04",
                                               "--out", "pay.xlsx")["rows"]}
    assert (pay["0001"]["level"], pay["0001"]["total"]) == ("技术支持·高级", "6060.00")
    assert pay["0002"]["level"] == "大客户·中级"


def test_the_example_year_shows_a_technical_support_agent_on_its_own_ladder(
        cli_json, tmp_path: Path) -> None:
    folder = Path(__file__).resolve().parents[1] / "examples" / "weighted"
    doc = cli_json("score", str(folder / "kpi_2026-*.xlsx"), "--roster", folder / "roster.xlsx",
                   "--attendance", str(folder / "att_2026-*.xlsx"), "--scheme", "weighted",
                   "--out", "out/")
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    levels = {}
    for month in doc["months"]:
        for agent in month["agents"]:
            levels.setdefault(agent["agent_id"], []).append(agent["level"])
    assert levels["0112"] == p("技术支持·中级", 3) + p("技术支持·高级", 9)
    assert levels["0111"] == p("审核助理", 12)
    assert all(level in POSTS["客服代表"] for a in levels if a <= "0110" for level in levels[a])
    # the 考勤 item comes from the attendance workbooks (the KPI workbooks have no such column)
    first = {a["agent_id"]: a for a in doc["months"][0]["agents"]}
    assert first["0112"]["attendance_score"] is not None
    explained = _explanations(tmp_path / "out" / "results-2026-01.xlsx")
    assert all(text.endswith("（考勤取自考勤表）") for text in explained.values())
    assert explained["0112"].startswith("Σ 得分×权重 = ") and "处理问题的时限和准确率" in explained["0112"]
    flagged = [(m["month"], a["agent_id"]) for m in doc["months"] for a in m["agents"]
               if "dismissal_review" in a["flags"]]
    assert flagged == [("2026-10", "0107")]


def test_a_workspace_runs_the_weighted_months_with_attendance(tmp_path: Path, cli) -> None:
    """`cslevel run` (the early reader: the KPI workbooks are scored in the run, after the
    attendance ones are read) over the example's first quarter."""
    import shutil

    folder = Path(__file__).resolve().parents[1] / "examples" / "weighted"
    assert cli("init", "ws", "--scheme", "weighted")[0] == 0
    ws = tmp_path / "ws"
    for month in ("2026-01", "2026-02", "2026-03"):
        for kind in ("kpi", "att"):
            shutil.copy(folder / f"{kind}_{month}.xlsx", ws / "input")
    shutil.copy(folder / "roster.xlsx", ws / "input")
    for month in ("2026-01", "2026-02", "2026-03"):
        code, out, err = cli("run", "--month", month, "--config", str(ws / "cslevel.toml"),
                             "--json")
        assert code == 0, err
    doc = json.loads(out)
    assert sorted(Path(i["file"]).name for i in doc["inputs"]) == [
        "att_2026-03.xlsx", "kpi_2026-03.xlsx", "roster.xlsx"]
    # the first quarter's review: 4 up and 4 down on the representatives' ladder, and 0112
    # 技术支持·中级 → 技术支持·高级
    assert doc["moves"] == 9 and doc["paid"] == 12
    payroll = ws / "output" / "payroll-2026-04.xlsx"
    import openpyxl

    sheet = openpyxl.load_workbook(payroll, read_only=True).worksheets[0]
    header, *lines = sheet.iter_rows(values_only=True)
    row = next(dict(zip(header, line)) for line in lines if line[1] == "0112")
    # 技术支持·高级: 4,200.00 + 1,400.00 × March's 86.40 % + 600.00 = 6,009.60
    assert (row["月份"], row["级别"], row["基本工资"], row["绩效工资"], row["岗位津贴"],
            row["应发合计"]) == ("2026-04", "技术支持·高级", 4200, 1209.6, 600, 6009.6)


# --- the KPI's 岗位 against the post held ------------------------------------------------------
# (level held, the KPI row's 岗位, severity or None): an error when the post written is scored
# on other weights than the post held (the score would be wrong), a warning when both posts
# share the weights, nothing when the 岗位 is the post held (by name or alias) or no post
POST_CASES = [
    ("技术支持·中级", "技术支持", None),
    ("技术支持·高级", "技术支持岗", None),                 # an alias of the post held
    ("普通·中级", "大客户客服代表", None),                # the representatives' ladder's alias
    ("普通·中级", "客服", None),                         # not a post of the template
    ("技术支持·中级", "客服代表", "error"),               # 40/40/10/10 held, 20/20/25/25/10 scored
    ("普通·高级", "技术支持", "error"),
    ("客服主管·高级", "Technical Support", "error"),      # an English alias weights as its post
    ("审核员一级", "技术支持组长", "error"),
    ("普通·中级", "审核员", "warning"),                   # both on the service weights
    ("审核员二级", "客服主管", "warning"),
    ("审核助理", "客服代表", "warning"),
    ("技术支持·高级", "技术支持组长", "warning"),         # both on the technical weights
]


@pytest.mark.parametrize(("held", "written", "severity"), POST_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in POST_CASES])
def test_a_kpi_post_other_than_the_post_held_is_flagged(held: str, written: str,
                                                        severity: str | None) -> None:
    from cslevel.pipeline.posts import post_problems
    from cslevel.records import Source

    agent = Agent("0001", "甲", "一组", "", None, None, held, JAN, True)
    states, after = replay(agent, {JAN: Score("0001", JAN, Decimal(75))}, WEIGHTED, JAN)
    cell = Source("kpi.xlsx", "考核", 2, 2)
    found = post_problems(WEIGHTED, {"0001": (agent, states, after)},
                          {JAN: {"0001": (written, cell)}})
    assert [(p.severity, p.source) for p in found] == ([] if severity is None
                                                       else [(severity, cell)])
    if severity is not None:
        held_post = POST_OF[held]
        assert str(found[0]) == (
            f"kpi.xlsx › 考核 › C2: 0001 在此的岗位为 {written}，但其 2026-01 所任级别 {held} 属于 "
            f"{held_post}" + (f"：得分按 {written} 的权重计算，而不是 {held_post} 的权重"
                              if severity == "error" else "（两个岗位的权重相同，得分不受影响）")
            + f" — 如确已换岗，请从 2026-01 起把此人安置到新岗位的级别（cslevel adjust level 0001 "
            f"--from 2026-01 --to 新级别 --reason 原因），然后重新运行；否则请在此格填写 {held_post}。")


def test_no_post_check_without_tracks() -> None:
    from cslevel.pipeline.posts import post_problems
    from cslevel.records import Source

    star = load_scheme("star")[0]
    assert post_problems(star, {}, {JAN: {"0001": ("技术支持", Source("k.xlsx"))}}) == []


def test_a_month_whose_kpi_post_is_not_the_post_held_is_refused_until_the_agent_is_placed(
        cli, cli_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """January on the roster's posts; February's KPI gives 0001 (普通·高级, a representative)
    the 技术支持 post and 0003 (审核员二级) the 客服主管 post. 0001's score would be weighted for
    technical support: the month is refused, naming the cell, nothing stored; 0003's post
    shares the service weights: a warning. Placed on 技术支持·中级 from February (`adjust
    level`), the month is scored on the technical weights."""
    roster = _roster(tmp_path, [["0001", "甲", "客服代表", "普通·高级"],
                                ["0002", "乙", "客服代表", "大客户·中级"],
                                ["0003", "丙", "审核员", "审核员二级"]])
    jan = _kpi(tmp_path, "2026-01", [_service("0001", "甲", (90, 80, 70, 60), 50),
                                     _service("0002", "乙", (90, 80, 70, 60), 50),
                                     _service("0003", "丙", (80, 80, 80, 80), 70, "审核员")])
    cli_json("score", jan, "--roster", roster, "--scheme", "weighted", "--out", "out/")
    feb = _kpi(tmp_path, "2026-02", [_tech("0001", "甲", (90, 80, 70), 60),
                                     _service("0002", "乙", (90, 80, 70, 60), 50),
                                     _service("0003", "丙", (80, 80, 80, 80), 70, "客服主管")])
    before = (tmp_path / "history.db").read_bytes()
    code, out, _err = cli("score", feb, "--scheme", "weighted", "--out", "out/", "--json")
    assert code == 1
    assert [(p["severity"], p["text"]) for p in json.loads(out)["problems"]] == [(
        "error",
        ("kpi_2026-02.xlsx › 考核 › C2: 0001 在此的岗位为 技术支持，但其 2026-02 所任级别 普通·高级 "
        "属于 客服代表：得分按 技术支持 的权重计算，而不是 客服代表 的权重 — 如确已换岗，请从 2026-02 "
        "起把此人安置到新岗位的级别（cslevel adjust level 0001 --from 2026-02 --to 新级别 --reason "
        "原因），然后重新运行；否则请在此格填写 客服代表。"))]
    assert (tmp_path / "history.db").read_bytes() == before
    assert not (tmp_path / "out" / "results-2026-02.xlsx").exists()
    # the same in English (a refusal lists its errors: 0003's warning shows once it runs)
    monkeypatch.setenv("CSLEVEL_LANG", "en")
    code, out, _err = cli("score", feb, "--scheme", "weighted", "--out", "out/", "--json")
    assert code == 1
    assert [p["text"] for p in json.loads(out)["problems"]] == [
        ("kpi_2026-02.xlsx › 考核 › C2: agent 0001's 岗位 is 技术支持 here, but in 2026-02 the "
        "agent holds 普通·高级, a level of 客服代表: the score is weighted for 技术支持, not for "
        "客服代表 — If the post really changed, place the agent on the new post's ladder from "
        "2026-02 (cslevel adjust level 0001 --from 2026-02 --to LEVEL --reason …) and run "
        "again; otherwise write 客服代表 in this cell.")]
    # the post did change: placed, the month is scored (0001 on the technical weights)
    cli_json("adjust", "level", "0001", "--from", "2026-02", "--to", "技术支持·中级",
             "--reason", "转技术支持岗")
    doc = cli_json("score", feb, "--scheme", "weighted", "--out", "out/")
    assert _scores(doc) == {"0001": (81, "技术支持·中级"), "0002": (71.5, "大客户·中级"),
                            "0003": (79, "审核员二级")}
    assert [(p["severity"], p["text"]) for p in doc["problems"]] == [(
        "warning",
        ("kpi_2026-02.xlsx › 考核 › C4: agent 0003's 岗位 is 客服主管 here, but in 2026-02 the "
        "agent holds 审核员二级, a level of 审核员 (both posts are scored on the same weights) — "
        "If the post really changed, place the agent on the new post's ladder from 2026-02 "
        "(cslevel adjust level 0003 --from 2026-02 --to LEVEL --reason …) and run again; "
        "otherwise write 审核员 in this cell."))]


def test_a_new_agent_given_no_level_opens_on_the_post_of_the_kpi_row(cli_json,
                                                                    tmp_path: Path) -> None:
    """Neither a roster nor a 当前级别 column: the KPI's 岗位 places a new agent at the lowest
    level of that post (as a roster row giving only the post does), so the month is scored
    and graded on the same post; a 岗位 that is no post opens at the entry level."""
    kpi = _kpi(tmp_path, "2026-01", [_tech("0001", "甲", (90, 80, 70), 60),
                                     _service("0002", "乙", (90, 80, 70, 60), 50, "审核员"),
                                     _service("0003", "丙", (80, 80, 80, 80), 70, "客服")])
    doc = cli_json("score", kpi, "--scheme", "weighted", "--out", "out/")
    assert _scores(doc) == {"0001": (81, "技术支持·中级"), "0002": (71.5, "审核员一级"),
                            "0003": (79, "普通·中级")}
    assert doc["problems"] == []


# --- cslevel inspect and the 考勤 item -----------------------------------------------------------
def test_inspect_says_the_attendance_item_comes_from_the_attendance_workbook(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a template whose 考勤 item is the month's attendance score
    (`score.attendance_metric`), a KPI workbook without a 考勤 column is understood: the item
    is listed as coming from the attendance workbook, with what to pass (a warning, exit 0)."""
    kpi = _kpi(tmp_path, "2026-01", ROWS, attendance=False)
    code, out, _err = cli("inspect", kpi, "--scheme", "weighted", "--json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["kind"], doc["mode"], doc["agents"], doc["months"]) == (
        "kpi", "metrics", 3, ["2026-01"])
    assert doc["from_attendance"] == {"考勤": "attendance"}
    assert "考勤" not in doc["columns"] and doc["columns"]["岗位"] == "role"
    assert [(p["severity"], p["text"]) for p in doc["problems"]] == [(
        "warning",
        ("kpi_2026-01.xlsx › 考核 › row 1: 没有“考勤”列：按本模板（score.attendance_metric），考勤项"
        "为当月考勤得分，取自考勤表 — 请同时给出当月考勤表：cslevel score kpi_2026-01.xlsx "
        "--attendance 考勤表.xlsx（cslevel run 从 input/ 中取）。不给考勤表时，本表须为每人填写考勤。"))]
    code, out, _err = cli("inspect", kpi, "--scheme", "weighted")
    assert code == 0
    assert "│ —  │ 考勤" in out and "metric:attendance（取自考勤表）" in out
    monkeypatch.setenv("CSLEVEL_LANG", "en")
    code, out, _err = cli("inspect", kpi, "--scheme", "weighted", "--json")
    assert [p["text"] for p in json.loads(out)["problems"]] == [
        ("kpi_2026-01.xlsx › 考核 › row 1: no 考勤 column: under this template "
        "(score.attendance_metric) the 考勤 item is the month's attendance score, taken from the "
        "attendance workbook — Give the month's attendance workbook with this one: cslevel score "
        "kpi_2026-01.xlsx --attendance ATTENDANCE.xlsx (cslevel run takes it from input/). "
        "Without it, every agent needs a 考勤 value in this workbook.")]


def test_inspect_reads_a_kpi_attendance_column_as_before(cli, tmp_path: Path) -> None:
    """With the 考勤 column the item is the column's (nothing said); a template without
    `attendance_metric` still needs the column, as `score` does."""
    with_column = _kpi(tmp_path, "2026-01", ROWS)
    code, out, _err = cli("inspect", with_column, "--scheme", "weighted", "--json")
    doc = json.loads(out)
    assert (code, doc["from_attendance"], doc["problems"]) == (0, {}, [])
    assert doc["columns"]["考勤"] == "metric:attendance"
    template = tmp_path / "no_metric.yaml"
    template.write_text(_TEXT.replace("  attendance_metric: attendance\n", ""), "utf-8")
    without = _kpi(tmp_path, "2026-02", ROWS, attendance=False)
    code, out, _err = cli("inspect", without, "--scheme", template, "--json")
    assert code == 1
    assert [p["message"] for p in json.loads(out)["problems"]] == [
        "绩效表中既没有得分列（考核得分），指标列也不全（缺少：考勤）"]
