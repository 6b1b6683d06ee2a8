"""Issue 21, items 6 and 7: the star scheme's trial (basic pay only in every trial month, the
target-responsibility letter 目标责任书 on the sign-off list of the third trial month), and the
KPI section's rules (trainings a year flagged at the year's close, 一次解决率 read apart from
解决率, an item combining several raters' scores with weights). Inputs are built here;
every expectation is worked out by hand beside its input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import write_xlsx

from cslevel.read import read_kpi
from cslevel.records import CslevelError, Month
from cslevel.templates import load_scheme, parse_scheme, shipped_templates_dir

STAR = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
D = Decimal
MARCH = Month(2026, 3)


def _kpi(path: Path, rows: list[list[object]], header: list[str] | None = None) -> str:
    write_xlsx(path, [header or ["工号", "姓名", "组别", "绩效分值"], *rows],
               text_columns=(0, 1, 2))
    return str(path)


# --- item 6: trial pay and the letter -------------------------------------------------------
ROSTER = [["工号", "姓名", "组别", "入职日期", "当前级别"],
          ["0001", "甲", "一组", "2026-01-10", None],     # trial 01–03, 一星 from 04
          ["0002", "乙", "一组", "2026-02-20", None],     # trial 02–04, 一星 from 05
          ["0003", "丙", "一组", "2024-05-01", "二星"]]   # regular: never a trial, no letter
SCORES = {"0001": [100, 100, 100, 100, 100], "0002": [None, 100, 100, 100, 100],
          "0003": [100, 100, None, 100, 100]}  # 03 missing: no move at its close


@pytest.fixture
def trial_history(tmp_path: Path, cli_json) -> Path:
    write_xlsx(tmp_path / "roster.xlsx", ROSTER, text_columns=(0, 1, 2, 4))
    files = [_kpi(tmp_path / f"kpi_2026-{m:02d}.xlsx",
                  [[a, ROSTER[i + 1][1], "一组", s[m - 1]] for i, (a, s) in enumerate(SCORES.items())
                   if s[m - 1] is not None]) for m in range(1, 6)]
    cli_json("score", *files, "--scheme", "star", "--roster", "roster.xlsx", "--out", "out/")
    return tmp_path


# The amounts are the shipped template's (today: the trial level lists 基本工资 2500, 交通补贴
# 100, 餐费补贴 200, 话费补贴 50; 一星 3000, 600, 150, 300, 100). A trial month pays the trial
# level's 基本工资 and nothing else; the first regular month pays every component of 一星 (岗位
# 绩效工资 at its standard amount: the figures month before was a trial month, unscored).
LEVEL_PAY = {lv["name"]: {c: Decimal(str(v)) for c, v in lv["pay"].items()}
             for lv in yaml.safe_load(STAR)["levels"]}
TRIAL_PAID = {"基本工资": LEVEL_PAY["试用"]["基本工资"]}
FIRST_REGULAR = LEVEL_PAY["一星"]


@pytest.mark.parametrize(("agent", "month", "level"), [
    ("0001", "2026-01", "试用"),   # hire month: first trial month
    ("0001", "2026-02", "试用"),
    ("0001", "2026-03", "试用"),   # last trial month
    ("0001", "2026-04", "一星"),   # the month after: full pay
    ("0002", "2026-04", "试用"),
    ("0002", "2026-05", "一星"),
])
def test_trial_months_pay_basic_only_then_full(trial_history: Path, cli_json, agent: str,
                                               month: str, level: str) -> None:
    doc = cli_json("payroll", "export", "--month", month, "--out", f"payroll-{month}.csv")
    line = next(r for r in doc["rows"] if r["agent_id"] == agent)
    paid = TRIAL_PAID if level == "试用" else FIRST_REGULAR
    assert line["level"] == level
    # every component not in `paid` (the other level components, 工龄补贴, 主管津贴, 考勤扣款…)
    # is 0.00: nobody here has seniority, a tier or an attendance record
    assert {c: v for c, v in line["components"].items() if v != "0.00"} == {
        c: f"{v:.2f}" for c, v in paid.items() if v}
    assert line["total"] == f"{sum(paid.values(), Decimal(0)):.2f}"
    trial_note = "试用期：只发基本工资（只享受试用客服员基本薪酬，004）"
    assert (trial_note in line["note"]) == (level == "试用")


def test_the_trial_level_lists_more_than_it_pays() -> None:
    """The shipped trial level lists allowances that a trial month does not pay: the test
    above would pass without the rule otherwise."""
    assert [c for c, v in LEVEL_PAY["试用"].items() if v and c != "基本工资"] != []
    assert load_scheme("star")[0].pay.trial_components == ["基本工资"]


def test_trial_components_must_be_pay_components(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(STAR.replace("trial_components: [基本工资]", "trial_components: [底薪]"),
                   encoding="utf-8")
    code, _out, err = cli("templates", "validate", bad)
    assert code == 1
    assert ("pay.trial_components：未知的薪酬组成 ['底薪']；可选：['基本工资', '岗位绩效工资', "
            "'交通补贴', '餐费补贴', '话费补贴']") in err


@pytest.mark.parametrize(("as_of", "letters"), [
    ("2026-01", []),
    ("2026-02", []),
    ("2026-03", [("0001", "试用", "2026-03")]),   # hired 2026-01-10: its third trial month
    ("2026-04", [("0002", "试用", "2026-04")]),   # hired 2026-02-20
    ("2026-05", []),                              # nobody in trial any more
])
def test_the_letter_is_due_exactly_in_the_third_trial_month(trial_history: Path, cli_json,
                                                            as_of: str, letters: list) -> None:
    doc = cli_json("promote", "--as-of", as_of, "--dry-run")
    assert [(x["agent_id"], x["level"], x["month"]) for x in doc["letters"]] == letters
    assert all(x["letter"] == "目标责任书" and x["trial_month"] == 3 for x in doc["letters"])


def test_the_letter_is_a_line_of_the_sign_off_list(trial_history: Path, cli_json, cli) -> None:
    doc = cli_json("promote", "--as-of", "2026-03", "--out", "moves.xlsx")
    assert [(m["agent_id"], m["from"], m["to"]) for m in doc["moves"]] == [("0001", "试用", "一星")]
    sheet = openpyxl.load_workbook(trial_history / "moves.xlsx").worksheets[1]
    rows = [tuple(c.value for c in row[:8]) for row in sheet.iter_rows(min_row=4)]
    assert rows == [
        ("0001", "甲", "一组", "试用期满", "试用", "一星", "2026-04",
         next(m["reason"] for m in doc["moves"])),
        ("0001", "甲", "一组", "目标责任书", "试用", None, "2026-03",
         "试用期第 3/3 个月：本人签订目标责任书（004）"),
    ]
    # the signature columns are there, empty, as for a move
    assert [c.value for c in sheet[5]][8:] == [None] * 7
    # signed and imported: the letter's line moves nothing and is not refused as unknown
    book = openpyxl.load_workbook(trial_history / "moves.xlsx")
    signed = book.worksheets[1]
    signed.cell(4, 13, "同意")
    signed.cell(5, 13, "同意")
    book.save(trial_history / "signed.xlsx")
    got = cli_json("signoff", "import", "signed.xlsx")
    assert (got["approved"], got["rejected"], got["pending"]) == (1, 0, 0)


def test_the_letter_month_must_be_a_trial_month(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(STAR.replace("trial_letter: {name: 目标责任书, month: 3}",
                                "trial_letter: {name: 目标责任书, month: 4}"), encoding="utf-8")
    code, _out, err = cli("templates", "validate", bad)
    assert code == 1
    assert "signoff.trial_letter.month 4 不是试用月份：模板的试用期为 3 个月" in err


def test_without_the_field_no_letter() -> None:
    text = STAR.replace("  trial_letter: {name: 目标责任书, month: 3}\n", "  required: false\n")
    assert text != STAR
    assert parse_scheme(text, "x").signoff.trial_letter is None
    assert load_scheme("star")[0].signoff.trial_letter is not None


# --- item 7: trainings a year ----------------------------------------------------------------
TRAINING_HEADER = ["工号", "姓名", "组别", "绩效分值", "培训次数"]
# trainings by month 01..12 (None: blank cell); 0011 reaches 2 only in December
TRAININGS = {"0011": [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],      # 1 in the year: flagged
             "0012": [0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],      # 2: not flagged
             "0013": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],      # 2, the last in December
             "0014": [None] * 12}                               # no figure at all: skipped


@pytest.fixture
def training_year(tmp_path: Path, cli_json) -> Path:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "当前级别"],
                                          *[[a, f"员工{a}", "一组", "二星"] for a in TRAININGS]],
               text_columns=(0, 1, 2, 3))
    files = [_kpi(tmp_path / f"kpi_2026-{m:02d}.xlsx",
                  [[a, f"员工{a}", "一组", 110 if m % 2 else 100, t[m - 1]]
                   for a, t in TRAININGS.items()],  # (streaks never complete: no notes)
                  TRAINING_HEADER) for m in range(1, 13)]
    cli_json("score", *files, "--scheme", "star", "--roster", "roster.xlsx", "--out", "out/")
    return tmp_path


def test_trainings_flagged_at_the_years_close_only(training_year: Path, cli_json) -> None:
    for month in range(1, 12):  # below 2 all year long, never flagged before the close
        doc = cli_json("promote", "--as-of", f"2026-{month:02d}", "--dry-run")
        assert doc["flags"] == [], month
    doc = cli_json("promote", "--as-of", "2026-12", "--dry-run")
    assert doc["flags"] == [{"agent_id": "0011", "month": "2026-12", "flag": "training_short",
                             "reason": "2026年培训 1 次，少于 2 次（003：每年至少 2 次）"}]


def test_training_no_figures_zero_and_another_close(tmp_path: Path, cli_json) -> None:
    text = STAR.replace("  close_month: 12\n  no_figures: skip",
                        "  close_month: 3\n  no_figures: zero")
    assert text != STAR
    (tmp_path / "star_q1.yaml").write_text(text, encoding="utf-8")
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "当前级别"],
                                          *[[a, f"员工{a}", "一组", "二星"] for a in TRAININGS]],
               text_columns=(0, 1, 2, 3))
    files = [_kpi(tmp_path / f"kpi_2026-{m:02d}.xlsx",
                  [[a, f"员工{a}", "一组", 110 if m % 2 else 100, t[m - 1]]
                   for a, t in TRAININGS.items()], TRAINING_HEADER) for m in range(1, 5)]
    cli_json("score", *files, "--scheme", "star_q1.yaml", "--roster", "roster.xlsx",
             "--out", "out/")
    flags = {m: [(f["agent_id"], f["reason"]) for f in cli_json(
        "promote", "--as-of", m, "--dry-run")["flags"]] for m in ("2026-02", "2026-03", "2026-04")}
    assert flags == {
        "2026-02": [],
        # Jan–Mar: 0011 1, 0012 1, 0013 0, 0014 no figure (counted as 0 under `zero`)
        "2026-03": [("0011", "2026年培训 1 次，少于 2 次（003：每年至少 2 次）"),
                    ("0012", "2026年培训 1 次，少于 2 次（003：每年至少 2 次）"),
                    ("0013", "2026年培训 0 次，少于 2 次（003：每年至少 2 次）"),
                    ("0014", "2026年培训 0 次，少于 2 次（003：每年至少 2 次）")],
        "2026-04": []}


def test_training_metric_must_be_a_metric(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(STAR.replace("  metric: training\n", "  metric: trainings\n"),
                   encoding="utf-8")
    code, _out, err = cli("templates", "validate", bad)
    assert code == 1 and "training.metric 'trainings' 不是指标" in err


# --- item 7: 一次解决率 (FCR) is not 解决率 ----------------------------------------------------
FCR_WORDS = {"一次解决率", "首次解决率", "fcr", "一次性解决率", "首次联络解决率"}


@pytest.mark.parametrize("path", sorted(shipped_templates_dir().glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_no_shipped_template_reads_fcr_as_another_metric(path: Path) -> None:
    scheme, _text = load_scheme(str(path))
    for metric in scheme.score.metrics:
        names = {n.lower() for n in [metric.name, *metric.aliases]}
        assert (names & FCR_WORDS == set()) == (metric.key != "fcr"), (path.stem, metric.key)


def test_the_tier_template_judges_gold_on_fcr() -> None:
    scheme, _text = load_scheme("tier")
    gold = next(t for t in scheme.promotion.tiers if t.level == "黄金")
    assert gold.floors["fcr"] == D("0.75")
    fcr = next(m for m in scheme.score.metrics if m.key == "fcr")
    assert fcr.name == "一次解决率"


def test_fcr_and_resolution_rate_read_into_two_metrics(tmp_path: Path) -> None:
    doc = yaml.safe_load(STAR)
    doc["score"]["metrics"].append({"key": "fcr", "name": "一次解决率", "aliases": ["FCR"],
                                    "weight": 0, "unit": "percent"})
    scheme = parse_scheme(yaml.safe_dump(doc, allow_unicode=True), "star+fcr")
    path = tmp_path / "kpi.xlsx"
    _kpi(path, [["0001", "甲", "一组", 25, "92%", "78%", "0.9", "0.5%"]],
         ["工号", "姓名", "组别", "平均响应时长", "解决率", "一次解决率", "客户满意度", "投诉率"])
    rows, problems = read_kpi(path, scheme, MARCH)
    assert [p for p in problems if p.severity == "error"] == []
    assert rows[0].metrics["resolution_rate"] == D("0.92")
    assert rows[0].metrics["fcr"] == D("0.78")


def test_an_fcr_column_is_not_taken_for_resolution_rate(tmp_path: Path) -> None:
    scheme, _text = load_scheme("star")
    path = tmp_path / "kpi.xlsx"
    _kpi(path, [["0001", "甲", "一组", 25, "78%", "0.9", "0.5%"]],
         ["工号", "姓名", "组别", "平均响应时长", "一次解决率", "客户满意度", "投诉率"])
    with pytest.raises(CslevelError) as caught:
        read_kpi(path, scheme, MARCH)
    assert caught.value.problems[0].message == (
        "绩效表中既没有得分列（绩效分值），指标列也不全（缺少：解决率）")


# --- item 7: several raters of one item ------------------------------------------------------
RATERS = """    - key: attitude
      name: 服务态度
      weight: 10
      target: 90
      raters:
        - {name: 自评, weight: 0.2, column: [服务态度自我评估]}
        - {name: 团队, weight: 0.3, column: [服务态度团队评估]}
        - {name: 上级, weight: 0.5}
"""
RATER_HEADER = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率",
                "服务态度自我评估", "服务态度团队评估", "上级服务态度"]


def _rater_template(tmp_path: Path, weights: tuple[str, str, str] = ("0.2", "0.3", "0.5")
                    ) -> Path:
    anchor = "    # 培训次数：只读取"
    assert anchor in STAR
    block = RATERS.replace("weight: 0.2", f"weight: {weights[0]}").replace(
        "weight: 0.3", f"weight: {weights[1]}").replace("weight: 0.5", f"weight: {weights[2]}")
    text = STAR.replace(anchor, block + anchor).replace(
        "      weight: 15\n      target: 0.01", "      weight: 5\n      target: 0.01")
    path = tmp_path / "star_raters.yaml"
    path.write_text(text.replace("scheme: star ", "scheme: star_raters "), encoding="utf-8")
    return path


@pytest.mark.parametrize(("self_", "team", "boss", "combined"), [
    (85, 90, 95, "91.5"),            # 17 + 27 + 47.5
    ("88.8", "91.3", "99.9", "95.1"),   # 17.76 + 27.39 + 49.95
    ("70.1", "80.2", "90.3", "83.23"),  # 14.02 + 24.06 + 45.15 (83.22999999999999 in floats)
    (0, 0, 100, "50.0"),
    (100, 100, 100, "100.0"),
])
def test_raters_combine_to_an_exact_decimal(tmp_path: Path, self_, team, boss,
                                            combined: str) -> None:
    scheme, _text = load_scheme(str(_rater_template(tmp_path)))
    path = tmp_path / "kpi.xlsx"
    _kpi(path, [["0001", "甲", "一组", 30, "90%", "85%", "1%", self_, team, boss]],
         RATER_HEADER)
    rows, problems = read_kpi(path, scheme, MARCH)
    assert problems == []
    got = rows[0].metrics["attitude"]
    assert type(got) is Decimal and got == D(combined)  # no binary float on the way


def test_a_month_with_raters_through_the_cli(tmp_path: Path, cli_json) -> None:
    template = _rater_template(tmp_path)
    files = _kpi(tmp_path / "kpi_2026-03.xlsx",
                 [["0001", "甲", "一组", 30, "90%", "85%", "1%", 85, 90, 95],
                  ["0002", "乙", "一组", 30, "90%", "85%", "1%", 45, 45, 45]], RATER_HEADER)
    doc = cli_json("score", files, "--scheme", str(template), "--out", "out/")
    scores = {a["agent_id"]: a["score"] for a in doc["months"][0]["agents"]}
    # every other metric exactly on target (100 % each, weights 20 + 30 + 35 + 5 = 90);
    # 服务态度 91.5 / 90 → 101.666…% × 10 and 45 / 90 → 50 % × 10
    assert scores == {"0001": 100.17, "0002": 95}


@pytest.mark.parametrize("weights", [("0.2", "0.3", "0.4"), ("0.2", "0.3", "0.6")])
def test_rater_weights_not_adding_up_to_one_are_refused(tmp_path: Path, cli,
                                                        weights: tuple[str, str, str]) -> None:
    code, _out, err = cli("templates", "validate", _rater_template(tmp_path, weights))
    total = sum(D(w) for w in weights)
    assert code == 1
    assert f"attitude：各评分方权重之和必须为 1，现为 {total}" in err


def test_a_missing_rater_column_is_named(tmp_path: Path, cli) -> None:
    template = _rater_template(tmp_path)
    files = _kpi(tmp_path / "kpi_2026-03.xlsx",
                 [["0001", "甲", "一组", 30, "90%", "85%", "1%", 85, 95]],
                 [h for h in RATER_HEADER if h != "服务态度团队评估"])
    code, out, _err = cli("score", files, "--scheme", str(template), "--out", "out/",
                          "--json")
    assert code == 1
    doc = json.loads(out)
    assert [(p["message"], p["hint"]) for p in doc["problems"]] == [(
        "服务态度由多方评分，但表中没有团队的列 服务态度团队评估",
        "请添加列 服务态度团队评估，填入团队分数（或按模板 raters 中的列名命名）。")]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_blank_rater_cell_is_named(tmp_path: Path) -> None:
    scheme, _text = load_scheme(str(_rater_template(tmp_path)))
    path = tmp_path / "kpi.xlsx"
    _kpi(path, [["0001", "甲", "一组", 30, "90%", "85%", "1%", 85, None, 95],
                ["0002", "乙", "一组", 30, "90%", "85%", "1%", 85, 90, 95]], RATER_HEADER)
    rows, problems = read_kpi(path, scheme, MARCH)
    assert [(p.message, str(p.source)) for p in problems] == [
        ("服务态度团队评估为空", "kpi.xlsx › Sheet1 › I2")]
    assert [r.agent_id for r in rows] == ["0002"]


def test_rater_columns_that_read_alike_are_refused(tmp_path: Path, cli) -> None:
    path = _rater_template(tmp_path)
    text = path.read_text(encoding="utf-8").replace("column: [服务态度团队评估]",
                                                    "column: [服务态度(团队评估)]")
    path.write_text(text, encoding="utf-8")
    code, _out, err = cli("templates", "validate", path)
    assert code == 1
    assert ("attitude：评分方团队的列名 '服务态度(团队评估)' 与 '服务态度' 无法区分（括号内容、空格和"
            "大小写均被忽略）；请把评分方名称直接写在项目名旁，如 服务态度团队") in err


def test_trainings_from_the_attendance_exports_training_days(tmp_path: Path, cli_json) -> None:
    text = STAR.replace("  metric: training\n", "  attendance_item: training_days\n").replace(
        "  close_month: 12\n", "  close_month: 3\n").replace(
        "    - {key: leave_days,",
        "    - {key: training_days, name: 培训天数, aliases: [培训], unit: days}\n"
        "    - {key: leave_days,")
    assert text.count("training_days") == 2
    (tmp_path / "star_att.yaml").write_text(text, encoding="utf-8")
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "当前级别"],
                                          ["0021", "甲", "一组", "二星"],
                                          ["0022", "乙", "一组", "二星"]],
               text_columns=(0, 1, 2, 3))
    days = {"0021": [1, 0, 0], "0022": [1, 0, 1]}  # Jan–Mar: 1 and 2 training days
    files, attendance = [], []
    for m in range(1, 4):
        files.append(_kpi(tmp_path / f"kpi_2026-{m:02d}.xlsx",
                          [[a, "x", "一组", 110 if m % 2 else 100] for a in days]))
        attendance.append(str(write_xlsx(
            tmp_path / f"att_2026-{m:02d}.xlsx",
            [["工号", "应出勤天数", "实际出勤天数", "培训天数"],
             *[[a, 20, 20, d[m - 1]] for a, d in days.items()]])))
    cli_json("score", *files, *[x for f in attendance for x in ("--attendance", f)],
             "--scheme", "star_att.yaml", "--roster", "roster.xlsx", "--out", "out/")
    assert cli_json("promote", "--as-of", "2026-02", "--dry-run")["flags"] == []
    assert [(f["agent_id"], f["flag"], f["reason"]) for f in cli_json(
        "promote", "--as-of", "2026-03", "--dry-run")["flags"]] == [
        ("0021", "training_short", "2026年培训 1 次，少于 2 次（003：每年至少 2 次）")]


def test_training_takes_one_source(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(STAR.replace("  metric: training\n",
                                "  metric: training\n  attendance_item: late\n"),
                   encoding="utf-8")
    code, _out, err = cli("templates", "validate", bad)
    assert code == 1
    assert "training：metric（绩效表的列）与 attendance_item（考勤导出的培训天数）二选一" in err


def test_the_tier_example_flags_the_agents_short_of_trainings(tmp_path: Path, cli_json) -> None:
    """examples/tier: the flags at the close of 2026-12 are the agents whose 培训次数 cells,
    added up here from the workbooks themselves, make fewer than 2 (a second way)."""
    folder = Path(__file__).resolve().parents[1] / "examples" / "tier"
    files = sorted(folder.glob("kpi_2026-*.xlsx"))
    counted: dict[str, int] = {}
    for path in files:
        rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
        column = rows[2].index("培训次数")
        for row in rows[3:]:
            counted[row[0]] = counted.get(row[0], 0) + row[column]
    short = sorted(a for a, n in counted.items() if n < 2)
    assert short == ["0103", "0110"]
    cli_json("score", *files, "--roster", folder / "roster.xlsx", "--scheme", "tier",
             "--out", "out/")
    doc = cli_json("promote", "--as-of", "2026-12", "--dry-run")
    assert [f["agent_id"] for f in doc["flags"] if f["flag"] == "training_short"] == short
    assert [f["reason"].split("；")[-1] for f in doc["flags"]] == [
        f"2026年培训 {counted[a]} 次，少于 2 次（003：每年至少 2 次）" for a in short]
    for month in ("2026-06", "2026-11"):  # never before the year's close
        assert cli_json("promote", "--as-of", month, "--dry-run")["flags"] == []


def test_history_shows_the_training_flag(training_year: Path, cli_json) -> None:
    months = {m["month"]: m for m in cli_json("history", "0011")["months"]}
    assert months["2026-12"]["flags"] == ["training_short"]
    assert [m for m, got in months.items() if got["flags"]] == ["2026-12"]


def test_one_stored_metric_is_read_without_keeping_the_others_parsed() -> None:
    """The year's training figures of every agent are read one metric each: the rest of a
    stored score's metrics stay text (the report over 10,000 agents × 36 months kept them
    all parsed: 734 MB at its peak, 506 MB without)."""
    from cslevel.store.codec import LazyMetrics

    stored = LazyMetrics('{"training": "2", "resolution": "0.95"}')
    assert stored.one("training") == Decimal(2) and stored.one("nosuch") is None
    assert stored._data is None  # nothing kept parsed
    assert stored["resolution"] == Decimal("0.95") and stored.one("training") == Decimal(2)
