"""Workbook labels in Chinese or English through the gettext catalogs in cslevel/locale:
the language from set_language, CSLEVEL_LANG or LC_ALL/LC_MESSAGES/LANG (Chinese unless one
says English), the three workbooks and the payroll CSV read back in both languages, every
msgid of the code in the Chinese catalog, and the committed .mo files matching their .po."""

from __future__ import annotations

import ast
import csv
import gettext
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import kpi

from cslevel import i18n
from cslevel.export.results import progress_headers
from cslevel.labels import DECISION_LABEL, FLAG_LABEL
from cslevel.templates import load_scheme

PACKAGE = Path(i18n.__file__).resolve().parent
ENV = ("CSLEVEL_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
# modules whose string literals are all English msgids or data: no Chinese text of their own
LABEL_MODULES = ["export/results.py", "export/payroll.py", "export/decisions.py",
                 "export/xlsx.py", "export/console.py", "export/console_admin.py", "labels.py"]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _clean_language(monkeypatch: pytest.MonkeyPatch):
    """Each test starts from an empty environment and no chosen language, and leaves none."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    i18n.set_language(None)
    yield
    i18n.set_language(None)


# --- choosing the language ----------------------------------------------------------------
@pytest.mark.parametrize(("env", "expected"), [
    ({}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "C"}, "zh"),
    ({"LANG": "POSIX"}, "zh"),
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "fr_FR.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en"}, "en"),
    ({"LANG": ""}, "zh"),
    ({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, "en"),  # empty means unset
    ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "zh"),  # LC_ALL set: it decides
    ({"CSLEVEL_LANG": "en"}, "en"),
    ({"CSLEVEL_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"CSLEVEL_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
    ({"CSLEVEL_LANG": "", "LANG": "en_US.UTF-8"}, "en"),
    ({"CSLEVEL_LANG": "xx", "LANG": "en_US.UTF-8"}, "zh"),
])
def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                       expected: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == expected


def test_set_language_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", "en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    i18n.set_language("zh")
    assert (i18n.language(), i18n._("Total")) == ("zh", "合计")
    monkeypatch.setenv("CSLEVEL_LANG", "zh")
    i18n.set_language("en")
    assert (i18n.language(), i18n._("Total")) == ("en", "Total")
    i18n.set_language(None)  # back to the environment
    assert i18n.language() == "zh"
    i18n.set_language("")  # the config's empty language: the environment too
    assert i18n.language() == "zh"
    i18n.set_language("klingon")  # unknown: Chinese
    assert i18n.language() == "zh"


def test_labels_follow_the_language_when_read() -> None:
    """Module-level tables and helpers translate when used, not when imported."""
    star, _text = load_scheme("star")
    weighted, _text = load_scheme("weighted")
    assert dict(DECISION_LABEL) == {"promote": "晋升", "demote": "降级", "trial_end": "试用期满"}
    assert FLAG_LABEL["dismissal_review"] == "解除合同审议"
    assert progress_headers(star) == ("连续达标月数", "连续未达标月数")
    assert progress_headers(weighted) == ("试用考察", "待审议标记")
    i18n.set_language("en")
    assert dict(DECISION_LABEL) == {"promote": "Promotion", "demote": "Demotion",
                                    "trial_end": "End of trial"}
    assert FLAG_LABEL.get("dismissal_review") == "dismissal review"
    assert FLAG_LABEL.get("other", "other") == "other"
    assert progress_headers(star) == ("Months on target in a row", "Months below target in a row")
    assert progress_headers(weighted) == ("On probation", "Flags for review")


def test_plural_forms() -> None:
    counts = {n: i18n.ngettext("{count} agent", "{count} agents", n).format(count=n)
              for n in (0, 1, 2)}
    assert counts == {0: "0人", 1: "1人", 2: "2人"}
    i18n.set_language("en")
    counts = {n: i18n.ngettext("{count} agent", "{count} agents", n).format(count=n)
              for n in (0, 1, 2)}
    assert counts == {0: "0 agents", 1: "1 agent", 2: "2 agents"}


def test_catalog_read_once_per_language() -> None:
    i18n.translation.cache_clear()
    for _ in range(50):
        i18n._("Total")
    i18n.set_language("en")
    for _ in range(50):
        i18n._("Total")
    assert i18n.translation.cache_info().misses == 2


# --- the workbooks in both languages ------------------------------------------------------
ROSTER = [
    ["工号", "姓名", "组别", "入职日期", "离职日期", "当前级别"],
    ["0001", "甲", "一组", "2024-01-01", None, "二星"],
    ["0002", "乙", "一组", "2024-01-01", None, "二星"],
    ["0003", "丙", "二组", "2026-01-10", None, None],
]
SCORES = {"0001": [112, 115, 120],  # 二星 → 三星 from 04
          "0002": [100, 100, 100],  # 二星 → 一星 from 04
          "0003": [120, 120, 120]}  # trial 01–03, 一星 from 04
NAMES = {"0001": "甲", "0002": "乙", "0003": "丙"}
TEAMS = {"0001": "一组", "0002": "一组", "0003": "二组"}

LABELS = {
    "zh": {
        "results": ["考核结果", "级别分布"],
        "results_head": ["工号", "姓名", "组别", "绩效分值(%)", "本月级别", "连续达标月数",
                         "连续未达标月数", "决定", "原因", "评分说明"],
        "decisions": {"0001": "晋升 → 三星（2026-04起）", "0002": "降级 → 一星（2026-04起）",
                      "0003": "试用期满 → 一星（2026-04起）"},
        "summary_head": ["级别", "人数", "本月晋升", "本月降级", "试用期满"],
        "summary_foot": ["合计", "月份：2026-03", "方案：star ", "来源：kpi_2026-03.xlsx"],
        "chart": "2026-03 级别分布",
        "problems": ["考核结果", "级别分布", "问题"],
        "problems_head": ["严重程度", "位置", "问题", "处理办法"],
        "moves": ["晋降级名单", "晋升降级申请表"],
        "moves_head": ["工号", "姓名", "组别", "决定", "原级别", "新级别", "生效月份", "规则",
                       "触发月份", "原因"],
        "kinds": {"0001": "晋升", "0002": "降级", "0003": "试用期满"},
        "trigger": "2026-01、2026-02、2026-03",
        "sign_title": "晋升/降级申请表（2026-03 考核，2026-04 起执行）",
        "sign_title_01": "晋升/降级申请表（2025-12 考核，2026-01 起执行）",
        "sign_head": ["工号", "姓名", "组别", "申请类型", "原级别", "新级别", "生效月份", "依据",
                      "本人签字", "主管签字", "人事审核", "财务签收", "审批结果", "审批人", "备注"],
        "no_moves": "本月无晋升、降级或转正",
        "payroll": ["工资表 2026-04", "与上月对比", "晋升降级申请表"],
        "payroll_01": ["工资表 2026-01", "与上月对比", "晋升降级申请表"],
        "pay_head": (["月份", "工号", "姓名", "组别", "级别"],
                     ["应发合计", "上月应发", "变动说明", "计算说明"]),
        "pay_total": ["2026-04", "合计", None, None, "3人"],
        "pay_total_csv": ["2026-04", "合计", "", "", "3人"],
        "changes_head": ["工号", "姓名", "组别", "级别", "上月应发", "本月应发", "差额", "原因"],
        "no_previous": "2025-12 无工资记录可比",
        "title": {"payroll": "cslevel 工资 2026-04", "moves": "cslevel 晋降级 2026-03"},
    },
    "en": {
        "results": ["Results", "Level distribution"],
        "results_head": ["Agent ID", "Name", "Team", "Performance (%)", "Level this month",
                         "Months on target in a row", "Months below target in a row",
                         "Decision", "Reason", "Score explanation"],
        "decisions": {"0001": "Promotion → 三星 (from 2026-04)",
                      "0002": "Demotion → 一星 (from 2026-04)",
                      "0003": "End of trial → 一星 (from 2026-04)"},
        "summary_head": ["Level", "Agents", "Promoted this month", "Demoted this month",
                         "End of trial"],
        "summary_foot": ["Total", "Month: 2026-03", "Scheme: star ",
                         "Sources: kpi_2026-03.xlsx"],
        "chart": "2026-03 level distribution",
        "problems": ["Results", "Level distribution", "Problems"],
        "problems_head": ["Severity", "Where", "What", "What to do"],
        "moves": ["Moves", "Sign-off list"],
        "moves_head": ["Agent ID", "Name", "Team", "Decision", "From level", "To level",
                       "Effective month", "Rule", "Trigger months", "Reason"],
        "kinds": {"0001": "Promotion", "0002": "Demotion", "0003": "End of trial"},
        "trigger": "2026-01, 2026-02, 2026-03",
        "sign_title": "Sign-off list (2026-03 review, in force from 2026-04)",
        "sign_title_01": "Sign-off list (2025-12 review, in force from 2026-01)",
        "sign_head": ["Agent ID", "Name", "Team", "Move", "From level", "To level",
                      "Effective month", "Grounds", "Agent's signature",
                      "Supervisor's signature", "HR check", "Received by finance", "Approval",
                      "Approver", "Remarks"],
        "no_moves": "no moves take effect",
        "payroll": ["Payroll 2026-04", "Change from last month", "Sign-off list"],
        "payroll_01": ["Payroll 2026-01", "Change from last month", "Sign-off list"],
        "pay_head": (["Month", "Agent ID", "Name", "Team", "Level"],
                     ["Total pay", "Last month's pay", "Change", "How it was worked out"]),
        "pay_total": ["2026-04", "Total", None, None, "3 agents"],
        "pay_total_csv": ["2026-04", "Total", "", "", "3 agents"],
        "changes_head": ["Agent ID", "Name", "Team", "Level", "Last month's pay",
                         "This month's pay", "Difference", "Reason"],
        "no_previous": "no payroll for 2025-12 to compare with",
        "title": {"payroll": "cslevel payroll 2026-04", "moves": "cslevel moves 2026-03"},
    },
}
STAR, _STAR_TEXT = load_scheme("star")
# the template's names, never translated (a pay-inputs item has a column only when someone has
# it: nobody has here)
COMPONENTS = [c for c in STAR.pay.all_components
              if STAR.pay.inputs is None or c not in STAR.pay.inputs.names]
SETTINGS = {  # how the language is chosen → the language the workbooks must be in
    "CSLEVEL_LANG=en": ({"CSLEVEL_LANG": "en", "LANG": "zh_CN.UTF-8"}, None, "en"),
    "LANG=en_US.UTF-8": ({"LANG": "en_US.UTF-8"}, None, "en"),
    "LANG=zh_CN.UTF-8": ({"LANG": "zh_CN.UTF-8"}, None, "zh"),
    "nothing set": ({}, None, "zh"),
    "set_language(en) over LANG=zh": ({"LANG": "zh_CN.UTF-8"}, "en", "en"),
    "set_language(zh) over CSLEVEL_LANG=en": ({"CSLEVEL_LANG": "en"}, "zh", "zh"),
}


def _history(tmp: Path, cli) -> None:
    """Three months of scores (a promotion, a demotion, a trial ending at the close of
    2026-03), the moves confirmed, and the payroll of 2026-01 and 2026-04."""
    write_xlsx(tmp / "roster.xlsx", ROSTER, text_columns=(0, 1, 2))
    files = [kpi(tmp / f"kpi_2026-{i + 1:02d}.xlsx",
                 [[a, NAMES[a], TEAMS[a], s[i]] for a, s in SCORES.items()]) for i in range(3)]
    (tmp / "out").mkdir()
    for args in (["score", *files, "--scheme", "star", "--roster", "roster.xlsx", "--out",
                  "out/"],
                 ["promote", "--out", "moves.xlsx"],
                 ["payroll", "export", "--month", "2026-01", "--out", "p01.xlsx"],
                 ["payroll", "export", "--month", "2026-04", "--out", "p.xlsx"],
                 ["payroll", "export", "--month", "2026-04", "--out", "p.csv"]):
        code, out, err = cli(*args)
        assert code == 0, (args, out, err)


def _rows(ws) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_workbooks_in_the_language(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch,
                                   setting: str) -> None:
    env, chosen, lang = SETTINGS[setting]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    i18n.set_language(chosen)
    _history(tmp_path, cli)
    want = LABELS[lang]

    # the results workbook of 2026-03
    book = openpyxl.load_workbook(tmp_path / "out" / "results-2026-03.xlsx")
    assert book.sheetnames == want["results"]
    rows = _rows(book[want["results"][0]])
    assert rows[0] == want["results_head"]
    assert {r[0]: r[7] for r in rows[1:]} == want["decisions"]
    summary = _rows(book[want["results"][1]])
    assert summary[0] == want["summary_head"]
    foot = [r[0] for r in summary[len(STAR.level_names) + 1:] if r[0] is not None]
    assert foot == [*want["summary_foot"][:2], want["summary_foot"][2] + STAR.title,
                    want["summary_foot"][3]]
    chart = [n for n in _zip_names(tmp_path / "out" / "results-2026-03.xlsx")
             if n.startswith("xl/charts/chart")]
    chart_xml = _zip_text(tmp_path / "out" / "results-2026-03.xlsx", chart[0])
    assert want["chart"] in chart_xml
    sheet_ref = want["results"][1]
    assert f"'{sheet_ref}'!$A$2" in chart_xml or f"{sheet_ref}!$A$2" in chart_xml

    # the moves workbook and its sign-off list
    book = openpyxl.load_workbook(tmp_path / "moves.xlsx")
    assert book.sheetnames == want["moves"]
    assert book.properties.title == want["title"]["moves"]
    rows = _rows(book[want["moves"][0]])
    assert rows[0] == want["moves_head"]
    assert {r[0]: r[3] for r in rows[1:]} == want["kinds"]
    assert {r[8] for r in rows[1:] if r[0] != "0003"} == {want["trigger"]}
    sign = _rows(book[want["moves"][1]])
    assert sign[0][0] == want["sign_title"]
    assert sign[2] == want["sign_head"]
    # the moves, then the target-responsibility letter of 0003, hired 2026-01 (its third
    # trial month is 2026-03: the line's name is the template's, in any language)
    assert [(r[0], r[3]) for r in sign[3:]] == [*want["kinds"].items(), ("0003", "目标责任书")]

    # the payroll workbook of 2026-04: all three sheets
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert book.sheetnames == want["payroll"]
    assert book.properties.title == want["title"]["payroll"]
    rows = _rows(book[want["payroll"][0]])
    first, last = want["pay_head"]
    assert rows[0] == [*first, *COMPONENTS, *last]
    assert rows[-1][:5] == want["pay_total"]
    changes = _rows(book[want["payroll"][1]])
    assert changes[0] == want["changes_head"]
    assert {r[0] for r in changes[1:]} == {"0001", "0002", "0003"}
    sign = _rows(book[want["payroll"][2]])
    assert (sign[0][0], sign[2]) == (want["sign_title"], want["sign_head"])
    assert {r[0]: r[3] for r in sign[3:]} == want["kinds"]  # (moves only: no letter)

    # the payroll of the first month: nothing to compare with, no moves in force
    book = openpyxl.load_workbook(tmp_path / "p01.xlsx")
    assert book.sheetnames == want["payroll_01"]
    assert _rows(book[want["payroll_01"][1]])[1][0] == want["no_previous"]
    sign = _rows(book[want["payroll_01"][2]])
    assert (sign[0][0], sign[2], sign[3][0]) == (want["sign_title_01"], want["sign_head"],
                                                 want["no_moves"])

    # the payroll CSV
    raw = (tmp_path / "p.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows_csv = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows_csv[0] == [*first, *COMPONENTS, *last]
    assert rows_csv[-1][:5] == want["pay_total_csv"]


def _zip_names(path: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def _zip_text(path: Path, name: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


CORRECTIONS = {  # retro pay: the payroll carrying corrections of paid months
    "zh": {"sheets": ["工资表 2026-03", "与上月对比", "更正明细", "晋升降级申请表"],
           "component": "补发/扣回",
           "head": ["工号", "姓名", "组别", "工资所属月份", "已发级别", "应发级别", "已发金额",
                    "应发金额", "差额"],
           "total": "合计"},
    "en": {"sheets": ["Payroll 2026-03", "Change from last month", "Corrections",
                      "Sign-off list"],
           "component": "Back pay / recovery",
           "head": ["Agent ID", "Name", "Team", "Paid month", "Level paid", "Level due", "Paid",
                    "Due", "Difference"],
           "total": "Total"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_corrections_in_the_language(tmp_path: Path, cli, lang: str) -> None:
    """January paid (locked) with a score of 120, then fixed to 100: March's payroll carries
    the 扣回 of February's performance pay, 1000 × 0.2."""
    i18n.set_language(lang)
    for month, score in (("2026-01", 120), ("2026-02", 100)):
        kpi(tmp_path / f"kpi_{month}.xlsx", [["0001", "甲", "一组", score]])
    steps = (["score", "kpi_2026-01.xlsx", "kpi_2026-02.xlsx", "--scheme", "star", "--out",
              "out/"], ["lock", "2026-01"], ["reopen", "2026-01", "--reason", "x"])
    for args in steps:
        code, out, err = cli(*args)
        assert code == 0, (args, out, err)
    kpi(tmp_path / "kpi_2026-01.xlsx", [["0001", "甲", "一组", 100]])
    for args in (["score", "kpi_2026-01.xlsx", "--out", "again/"],
                 ["payroll", "export", "--month", "2026-03", "--out", "p.xlsx"],
                 ["payroll", "export", "--month", "2026-03", "--out", "p.csv"]):
        code, out, err = cli(*args)
        assert code == 0, (args, out, err)
    want = CORRECTIONS[lang]
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert book.sheetnames == want["sheets"]
    pay = _rows(book[want["sheets"][0]])
    assert pay[0][5:5 + len(COMPONENTS) + 1] == [*COMPONENTS, want["component"]]
    assert pay[1][5 + len(COMPONENTS)] == -200
    rows = _rows(book[want["sheets"][2]])
    assert rows == [want["head"], ["0001", "甲", "一组", "2026-02", "一星", "一星", 4750, 4550,
                                   -200], [want["total"], None, None, None, None, None, 4750,
                                           4550, -200]]
    raw = (tmp_path / "p.csv").read_bytes()
    header = next(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert header[5:5 + len(COMPONENTS) + 1] == [*COMPONENTS, want["component"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_problems_sheet_in_the_language(tmp_path: Path, cli, lang: str) -> None:
    i18n.set_language(lang)
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                        ["合计", None, None, 212]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--out", "r.xlsx")
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == LABELS[lang]["problems"]
    assert _rows(book[LABELS[lang]["problems"][2]])[0] == LABELS[lang]["problems_head"]


def test_probation_columns_in_english(tmp_path: Path, cli) -> None:
    """The weighted scheme's probation and dismissal-review columns (DOMAIN.md's example)."""
    i18n.set_language("en")
    scores = {"Z": [40, 45, 50, 48]}
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "当前级别"], ["Z", "Z", "大客户中级"]])
    files = [write_xlsx(tmp_path / f"kpi_2026-{i + 1:02d}.xlsx",
                        [["工号", "姓名", "岗位", "考核得分"], ["Z", "Z", "客服代表", s]])
             for i, s in enumerate(scores["Z"])]
    code, _, err = cli("score", *files, "--scheme", "weighted", "--roster", "roster.xlsx",
                       "--out", "out/")
    assert code == 0, err
    rows = _rows(openpyxl.load_workbook(tmp_path / "out" / "results-2026-04.xlsx")["Results"])
    assert rows[0] == ["Agent ID", "Name", "Team", "Score", "Level this month", "On probation",
                       "Flags for review", "Decision", "Reason", "Score explanation"]
    assert rows[1][5:7] == ["Yes", "dismissal review"]


# --- the catalogs ---------------------------------------------------------------------------
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}  # function → how many msgid arguments


def _modules_using_i18n() -> list[Path]:
    """Every module of the package that imports the catalog functions."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module == "i18n" or node.module.endswith(".i18n")):
                found.append(path)
                break
    return found


def _msgids(path: Path) -> list[tuple[str, int, str | tuple[str, str]]]:
    """(file, line, msgid or (singular, plural)) of every marker call in `path`; a marker
    called with anything but string literals cannot be in a catalog and fails here."""
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS):
            continue
        where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
        args = node.args[:MARKERS[node.func.id]]
        assert all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args), (
            f"{where}: {node.func.id}() needs string literals")
        texts = [a.value for a in args]
        out.append((where, node.lineno, texts[0] if len(texts) == 1 else tuple(texts)))
    return out


def _catalog(lang: str) -> dict[str, i18n.Message]:
    po = PACKAGE / "locale" / lang / "LC_MESSAGES" / "cslevel.po"
    return {m.msgid: m for m in i18n.read_po(po.read_text(encoding="utf-8"))}


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


def test_every_msgid_has_a_chinese_translation() -> None:
    modules = _modules_using_i18n()
    owned = {PACKAGE / m for m in LABEL_MODULES} - {PACKAGE / "export/xlsx.py"}
    assert owned <= set(modules)
    zh = _catalog("zh")
    used: set[str] = set()
    for path in modules:
        if path.name == "i18n.py":
            continue
        for where, _line, msgid in _msgids(path):
            singular, plural = msgid if isinstance(msgid, tuple) else (msgid, None)
            used.add(singular)
            assert singular in zh, f"{where}: {singular!r} is not in the zh catalog"
            message = zh[singular]
            assert message.translated, f"{where}: {singular!r} has no zh translation"
            assert message.msgid_plural == plural, where
            for text in message.msgstr:  # a translation keeps every {placeholder}
                assert _fields(text) == _fields(singular), (where, text)
    unused = set(zh) - used - {""}
    assert not unused, f"zh catalog entries no code uses: {sorted(unused)}"


def test_no_chinese_text_left_in_the_label_modules() -> None:
    """Labels come from the catalog: the export modules hold no Chinese string literal
    (docstrings and comments may)."""
    for name in LABEL_MODULES:
        path = PACKAGE / name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings):
                assert not CJK.search(node.value), f"{name}:{node.lineno}: {node.value!r}"


@pytest.mark.parametrize("po", i18n.catalogs(), ids=lambda p: p.parts[-3])
def test_committed_mo_matches_its_po(po: Path) -> None:
    """The .mo beside each .po is what `python -m cslevel.i18n` compiles from it."""
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo} is missing: run python -m cslevel.i18n"
    assert mo.read_bytes() == i18n.compile_po(po), f"{mo} is stale: run python -m cslevel.i18n"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in i18n.read_po(po.read_text(encoding="utf-8")):
        if not message.msgid or not message.translated:
            continue
        if message.msgid_plural is None:
            assert compiled.gettext(message.msgid) == message.msgstr[0]
        else:
            for n in range(3):
                index = compiled.plural(n)
                assert compiled.ngettext(message.msgid, message.msgid_plural, n) == (
                    message.msgstr[index])


def test_both_languages_have_a_catalog() -> None:
    assert sorted(p.parts[-3] for p in i18n.catalogs()) == sorted(i18n.LANGUAGES)
    info = gettext.GNUTranslations((PACKAGE / "locale/zh/LC_MESSAGES/cslevel.mo").open(
        "rb")).info()
    assert info["language"] == "zh" and info["plural-forms"] == "nplurals=1; plural=0;"
    assert info["content-type"] == "text/plain; charset=UTF-8"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt not installed")
@pytest.mark.parametrize("po", i18n.catalogs(), ids=lambda p: p.parts[-3])
def test_msgfmt_agrees(tmp_path: Path, po: Path) -> None:
    """GNU msgfmt accepts each .po and compiles the same messages as our compiler."""
    out = tmp_path / "gnu.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(po)], check=True,
                   capture_output=True)
    with out.open("rb") as gnu, po.with_suffix(".mo").open("rb") as ours:
        assert gettext.GNUTranslations(gnu)._catalog == gettext.GNUTranslations(ours)._catalog


def test_read_po_entries() -> None:
    text = '''
msgid ""
msgstr ""
"Language: zh\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

# a comment
#, fuzzy
msgid "Old"
msgstr "旧"

msgid "Untranslated"
msgstr ""

#, python-brace-format
msgid "{count} agent"
msgid_plural "{count} agents"
msgstr[0] "{count}人"

msgid ""
"Multi "
"line \\"quoted\\""
msgstr "多行"
'''
    messages = i18n.read_po(text)
    assert [(m.msgid, m.translated) for m in messages] == [
        ("", True), ("Old", False), ("Untranslated", False), ("{count} agent", True),
        ('Multi line "quoted"', True)]
    assert messages[0].msgstr == (("Language: zh\nPlural-Forms: nplurals=1; plural=0;\n"
                                  "Content-Type: text/plain; charset=UTF-8\n"),)
    assert messages[3].msgid_plural == "{count} agents"
    assert "python-brace-format" in messages[3].flags
    compiled = gettext.GNUTranslations(io.BytesIO(i18n.write_mo(messages)))
    assert compiled.gettext("Old") == "Old"  # fuzzy: left out, as msgfmt leaves it out
    assert compiled.gettext('Multi line "quoted"') == "多行"
    assert compiled.ngettext("{count} agent", "{count} agents", 5) == "{count}人"
    with pytest.raises(ValueError, match="line 2"):
        i18n.read_po('msgid "a"\nbogus "b"\n')
