"""Pay tables kept in Excel (`pay.table` in the template): read with the template, kept with
the history, paid from; a bad table is an error naming file › sheet › cell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import write_xlsx
from cs_helpers import files_in, kpi
from cslevel.templates import shipped_templates_dir

COMPONENTS = ["基本工资", "岗位绩效工资", "交通补贴", "餐费补贴", "话费补贴"]
TABLE = [
    ["星级客服薪酬表（2026年）"],
    [],
    ["级别", "基本工资", "岗位绩效工资", "交通补贴", "餐费补贴", "话费补贴", "备注"],
    ["试用客服员", 2400, 0, 100, 200, 50, "试用期"],
    ["一星", "3,100.00", 500, 150, 300, 2.675, None],
    ["二星", 3300, 800, 150, 300, 100, None],
    ["三星", 3600, 1000, 200, 300, 150, None],
    ["四星", 4000, 1300, 200, 300, 150, None],
    ["五星", 4500, 1600, 250, 300, 200, None],
]


def _template(tmp: Path, extra: str = "  table: 薪酬表.xlsx\n") -> Path:
    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    text, count = re.subn(r"^    pay: \{[^}]*\}\n", "", text, flags=re.MULTILINE)
    assert count == 6
    text = text.replace("  currency: CNY\n", "  currency: CNY\n" + extra, 1)
    path = tmp / "star_table.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _history(tmp: Path, cli_json) -> None:
    kpi(tmp / "kpi_2026-03.xlsx", [["0001", "甲", "一组", 100], ["0002", "乙", "一组", 100]])
    write_xlsx(tmp / "roster.xlsx", [["工号", "当前级别"], ["0001", "一星"], ["0002", "三星"]],
               text_columns=(0,))
    cli_json("score", "kpi_2026-03.xlsx", "--scheme", str(_template(tmp)), "--roster",
             "roster.xlsx", "--out", "out/")


def test_payroll_pays_from_the_pay_table(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "薪酬表.xlsx", TABLE)
    _history(tmp_path, cli_json)
    rows = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-04",
                                               "--out", "p.csv")["rows"]}
    # 一星 from the table: 3,100.00 as text, 2.675 as a float cell → 2.68; March 100 → ×1
    assert [rows["0001"]["components"][c] for c in COMPONENTS] == [
        "3100.00", "500.00", "150.00", "300.00", "2.68"]
    assert [rows["0002"]["components"][c] for c in COMPONENTS] == [
        "3600.00", "1000.00", "200.00", "300.00", "150.00"]


@pytest.mark.language("en")
def test_changed_pay_table_is_stored_with_a_warning(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "薪酬表.xlsx", TABLE)
    _history(tmp_path, cli_json)
    changed = [row[:] for row in TABLE]
    changed[4][1] = 3200
    write_xlsx(tmp_path / "薪酬表.xlsx", changed)
    kpi(tmp_path / "kpi_2026-04.xlsx", [["0001", "甲", "一组", 100]])
    doc = cli_json("score", "kpi_2026-04.xlsx", "--scheme", str(tmp_path / "star_table.yaml"),
                   "--out", "out/")
    assert "the pay table differs from the one stored with the history; the new amounts are " \
           "paid from now on" in [p["message"] for p in doc["problems"]]
    rows = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-05",
                                               "--out", "p.csv")["rows"]}
    assert rows["0001"]["components"]["基本工资"] == "3200.00"


@pytest.mark.language("en")
@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t[2].__setitem__(5, "话费"),
     "薪酬表.xlsx › Sheet1 › row 3: the pay table has no column for 话费补贴 — Columns found: "
     "级别, 基本工资, 岗位绩效工资, 交通补贴, 餐费补贴, 话费, 备注. Add one column per pay "
     "component of the template: 基本工资, 岗位绩效工资, 交通补贴, 餐费补贴, 话费补贴."),
    (lambda t: t[5].__setitem__(2, "八百"),
     "薪酬表.xlsx › Sheet1 › C6: 岗位绩效工资 of 二星: '八百' is not a number"),
    (lambda t: t[5].__setitem__(2, -800),
     "薪酬表.xlsx › Sheet1 › C6: 岗位绩效工资 of 二星 must be an amount of 0 or more, not -800"),
    (lambda t: t[6].__setitem__(0, "六星"),
     "薪酬表.xlsx › Sheet1 › A7: unknown level '六星' in the pay table — Levels of the star "
     "template: 试用, 一星, 二星, 三星, 四星, 五星."),
    (lambda t: t.pop(8),
     "薪酬表.xlsx › Sheet1: the pay table has no row for 五星 — Add one row per level of the "
     "template."),
    (lambda t: t[4].__setitem__(3, None),
     "薪酬表.xlsx › Sheet1 › D5: no amount for 交通补贴 of 一星 — Write 0 where a level has none "
     "of it."),
])
def test_bad_pay_table(tmp_path: Path, cli, edit, message: str) -> None:
    table = [row[:] for row in TABLE]
    edit(table)
    write_xlsx(tmp_path / "薪酬表.xlsx", table)
    kpi(tmp_path / "kpi_2026-03.xlsx", [["0001", "甲", "一组", 100]])
    before = files_in(tmp_path)
    code, _, err = cli("score", "kpi_2026-03.xlsx", "--scheme", str(_template(tmp_path)))
    assert code == 1
    assert message in " ".join(err.split()), err
    assert files_in(tmp_path) == before | {"star_table.yaml"}


@pytest.mark.language("en")
def test_levels_cannot_also_list_pay(tmp_path: Path, cli) -> None:
    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    (tmp_path / "both.yaml").write_text(
        text.replace("  currency: CNY\n", "  currency: CNY\n  table: 薪酬表.xlsx\n", 1),
        encoding="utf-8")
    code, _, err = cli("templates", "validate", "both.yaml")
    assert code == 1
    assert "level 试用: the amounts come from pay.table (薪酬表.xlsx); remove this level's pay" \
        in " ".join(err.split())


@pytest.mark.language("en")
def test_validate_reads_the_table(tmp_path: Path, cli) -> None:
    write_xlsx(tmp_path / "薪酬表.xlsx", TABLE)
    code, out, err = cli("templates", "validate", str(_template(tmp_path)))
    assert code == 0, err
    table = [row[:] for row in TABLE]
    table.pop(8)
    write_xlsx(tmp_path / "薪酬表.xlsx", table)
    code, _, err = cli("templates", "validate", str(tmp_path / "star_table.yaml"))
    assert code == 1
    assert "the pay table has no row for 五星" in err
