"""The rules' decision reasons and month notes, the payroll's explanations (计算说明) and
change reasons (变动说明), and the month parse error, in Chinese (the default) and English
(`language("en")`): real rule runs and pay lines, exact texts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from cslevel.payroll import PayInputs, change_reasons, pay_line, team_lead_pay
from cslevel.records import Agent, Decision, Month, MonthState, PayLine, Score
from cslevel.rules import replay
from cslevel.templates import LeadBand, TeamLeadPay, load_scheme

JAN = Month(2026, 1)
STAR, _STAR_TEXT = load_scheme("star")


def states(scheme: str, start: str | None, scores: list[float | None], *,
           hire: date | None = None, leave: date | None = None, blocked: tuple[int, ...] = (),
           places: list[int] | None = None,
           metrics: dict[str, int] | None = None) -> list[MonthState]:
    """One agent's month states from January 2026 under a shipped scheme (`metrics`: each
    score's, e.g. the points scheme's hard items)."""
    loaded, _text = load_scheme(scheme)
    agent = Agent("0001", "甲", "一组", "", hire, leave, start, JAN, True)
    by_month = {}
    for i, value in enumerate(scores):
        if value is not None:
            by_month[JAN + i] = Score(
                "0001", JAN + i, Decimal(str(value)),
                {k: Decimal(v) for k, v in (metrics or {}).items()}, discipline_block=i in blocked,
                team_rank=places[i] if places else None, team_size=10 if places else None)
    found, _next = replay(agent, by_month, loaded, JAN + (len(scores) - 1))
    return found


def reason(scheme: str, start: str | None, scores: list[float | None], month: int,
           **kwargs: object) -> str:
    """The reason of the decision taken at the close of 2026-`month`."""
    decision = states(scheme, start, scores, **kwargs)[month - 1].decision  # type: ignore[arg-type]
    assert decision is not None
    return decision.reason


def note(scheme: str, start: str | None, scores: list[float | None], month: int,
         **kwargs: object) -> str:
    """The note of 2026-`month`."""
    return states(scheme, start, scores, **kwargs)[month - 1].note  # type: ignore[arg-type]


# the points scheme's hard items (profile:<item>, as read) meeting every band's minimums
HARD_MINIMUMS_MET = {"profile:education": 3, "profile:experience": 5, "profile:posts": 5,
                     "profile:hotel_experience": 2}


# --- pay --------------------------------------------------------------------------------------
SUPERVISOR = Agent("0001", "甲", "一组", "", date(2020, 3, 1), None, "二星", JAN, True, "一档")


def pay(level: str = "二星", score: str | None = "112",
        attendance: dict[str, Decimal] | None = None, agent: Agent = SUPERVISOR) -> PayLine:
    """April 2026's pay line under the star scheme (figures of March)."""
    return pay_line(PayInputs(agent, Month(2026, 4), level, Month(2026, 3),
                              Decimal(score) if score is not None else None, attendance), STAR)


ABSENT_AND_LATE = {"absent_days": Decimal(1), "late": Decimal(2)}
PROMOTED = Decision("0001", Month(2026, 3), Month(2026, 4), "二星", "三星", "promote",
                    "streak_up", "")


def _lead_pay_unqualified() -> str:
    """A team lead whose team averaged 92.50 over the quarter, under the lowest band (100)."""
    lead = TeamLeadPay(name="管理津贴", min_level="二星",
                       bands=[LeadBand(at_least=Decimal(100), amount=Decimal(200))])
    scheme = STAR.model_copy(update={"pay": STAR.pay.model_copy(update={"team_lead": lead})})
    return team_lead_pay(SUPERVISOR, "三星", scheme, [JAN, JAN + 1, JAN + 2],
                         [Decimal(90), Decimal(95)], [])[1]


# (id, the text, Chinese, English)
MESSAGES: list[tuple[str, Callable[[], str], str, str]] = [
    # the streak rule (star)
    ("promotion", lambda: reason("star", "二星", [112, 115, 120], 3),
     "连续3个月绩效≥110%（2026-01 112、2026-02 115、2026-03 120），2026-04起晋升为三星",
     ("3 months in a row at or above 110% (2026-01 112, 2026-02 115, 2026-03 120): promoted "
     "to 三星 from 2026-04")),
    ("demotion", lambda: reason("star", "二星", [100, 105, 109.9], 3),
     "连续3个月绩效<110%（2026-01 100、2026-02 105、2026-03 109.9），2026-04起降为一星",
     ("3 months in a row below 110% (2026-01 100, 2026-02 105, 2026-03 109.9): demoted to 一星 "
     "from 2026-04")),
    ("trial-end", lambda: reason("star", None, [120, 120, 120], 3, hire=date(2026, 1, 10)),
     "试用期3个月满（至2026-03），2026-04起为一星",
     "trial of 3 months ends with 2026-03: 一星 from 2026-04"),
    ("trial-month", lambda: note("star", None, [120, 120, 120], 1, hire=date(2026, 1, 10)),
     "试用期不计入连续考核", "trial month, not counted"),
    ("no-score", lambda: note("star", "二星", [120, None, 120], 2),
     "本月无成绩，连续计数重新开始", "no score: streaks restart"),
    ("top-level", lambda: note("star", "五星", [120, 120, 120], 3),
     "已是最高级五星，不再晋升", "already at the top level (五星)"),
    ("floor-level", lambda: note("star", "一星", [100, 100, 100], 3),
     "已是最低星级一星，不再降级", "already at the lowest regular level (一星)"),
    ("discipline", lambda: note("star", "二星", [120, 120, 120], 3, blocked=(0, 1)),
     "违纪标记，暂不晋升（2026-01、2026-02）",
     "promotion blocked by a discipline flag in 2026-01, 2026-02"),
    ("leaver", lambda: note("star", "二星", [120, 120, 120], 3, leave=date(2026, 3, 15)),
     "2026-03-15 离职，不再调整级别", "left on 2026-03-15: no change of level"),
    # the window-average rule (weighted)
    ("review-down-probation", lambda: reason("weighted", "大客户·中级", [40, 45, 50], 3),
     ("2026-01–2026-03 平均 45（2026-01 40、2026-02 45、2026-03 50），2026-04起降为普通·高级，"
     "并试用考察一个月"),
     ("2026-01–2026-03 average 45 (2026-01 40, 2026-02 45, 2026-03 50): demoted to 普通·高级 "
     "from 2026-04, and a month of probation")),
    ("review-unchanged", lambda: note("weighted", "普通·中级", [75, 75, 75], 3),
     "2026-01–2026-03 平均 75（2026-01 75、2026-02 75、2026-03 75），级别不变",
     "2026-01–2026-03 average 75 (2026-01 75, 2026-02 75, 2026-03 75): unchanged"),
    ("dismissal-review", lambda: note("weighted", "大客户·中级", [40, 45, 50, 48], 4),
     "试用考察期内绩效 48 < 50，提请部门审议是否解除劳动合同（由人决定）",
     "score 48 < 50 during probation: dismissal review for a person to decide"),
    # the score-bands rule (points) and the rank-streak rule (grade_dc)
    ("below-every-band", lambda: note("points", None, [55, 72], 1),
     "积分 55 低于最低档 60，不予定级，请复核",
     "score 55 below every band (the lowest: 60): not graded, for review"),
    ("band", lambda: reason("points", None, [55, 72], 2, metrics=HARD_MINIMUMS_MET),
     "2026-02 积分 72，2026-03起定为二级", "2026-02 score 72 is in the band of 二级: 二级 from 2026-03"),
    ("band-held", lambda: reason("points", "二级", [92.5], 1,
                                 metrics={**HARD_MINIMUMS_MET, "profile:posts": 4}),
     "2026-01 积分 92.5 达到 五级，因未满足 五级 的最低要求（可胜任岗位 4 < 5）停在 四级，2026-02起定为四级",
     ("2026-01 score 92.5 reaches 五级, held at 四级 by the minimum of 五级 (可胜任岗位 4 < 5): "
      "四级 from 2026-02")),
    ("band-held-note", lambda: note("points", "二级", [81], 1,
                                    metrics={**HARD_MINIMUMS_MET, "profile:education": 1}),
     "积分 81 达到 三级，但未满足 三级 的最低要求（学历 1 < 3）：停在 二级",
     "score 81 reaches 三级, but the minimum of 三级 is not met (学历 1 < 3): held at 二级"),
    ("place-restarts", lambda: note("grade_dc", None, [90, 90], 2, places=[1, 5]),
     "组内第5名，连续计数清零", "place 5 in the team: the count restarts"),
    # how the pay was worked out
    ("pay-note", lambda: pay(attendance=ABSENT_AND_LATE).note,
     ("岗位绩效工资 = 1,200.00 × 2026-03绩效 112/100；工龄6年；主管津贴一档；考勤扣款 191.72"
     "（2026-03：旷工天数 1 × 1天日薪 151.72，迟到次数 2 × 20.00）"),
     ("岗位绩效工资 = 1,200.00 × 2026-03 score 112/100; 6 years of service; 主管津贴 tier 一档; "
     "考勤扣款 191.72 (2026-03: 旷工天数 1 × 1 × daily pay 151.72, 迟到次数 2 × 20.00)")),
    ("pay-note-capped", lambda: pay(score="130").note,
     ("岗位绩效工资 = 1,200.00 × 2026-03绩效 130/100（封顶 ×1.2）；工龄6年；主管津贴一档；"
     "2026-03无考勤记录，不扣款"),
     ("岗位绩效工资 = 1,200.00 × 2026-03 score 130/100 (capped at ×1.2); 6 years of service; "
     "主管津贴 tier 一档; no attendance record for 2026-03: nothing deducted")),
    ("pay-note-no-score", lambda: pay(score=None, attendance={}, agent=Agent("0002")).note,
     "2026-03无考核成绩，岗位绩效工资按标准发放；无入职日期，工龄补贴为 0",
     "no score for 2026-03: 岗位绩效工资 paid at the standard amount; no hire date: 工龄补贴 is 0"),
    ("one-year", lambda: pay(attendance={}, agent=Agent("0003", hire_date=date(2025, 1, 1))
                             ).note.split("；")[-1].split("; ")[-1],
     "工龄1年", "1 year of service"),
    ("lead-unqualified", _lead_pay_unqualified,
     "团队2026-01–2026-03平均 92.50 不合格，不发管理津贴",
     "team average 92.50 in 2026-01–2026-03, unqualified: no management pay"),
    # why the pay changed
    ("change-promotion", lambda: change_reasons(pay(), pay(level="三星"), PROMOTED, SUPERVISOR,
                                                STAR)[0],
     "晋升 二星→三星（2026-03 考核）", "Promotion 二星→三星 (2026-03 review)"),
    ("change-components", lambda: "|".join(change_reasons(
        pay(score="120"), pay(attendance=ABSENT_AND_LATE), None, SUPERVISOR, STAR)),
     "岗位绩效工资 1,440.00→1,344.00（绩效变化）|考勤扣款 0.00→-191.72（考勤变化）",
     ("岗位绩效工资 1,440.00→1,344.00 (performance changed)|考勤扣款 0.00→-191.72 (attendance "
     "changed)")),
    ("change-level", lambda: change_reasons(pay(), pay(level="三星"), None, SUPERVISOR, STAR)[0],
     "级别 二星→三星", "level 二星→三星"),
    ("first-pay", lambda: change_reasons(None, pay(), None, SUPERVISOR, STAR)[0],
     "首次发放（入职 2020-03-01）", "first pay (hired 2020-03-01)"),
    ("left", lambda: change_reasons(pay(), None, None, Agent("0003", leave_date=date(2026, 3, 15)),
                                    STAR)[0],
     "已离职（2026-03-15），本月不再发放", "left on 2026-03-15: no pay this month"),
    ("not-paid", lambda: change_reasons(pay(), None, None, Agent("0003"), STAR)[0],
     "本月不在发放名单", "not on this month's payroll"),
]
IDS = [m[0] for m in MESSAGES]


@pytest.mark.parametrize(("text", "chinese"), [m[1:3] for m in MESSAGES], ids=IDS)
def test_in_chinese(text: Callable[[], str], chinese: str) -> None:
    assert text() == chinese


@pytest.mark.language("en")
@pytest.mark.parametrize(("text", "english"), [(m[1], m[3]) for m in MESSAGES], ids=IDS)
def test_in_english(text: Callable[[], str], english: str) -> None:
    assert text() == english


def test_bad_month_in_chinese() -> None:
    with pytest.raises(ValueError) as info:
        Month.parse("2026-13")
    assert str(info.value) == "不是月份：'2026-13'（应为 YYYY-MM，例如 2026-10）"


@pytest.mark.language("en")
def test_bad_month_in_english() -> None:
    with pytest.raises(ValueError) as info:
        Month.parse("2026-13")
    assert str(info.value) == "not a month: '2026-13' (expected YYYY-MM, e.g. 2026-10)"


@pytest.mark.language("en")
def test_bad_month_option_in_english(cli) -> None:
    code, out, err = cli("payroll", "export", "--month", "2026/13")
    assert (code, out) == (2, "")
    assert "not a month: '2026/13' (expected YYYY-MM, e.g. 2026-10)" in err


def test_bad_month_option_in_chinese(cli) -> None:
    code, out, err = cli("payroll", "export", "--month", "2026/13")
    assert (code, out) == (2, "")
    assert "不是月份：'2026/13'（应为 YYYY-MM，例如 2026-10）" in err
