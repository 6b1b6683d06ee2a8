"""The messages of template, settings and pay-table validation in Chinese (the default) and in
English: the exact text of each problem and its hint, built from real inputs in tmp_path."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write_xlsx
from cs_helpers import kpi

from cslevel.config import load_config
from cslevel.records import CslevelError, Source
from cslevel.templates import load_scheme, shipped_templates_dir

STAR = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
LEVELS = "['试用', '一星', '二星', '三星', '四星', '五星']"
COMPONENTS = "基本工资, 岗位绩效工资, 交通补贴, 餐费补贴, 话费补贴"
RULES = ("quarterly_standard, rank_streak, score_bands, streak, tenure_grade, tier_floors, "
         "window_average")
SCHEMES = "assistant, calls, grade, grade_cba, grade_dc, ladder, points, star, tier, weighted"


def _problems(run: Callable[[], object]) -> list[tuple[str, str]]:
    """(message, hint) of every problem `run` raises."""
    with pytest.raises(CslevelError) as caught:
        run()
    return [(p.message, p.hint) for p in caught.value.problems]


# --- templates ------------------------------------------------------------------------------
# (what to change in star.yaml, to what, the problem in Chinese, the problem in English); the
# problems name the template file as their source, and a field path ahead of the message
TEMPLATE_CASES = {
    "unknown-field": (
        "  up_threshold: 110", "  treshold: 110",
        "promotion.treshold: 未知字段（拼写错误？）；请对照自带的模板检查拼写",
        ("promotion.treshold: unknown field (typo?); check the spelling against the shipped "
         "templates")),
    "weights": (
        "      weight: 20 ", "      weight: 25 ",
        "score: 取值有误：指标权重之和必须为 100，现在为 105",
        "score: Value error, metric weights must add up to 100, they add up to 105"),
    "entry-level": (
        "entry_level: 一星", "entry_level: 六星",
        f"取值有误：entry_level '六星' 不是模板中的级别；可用的级别：{LEVELS}",
        f"Value error, entry_level '六星' is not a level; allowed: {LEVELS}"),
    "window-too-small": (
        "  window: 3 ", "  window: 0 ",
        "promotion.window: 应大于或等于 1",
        "promotion.window: Input should be greater than or equal to 1"),
    "window-not-a-number": (
        "  window: 3 ", "  window: abc ",
        "promotion.window: 应为整数，无法把这段文字解读为整数",
        ("promotion.window: Input should be a valid integer, unable to parse string as an "
         "integer")),
    "unknown-rule": (
        "  rule: streak", "  rule: lottery",
        f"promotion.rule: 取值有误：未知规则 'lottery'；可用的规则：{RULES}",
        f"promotion.rule: Value error, unknown rule 'lottery'; allowed: {RULES}"),
    "literal": (
        "missing_month: break", "missing_month: sometimes",
        "promotion.missing_month: 应为 'break' 或 'skip'",
        "promotion.missing_month: Input should be 'break' or 'skip'"),
    "negative-pay": (
        "{基本工资: 3600.00,", "{基本工资: -5,",
        "levels[3].pay: 取值有误：基本工资 必须 ≥ 0，实际为 -5",
        "levels[3].pay: Value error, 基本工资 must be ≥ 0, got -5"),
    "pay-components": (
        "话费补贴: 200.00}", "话费补助: 200.00}",
        ("取值有误：级别 五星：pay 必须正好列出这些薪酬项目 ['基本工资', '岗位绩效工资', "
         "'交通补贴', '餐费补贴', '话费补贴']；缺少 ['话费补贴']，多出未知项目 ['话费补助']"),
        ("Value error, level 五星: pay must list exactly the components ['基本工资', "
         "'岗位绩效工资', '交通补贴', '餐费补贴', '话费补贴']; missing ['话费补贴'], "
         "unknown ['话费补助']")),
    "missing-field": (
        "entry_level: 一星 ", "# entry_level: 一星",
        "entry_level: 缺少必填字段",
        "entry_level: required field is missing"),
}


def _template(tmp: Path, old: str, new: str) -> Path:
    assert old in STAR
    path = tmp / "mine.yaml"
    path.write_text(STAR.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(TEMPLATE_CASES))
def test_template_problem_in_chinese(tmp_path: Path, case: str) -> None:
    old, new, zh, _en = TEMPLATE_CASES[case]
    path = _template(tmp_path, old, new)
    with pytest.raises(CslevelError) as caught:
        load_scheme(str(path))
    assert [(p.message, p.hint, p.source.file) for p in caught.value.problems] == [
        (zh, "", str(path))]


@pytest.mark.language("en")
@pytest.mark.parametrize("case", list(TEMPLATE_CASES))
def test_template_problem_in_english(tmp_path: Path, case: str) -> None:
    old, new, _zh, en = TEMPLATE_CASES[case]
    path = _template(tmp_path, old, new)
    with pytest.raises(CslevelError) as caught:
        load_scheme(str(path))
    assert [(p.message, p.hint, p.source.file) for p in caught.value.problems] == [
        (en, "", str(path))]


def test_too_few_levels_and_bad_yaml_in_chinese(tmp_path: Path) -> None:
    one_level = tmp_path / "one.yaml"
    one_level.write_text("scheme: one\nlevels: [{name: 一星}]\nentry_level: 一星\n"
                         "pay: {components: [基本工资]}\n", encoding="utf-8")
    assert _problems(lambda: load_scheme(str(one_level))) == [
        ("levels: 列表至少应有 2 项，实际为 1 项", "")]
    broken = _template(tmp_path, "entry_level: 一星", "entry_level: [一星")
    (message, hint), = _problems(lambda: load_scheme(str(broken)))
    assert re.fullmatch(r"YAML 格式有误（第 \d+ 行）：此处应为 ',' 或 ']'，却是 一个值"
                        r"（请检查括号和引号是否成对、缩进是否对齐）", message), message
    assert hint == "请检查模板的缩进和引号。"


# PyYAML's complaints in Chinese (issue 19, item 10): what the clerk broke, the message
@pytest.mark.parametrize(("text", "line", "message"), [
    ("scheme: a: b\n", 1, "这里不能再写“字段: 值”（值里有冒号？请给值加上引号；或检查缩进）"),
    ("scheme: star\nlevels:\n\t- 一星\n", 3,
     "出现了不能用在这里的字符 '\\t'（缩进请用空格，不要用 Tab；以 @ % ` 开头的值请加引号）"),
    ("scheme: star\nlevels:\n  a: 1\n b: 2\n", 4,
     "此处应为 本层缩进结束，却是 一组缩进不对的新字段（请检查括号和引号是否成对、缩进是否对齐）"),
    ("scheme: star\ntitle: *x\n", 2, "引用了未定义的别名 'x'（以 * 开头的值请加引号）"),
    ("scheme: 'star\n", 2, "文件意外结束（引号或括号没有闭合？）"),
    ('scheme: "a\\qb"\n', 1,
     "双引号中有无法识别的转义字符 'q'（反斜杠请写成 \\\\，或改用单引号）"),
    ("scheme: [a, b\n", 2,
     "此处应为 ',' 或 ']'，却是 文件结尾（请检查括号和引号是否成对、缩进是否对齐）"),
])
def test_yaml_problems_in_chinese(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    (got, _hint), = _problems(lambda: load_scheme(str(path)))
    assert got == f"YAML 格式有误（第 {line} 行）：{message}"


@pytest.mark.language("en")
def test_too_few_levels_and_bad_yaml_in_english(tmp_path: Path) -> None:
    one_level = tmp_path / "one.yaml"
    one_level.write_text("scheme: one\nlevels: [{name: 一星}]\nentry_level: 一星\n"
                         "pay: {components: [基本工资]}\n", encoding="utf-8")
    assert _problems(lambda: load_scheme(str(one_level))) == [
        ("levels: List should have at least 2 items after validation, not 1", "")]
    broken = _template(tmp_path, "entry_level: 一星", "entry_level: [一星")
    (message, hint), = _problems(lambda: load_scheme(str(broken)))
    assert re.fullmatch(r"not valid YAML line \d+: expected ',' or ']', but got '<scalar>'",
                        message), message
    assert hint == "Fix the template's indentation or quoting."


def test_unknown_scheme_in_chinese(tmp_path: Path) -> None:
    assert _problems(lambda: load_scheme("nosuch")) == [
        ("未知方案 'nosuch'", f"请使用以下方案之一：{SCHEMES}，或给出模板文件（.yaml）的路径。")]
    missing = tmp_path / "gone.yaml"
    assert _problems(lambda: load_scheme(str(missing))) == [
        (f"找不到模板文件：{missing}", "请检查 --scheme 给出的路径。")]


@pytest.mark.language("en")
def test_unknown_scheme_in_english(tmp_path: Path) -> None:
    assert _problems(lambda: load_scheme("nosuch")) == [
        ("unknown scheme 'nosuch'",
         f"Use one of: {SCHEMES}, or give the path of a template file (.yaml).")]
    missing = tmp_path / "gone.yaml"
    assert _problems(lambda: load_scheme(str(missing))) == [
        (f"template file not found: {missing}", "Check the path given to --scheme.")]


def test_templates_validate_prints_the_chinese_problem(tmp_path: Path, cli) -> None:
    path = _template(tmp_path, "  window: 3 ", "  window: 0 ")
    code, _out, err = cli("templates", "validate", path)
    assert code == 1
    assert f"{path}: promotion.window: 应大于或等于 1" in " ".join(err.split())


# --- the settings file (cslevel.toml) -------------------------------------------------------
BAD_SETTINGS = ('scheme = "star"\nlanguage = "fr"\nfoo = 1\noutput = 3\n'
                '[input]\nfolde = "x"\n')


def _settings(tmp: Path, text: str) -> Path:
    path = tmp / "cslevel.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_problems_in_chinese(tmp_path: Path) -> None:
    assert _problems(lambda: load_config(tmp_path / "cslevel.toml")) == [
        (f"找不到设置文件 {tmp_path / 'cslevel.toml'}",
         "请运行 `cslevel init` 建立工作区，或用 --config path/to/cslevel.toml 指定设置文件。")]
    path = _settings(tmp_path, BAD_SETTINGS)
    assert _problems(lambda: load_config(path)) == [
        ("未知设置 'foo'", "可用的设置：database, input, language, output, scheme。"),
        ("未知设置 input.folde", "[input] 中可用的设置：attendance, folder, kpi, pay_inputs, profile, roster。"),
        ("[output] 必须是一节设置（以 [output] 开头的一组设置）", ""),
        ("language 必须是 zh 或 en，不能是 'fr'", ""),
    ]
    path = _settings(tmp_path, 'language = "zh"\n')
    assert _problems(lambda: load_config(path)) == [
        ("缺少 scheme（定级方案）", '请写上模板名，例如 scheme = "star"。')]
    path = _settings(tmp_path, 'scheme = "star"\n[input]\nkpi = 3\n')
    assert _problems(lambda: load_config(path)) == [
        ("input.kpi 必须是一个文件名模式，或文件名模式的列表", '例如 kpi = ["kpi_{month}*.xlsx"]')]
    path = _settings(tmp_path, 'scheme = "star"\n[input]\nroster = 3\n')
    assert _problems(lambda: load_config(path)) == [("input.roster 必须是文件名", "")]
    path = _settings(tmp_path, 'scheme = "star\n')
    (message, hint), = _problems(lambda: load_config(path))
    assert message.startswith("设置文件无法读取：Illegal character")
    assert hint == "请检查该行的引号和括号。"


@pytest.mark.language("en")
def test_settings_problems_in_english(tmp_path: Path) -> None:
    assert _problems(lambda: load_config(tmp_path / "cslevel.toml")) == [
        (f"no settings file {tmp_path / 'cslevel.toml'}",
         "Run `cslevel init` to make a workspace, or give --config path/to/cslevel.toml.")]
    path = _settings(tmp_path, BAD_SETTINGS)
    assert _problems(lambda: load_config(path)) == [
        ("unknown setting 'foo'", "Allowed: database, input, language, output, scheme."),
        ("unknown setting input.folde",
         "Allowed in [input]: attendance, folder, kpi, pay_inputs, profile, roster."),
        ("[output] must be a section", ""),
        ("language must be zh or en, not 'fr'", ""),
    ]
    path = _settings(tmp_path, 'language = "zh"\n')
    assert _problems(lambda: load_config(path)) == [
        ("scheme is missing", 'Name a template, e.g. scheme = "star".')]
    path = _settings(tmp_path, 'scheme = "star"\n[input]\nkpi = 3\n')
    assert _problems(lambda: load_config(path)) == [
        ("input.kpi must be a file name pattern or a list of them",
         'e.g. kpi = ["kpi_{month}*.xlsx"]')]
    path = _settings(tmp_path, 'scheme = "star"\n[input]\nroster = 3\n')
    assert _problems(lambda: load_config(path)) == [("input.roster must be a file name", "")]
    path = _settings(tmp_path, 'scheme = "star\n')
    (message, hint), = _problems(lambda: load_config(path))
    assert message.startswith("the settings file cannot be read: Illegal character")
    assert hint == "Check the quotes and brackets on that line."


def test_run_without_settings_says_so_in_chinese(tmp_path: Path, cli) -> None:
    code, _out, err = cli("run", "--month", "2026-01")
    assert code == 1
    text = " ".join(err.split())
    assert "找不到设置文件 cslevel.toml" in text
    assert "请运行 `cslevel init` 建立工作区" in text


# --- the pay table kept in Excel ------------------------------------------------------------
TABLE = [
    ["星级客服薪酬表（2026年）"],
    [],
    ["级别", "基本工资", "岗位绩效工资", "交通补贴", "餐费补贴", "话费补贴", "备注"],
    ["试用客服员", 2400, 0, 100, 200, 50, "试用期"],
    ["一星", 3100, 500, 150, 300, 80, None],
    ["二星", 3300, 800, 150, 300, 100, None],
    ["三星", 3600, 1000, 200, 300, 150, None],
    ["四星", 4000, 1300, 200, 300, 150, None],
    ["五星", 4500, 1600, 250, 300, 200, None],
]


def _edit(row: int, col: int, value: object) -> Callable[[list[list[object]]], None]:
    return lambda table: table[row].__setitem__(col, value)


# (how to spoil the table, [(cell, Chinese message, Chinese hint)], the same in English); a
# number cell is read as a float, hence -800.0
PAY_TABLE_CASES = {
    "no-column": (
        _edit(2, 5, "话费"),
        [("row 3", "薪酬表中缺少以下薪酬项目的列：话费补贴",
          (f"找到的列：级别, 基本工资, 岗位绩效工资, 交通补贴, 餐费补贴, 话费, 备注。"
           f"请为模板的每个薪酬项目各加一列：{COMPONENTS}。"))],
        [("row 3", "the pay table has no column for 话费补贴",
          (f"Columns found: 级别, 基本工资, 岗位绩效工资, 交通补贴, 餐费补贴, 话费, 备注. Add one "
           f"column per pay component of the template: {COMPONENTS}."))]),
    "no-header": (
        _edit(2, 0, "岗位"),
        [(None, "薪酬表中没有带 级别 列的表头行",
          f"请在前 10 行内放一行表头，包含 级别 和各薪酬项目（{COMPONENTS}）。")],
        [(None, "no header row with a 级别 (Level) column in the pay table",
          (f"Put a header row with 级别 and the pay components ({COMPONENTS}) in the first 10 "
           "rows."))]),
    "negative": (
        _edit(5, 2, -800),
        [("C6", "二星 的 岗位绩效工资 必须是 0 或以上的金额，不能是 -800.0",
          "请填写以元为单位的金额，例如 3000.00。")],
        [("C6", "岗位绩效工资 of 二星 must be an amount of 0 or more, not -800.0",
          "Write the amount in yuan, e.g. 3000.00.")]),
    "blank": (
        _edit(4, 3, None),
        [("D5", "一星 的 交通补贴 没有金额", "某级别没有这一项时请填 0。")],
        [("D5", "no amount for 交通补贴 of 一星", "Write 0 where a level has none of it.")]),
    "unknown-level-and-missing-row": (
        _edit(8, 0, "六星"),
        [("A9", "薪酬表中有未知级别 '六星'", "star 模板的级别：试用, 一星, 二星, 三星, 四星, 五星。"),
         (None, "薪酬表中缺少以下级别的行：五星", "请为模板的每个级别各加一行。")],
        [("A9", "unknown level '六星' in the pay table",
          "Levels of the star template: 试用, 一星, 二星, 三星, 四星, 五星."),
         (None, "the pay table has no row for 五星", "Add one row per level of the template.")]),
    "twice": (
        _edit(5, 0, "一星"),
        [("A6", "一星 在薪酬表中出现了两次", "每个级别只保留一行。"),
         (None, "薪酬表中缺少以下级别的行：二星", "请为模板的每个级别各加一行。")],
        [("A6", "一星 appears twice in the pay table", "Keep one row per level."),
         (None, "the pay table has no row for 二星", "Add one row per level of the template.")]),
}


def _pay_template(tmp: Path, extra: str = "") -> Path:
    text, count = re.subn(r"^    pay: \{[^}]*\}\n", "", STAR, flags=re.MULTILINE)
    assert count == 6
    text = text.replace("  currency: CNY\n", f"  currency: CNY\n  table: 薪酬表.xlsx\n{extra}", 1)
    path = tmp / "star_table.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _pay_problems(tmp: Path, case: str) -> list[tuple[str | None, str, str]]:
    table = [row[:] for row in TABLE]
    PAY_TABLE_CASES[case][0](table)
    write_xlsx(tmp / "薪酬表.xlsx", table)
    path = _pay_template(tmp)
    with pytest.raises(CslevelError) as caught:
        load_scheme(str(path))
    for problem in caught.value.problems:
        assert (problem.source.file, problem.source.sheet) == ("薪酬表.xlsx", "Sheet1")
    return [(_cell(p.source), p.message, p.hint) for p in caught.value.problems]


def _cell(source: Source) -> str | None:
    """The cell as in the English texts ("C6", "row 3"), whatever language records.py uses."""
    if source.row is None:
        return None
    return f"row {source.row}" if source.column is None else "ABCDEFG"[source.column] + str(
        source.row)


@pytest.mark.parametrize("case", list(PAY_TABLE_CASES))
def test_pay_table_problem_in_chinese(tmp_path: Path, case: str) -> None:
    assert _pay_problems(tmp_path, case) == PAY_TABLE_CASES[case][1]


@pytest.mark.language("en")
@pytest.mark.parametrize("case", list(PAY_TABLE_CASES))
def test_pay_table_problem_in_english(tmp_path: Path, case: str) -> None:
    assert _pay_problems(tmp_path, case) == PAY_TABLE_CASES[case][2]


def test_pay_table_sheet_missing_in_both_languages(tmp_path: Path) -> None:
    from cslevel import i18n

    write_xlsx(tmp_path / "薪酬表.xlsx", TABLE)
    path = _pay_template(tmp_path, "  table_sheet: 工资\n")
    assert _problems(lambda: load_scheme(str(path))) == [
        ("薪酬表中没有工作表 '工资'", "文件中的工作表：Sheet1。")]
    i18n.set_language("en")
    assert _problems(lambda: load_scheme(str(path))) == [
        ("no sheet '工资' in the pay table", "Sheets in the file: Sheet1.")]


def test_score_with_a_bad_pay_table_says_so_in_chinese(tmp_path: Path, cli) -> None:
    table = [row[:] for row in TABLE]
    table.pop(8)
    write_xlsx(tmp_path / "薪酬表.xlsx", table)
    kpi(tmp_path / "kpi_2026-03.xlsx", [["0001", "甲", "一组", 100]])
    code, _out, err = cli("score", "kpi_2026-03.xlsx", "--scheme", str(_pay_template(tmp_path)))
    assert code == 1
    assert "薪酬表中缺少以下级别的行：五星 — 请为模板的每个级别各加一行。" in " ".join(err.split())
