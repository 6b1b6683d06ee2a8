"""The points scheme (岗位定级积分): hard items from a profile workbook + 0.75 × the month's
performance, bands to levels (lower bound inclusive), below 60 not graded and flagged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx

from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

POINTS, TEXT = load_scheme("points")
JAN = Month(2026, 1)
# every hard minimum met: 本科 or above, five years and more, two of them in hotel or
# property service, both posts
MEETS_ALL = {"education": 3, "experience": 5, "hotel_experience": 2, "posts": 5,
             "certificates": 0}


def profile(**points: float) -> dict[str, Decimal]:
    """A score's hard-item points as the score stage keeps them (`profile:<item>`)."""
    return {f"profile:{k}": Decimal(str(v)) for k, v in {**MEETS_ALL, **points}.items()}


@pytest.mark.parametrize(("score", "level", "flags"), [
    (59.99, "未定级", ("not_graded",)),
    (60, "助理", ()), (62.99, "助理", ()), (63, "助理·高", ()), (65.99, "助理·高", ()),
    (66, "助理一级", ()), (70.99, "助理一级", ()), (71, "二级", ()), (80.99, "二级", ()),
    (81, "三级", ()), (86, "四级", ()), (91, "五级", ()), (95.99, "五级", ()), (96, "六级", ()),
    (100, "六级", ()),
])
def test_bands_lower_bound_inclusive(score: float, level: str, flags: tuple[str, ...]) -> None:
    agent = Agent("1", start_level="二级", first_month=JAN)
    states, next_level = replay(
        agent, {JAN: Score("1", JAN, Decimal(str(score)), profile())}, POINTS, JAN)
    assert next_level == level
    assert states[0].flags == flags
    assert states[0].level == "二级"  # decided at the close of the month, in force next month


HELD = "score {score} reaches {band}, but the minimum of {held} is not met ({short}): held at {level}"


@pytest.mark.language("en")
@pytest.mark.parametrize(("score", "points", "level", "note"), [
    # education: 大专 (1) for 助理…二级, 本科 (3) for 三级 and above
    (60, {"education": 1}, "助理", ""),
    (60, {"education": 0}, "未定级", HELD.format(
        score=60, band="助理", held="助理", short="学历 0 < 1", level="未定级")),
    (70, {"education": 0}, "未定级", HELD.format(
        score=70, band="助理一级", held="助理", short="学历 0 < 1", level="未定级")),
    (71, {"education": 1}, "二级", ""),
    (80, {"education": 0}, "未定级", HELD.format(
        score=80, band="二级", held="助理", short="学历 0 < 1", level="未定级")),
    (81, {"education": 3}, "三级", ""),
    (81, {"education": 1}, "二级", HELD.format(
        score=81, band="三级", held="三级", short="学历 1 < 3", level="二级")),
    (86, {"education": 3}, "四级", ""),
    (86, {"education": 1}, "二级", HELD.format(
        score=86, band="四级", held="三级", short="学历 1 < 3", level="二级")),
    (91, {"education": 1}, "二级", HELD.format(
        score=91, band="五级", held="三级", short="学历 1 < 3", level="二级")),
    # experience: five years and more (5 points) for 五级 and 六级
    (91, {"experience": 5}, "五级", ""),
    (91, {"experience": 4}, "四级", HELD.format(
        score=91, band="五级", held="五级", short="工作经验 4 < 5", level="四级")),
    (96, {"experience": 5}, "六级", ""),
    (96, {"experience": 4}, "四级", HELD.format(
        score=96, band="六级", held="五级", short="工作经验 4 < 5", level="四级")),
    # …at least two of them in hotel or property service (not scored: years)
    (91, {"hotel_experience": 2}, "五级", ""),
    (91, {"hotel_experience": 1.9}, "四级", HELD.format(
        score=91, band="五级", held="五级", short="酒店物业从业年限 1.9 < 2", level="四级")),
    (100, {"hotel_experience": 1}, "四级", HELD.format(
        score=100, band="六级", held="五级", short="酒店物业从业年限 1 < 2", level="四级")),
    # both posts (5 points) for 五级 and 六级
    (95.99, {"posts": 5}, "五级", ""),
    (95.99, {"posts": 4}, "四级", HELD.format(
        score="95.99", band="五级", held="五级", short="可胜任岗位 4 < 5", level="四级")),
    (96, {"posts": 2}, "四级", HELD.format(
        score=96, band="六级", held="五级", short="可胜任岗位 2 < 5", level="四级")),
    (96, {"experience": 4, "posts": 4}, "四级", HELD.format(
        score=96, band="六级", held="五级", short="工作经验 4 < 5, 可胜任岗位 4 < 5",
        level="四级")),
    # a minimum missed only matters when the points reach its band
    (90.99, {"experience": 0, "hotel_experience": 0, "posts": 2}, "四级", ""),
])
def test_hard_minimums_hold_an_agent_at_the_highest_band_they_meet(
        score: float, points: dict[str, float], level: str, note: str) -> None:
    agent = Agent("1", start_level="二级", first_month=JAN)
    value = Decimal(str(score))
    states, next_level = replay(agent, {JAN: Score("1", JAN, value, profile(**points))},
                                POINTS, JAN)
    assert (next_level, states[0].note) == (level, note)
    assert states[0].flags == (("not_graded",) if level == "未定级" else ())


@pytest.mark.language("en")
def test_the_move_of_a_held_agent_names_the_minimum() -> None:
    agent = Agent("1", start_level="二级", first_month=JAN)
    states, _ = replay(agent, {JAN: Score("1", JAN, Decimal(93), profile(posts=4))}, POINTS,
                       JAN)
    decision = states[0].decision
    assert (decision.from_level, decision.to_level, decision.kind) == ("二级", "四级", "promote")
    assert decision.reason == ("2026-01 score 93 reaches 五级, held at 四级 by the minimum of "
                               "五级 (可胜任岗位 4 < 5): 四级 from 2026-02")


def test_held_note_in_chinese() -> None:
    agent = Agent("1", start_level="二级", first_month=JAN)
    states, _ = replay(agent, {JAN: Score("1", JAN, Decimal(81), profile(education=1))},
                       POINTS, JAN)
    assert states[0].note == "积分 81 达到 三级，但未满足 三级 的最低要求（学历 1 < 3）：停在 二级"
    assert states[0].decision is None  # held at the level already held: no move


def test_the_minimums_follow_the_source() -> None:
    """DOMAIN.md Scheme 4: 大专 for 助理…二级, 本科 for 三级 and up; 五级/六级 also five years
    and more (two in hotel or property service) and both posts."""
    minimums = {b.level: dict(b.minimums) for b in POINTS.promotion.grade_bands}
    college, bachelor = {"education": 1}, {"education": 3}
    top = {"education": 3, "experience": 5, "hotel_experience": 2, "posts": 5}
    assert minimums == {"助理": college, "助理·高": college, "助理一级": college, "二级": college,
                        "三级": bachelor, "四级": bachelor, "五级": top, "六级": top}
    values = {i.key: i for i in POINTS.profile.items}
    assert values["education"].values["大专"] == 1 and values["education"].values["本科"] == 3
    assert [s.points for s in values["experience"].steps if s.at_least == 5] == [5]
    assert values["posts"].values["前台及粤点轩"] == 5
    assert not values["hotel_experience"].scored
    assert "硬性定级指标" in TEXT and "前台及粤点轩均可胜任" in TEXT


@pytest.mark.parametrize(("name", "level"), [
    ("助理一级", "助理一级"), ("一级", "助理一级"), ("助理二级", "二级"), ("二级", "二级"),
    ("助理三级", "三级"), ("助理四级", "四级"), ("助理五级", "五级"), ("助理六级", "六级"),
])
def test_the_sources_names_are_understood(name: str, level: str) -> None:
    assert POINTS.resolve_level(name) == level


def test_height_and_looks_are_left_out() -> None:
    assert [i.key for i in POINTS.profile.items if i.scored] == [
        "education", "experience", "posts", "certificates"]
    assert "身高、相貌" in TEXT and "unlawful" in TEXT


def test_hard_items_are_scaled_back_to_25() -> None:
    """Without height and looks the four hard items reach 20: scaled by 25/20 they reach the
    source's 25 again, so 25 + 0.75 × 100 = 100 and 六级 (96–100) can be reached."""
    items = [i for i in POINTS.profile.items if i.scored]
    most = sum(max([*i.values.values(), *(s.points for s in i.steps),
                    *([i.max] if i.max is not None else [])]) for i in items)
    assert most == 20
    assert POINTS.profile.scale == Decimal("1.25")
    assert most * POINTS.profile.scale + POINTS.score.performance_factor * 100 == 100
    assert "25/20" in TEXT


@pytest.mark.language("en")
def test_profile_plus_performance_through_the_cli(tmp_path: Path, cli_json, cli) -> None:
    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "姓名", "学历", "工作经验", "可胜任岗位", "证书数", "酒店物业从业年限"],
        ["0001", "甲", "本科", "3年", "售前售后", 3, 0],     # 3 + 4 + 5 + 3 = 15
        ["0002", "乙", "大专", "实习", "售前", 7, None],      # 1 + 0 + 2 + 5 (at most 5) = 8
        ["0003", "丙", "硕士", 6, "售后", 0, "3年"],           # 5 + 5 + 4 + 0 = 14
        ["0004", "丁", "博士", "5年", "两者", 5, "2年"],       # 5 + 5 + 5 + 5 = 20, the most
        ["0005", "戊", "高中", 6, "前台及粤点轩", 5, 4],       # 0 + 5 + 5 + 5 = 15, no 大专
    ])
    write_xlsx(tmp_path / "roster.xlsx", [  # the source's names of the bands
        ["工号", "姓名", "当前级别"], ["0001", "甲", "助理一级"], ["0002", "乙", "助理二级"],
        ["0003", "丙", "助理三级"], ["0004", "丁", "助理六级"], ["0005", "戊", "助理"]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [
        ["工号", "姓名", "绩效总分"], ["0001", "甲", 60], ["0002", "乙", 80], ["0003", "丙", 100],
        ["0004", "丁", 100], ["0005", "戊", 100]])
    doc = cli_json("score", "kpi_2026-01.xlsx", "--scheme", "points", "--profile", "profile.xlsx",
                   "--roster", "roster.xlsx")
    # hard × 25/20 + 0.75 × performance: 15 × 1.25 + 45, 8 × 1.25 + 60, 14 × 1.25 + 75, 25 + 75,
    # 15 × 1.25 + 75 (the hotel years are not scored)
    agents = {a["agent_id"]: a for a in doc["agents"]}
    assert {a: agent["score"] for a, agent in agents.items()} == {
        "0001": 63.75, "0002": 70, "0003": 92.5, "0004": 100, "0005": 93.75}
    assert {a: agent["level"] for a, agent in agents.items()} == {
        "0001": "助理一级", "0002": "二级", "0003": "三级", "0004": "六级", "0005": "助理"}
    assert agents["0003"]["note"] == ("score 92.5 reaches 五级, but the minimum of 五级 is not "
                                      "met (可胜任岗位 4 < 5): held at 四级")
    assert agents["0005"]["note"] == ("score 93.75 reaches 五级, but the minimum of 助理 is not "
                                      "met (学历 0 < 1): held at 未定级")
    assert agents["0005"]["flags"] == ["not_graded"]
    assert doc["problems"] == []
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "助理·高", "0002": "助理一级", "0003": "四级", "0004": "六级", "0005": "未定级"}
    history = cli_json("history", "0003")
    assert history["months"][0]["reason"] == (
        "2026-01 score 92.5 reaches 五级, held at 四级 by the minimum of 五级 (可胜任岗位 4 < 5): "
        "四级 from 2026-02")

    code, _, err = cli("score", "kpi_2026-01.xlsx", "--scheme", "points")
    assert code == 1 and "Give --profile profile.xlsx" in err


@pytest.mark.language("en")
def test_a_profile_without_the_hotel_years_column_is_read_with_a_warning(
        tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "学历", "工作经验", "可胜任岗位", "证书数"], ["0001", "博士", 9, "两者", 5]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [["工号", "绩效总分"], ["0001", 100]])
    doc = cli_json("score", "kpi_2026-01.xlsx", "--scheme", "points", "--profile",
                   "profile.xlsx")
    assert [p["text"] for p in doc["problems"]] == [(
        "profile.xlsx › Sheet1 › row 1: the profile workbook has no column 酒店物业从业年限: "
        "every agent has 0 points on it — Add the column 酒店物业从业年限 (or one of "
        "酒店或物业从业年限, 酒店物业经验, 酒店或物业相关从业经验, Hotel or property years) if any "
        "agent has it.")]
    assert [p["severity"] for p in doc["problems"]] == ["warning"]
    agent, = doc["agents"]
    assert agent["score"] == 100
    assert agent["note"] == ("score 100 reaches 六级, but the minimum of 五级 is not met "
                             "(酒店物业从业年限 0 < 2): held at 四级")


@pytest.mark.language("en")
def test_a_bad_profile_value_is_named(tmp_path: Path, cli) -> None:
    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "学历", "工作经验", "可胜任岗位", "证书数"], ["0001", "小学毕业", 1, "售前", 1]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [["工号", "绩效总分"], ["0001", 60]])
    code, _, err = cli("score", "kpi_2026-01.xlsx", "--scheme", "points", "--profile",
                       "profile.xlsx")
    assert code == 1
    assert "profile.xlsx › Sheet1 › B2: 学历: '小学毕业' is not one of 初中, 高中" in err


def test_the_example_shows_agents_held_by_a_minimum(tmp_path: Path, cli_json) -> None:
    """examples/points (examples/schemes.py): the roster's source names are understood and
    the hard minimums hold agents, the note naming the minimum."""
    folder = Path(__file__).resolve().parent.parent / "examples" / "points"
    doc = cli_json("score", str(folder / "kpi_2026-01.xlsx"), "--roster", folder / "roster.xlsx",
                   "--profile", folder / "profile.xlsx", "--scheme", "points",
                   "--out", f"{tmp_path / 'out'}/")
    notes = {a["agent_id"]: a["note"] for a in doc["agents"]}
    assert {a["level"] for a in doc["agents"]} == {"二级"}  # 助理二级 in the roster
    assert notes["0106"] == "积分 82.78 达到 三级，但未满足 三级 的最低要求（学历 1 < 3）：停在 二级"
    assert notes["0110"] == ("积分 93.1 达到 五级，但未满足 五级 的最低要求（工作经验 4 < 5、"
                             "酒店物业从业年限 1 < 2）：停在 四级")
    assert notes["0109"] == "积分 62.23 达到 助理，但未满足 助理 的最低要求（学历 0 < 1）：停在 未定级"


@pytest.mark.language("en")
def test_a_minimum_on_an_unknown_item_is_refused(tmp_path: Path, cli) -> None:
    text = TEXT.replace("level: 助理, minimums: {education: 1}", "level: 助理, minimums: {height: 1}")
    assert text != TEXT
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    code, out, err = cli("templates", "validate", "bad.yaml")
    assert code == 1
    assert ("bad.yaml: Value error, promotion.grade_bands (助理): minimums name unknown profile "
            "items ['height']; allowed: ['education', 'experience', 'posts', 'certificates', "
            "'hotel_experience']") in out + err
