"""Supervisor allowance tiers (star) and team-lead management pay (assistant) in payroll."""

from __future__ import annotations

from pathlib import Path

from conftest import write_xlsx


def test_supervisor_allowance_is_untouched_by_star_moves(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "当前级别", "主管津贴档"],
                                          ["0001", "二星", "二档"], ["0002", "二星", 1500],
                                          ["0003", "二星", None]])
    for month in (1, 2, 3):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx",
                   [["工号", "绩效分值"], ["0001", 120], ["0002", 90], ["0003", 100]])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "star",
             "--out", "out/")
    cli_json("promote")
    april = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-04",
                                                "--out", "p.xlsx")["rows"]}
    # 0001 goes up to 三星 and 0002 down to 一星: their allowance stays as their tier says
    assert (april["0001"]["level"], april["0001"]["components"]["主管津贴"]) == ("三星", "1000.00")
    assert (april["0002"]["level"], april["0002"]["components"]["主管津贴"]) == ("一星", "1500.00")
    assert april["0003"]["components"]["主管津贴"] == "0.00"
    # 三星 5750.00, with 岗位绩效工资 1500.00 × March's 120/100 = 1800.00, + 1000.00
    assert april["0001"]["total"] == "7050.00"


def test_team_lead_pay_by_team_average_with_conditions(tmp_path: Path, cli_json) -> None:
    header = ["工号", "组别", "当前级别", "领班", "绩效得分", "流程改进建议数"]
    rows = {  # Q1 team averages: 一组 (90+80+80)/3 = 83.33 -> 200; 二组 70 -> unqualified
        "0001": ["一组", "二级", "是", 90, 1],
        "0002": ["一组", "三级", "否", 80, 0],
        "0003": ["一组", "三级", "否", 80, 0],
        "0004": ["二组", "二级", "是", 70, 1],
        "0005": ["二组", "三级", "否", 70, 0],
        "0006": ["三组", "三级", "是", 95, 1],   # a lead below 二级: no management pay
        "0007": ["四组", "二级", "是", 95, 0],   # no process improvement filed
    }
    for month in (1, 2, 3):
        improvements = {a: (r[4] if month == 2 else 0) for a, r in rows.items()}
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [header] + [
            [a, r[0], r[1], r[2], r[3], improvements[a]] for a, r in rows.items()])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "组别", "当前级别", "领班"]] + [
        [a, r[0], r[1], r[2]] for a, r in rows.items()])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "assistant",
             "--out", "out/")
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.csv")
    pay = {r["agent_id"]: r["components"]["管理津贴"] for r in doc["rows"]}
    assert pay == {"0001": "200.00", "0002": "0.00", "0003": "0.00", "0004": "0.00",
                   "0005": "0.00", "0006": "0.00", "0007": "0.00"}
    text = (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].endswith("级别工资,管理津贴,应发合计,上月应发,变动说明,计算说明")


def test_lead_removal_flags(tmp_path: Path, cli_json) -> None:
    header = ["工号", "组别", "当前级别", "领班", "绩效得分", "流程改进建议数"]
    rows = {
        "0001": ["一组", "二级", "是", 70, 1],    # team average 70 < 75 every quarter
        "0002": ["一组", "三级", "否", 70, 0],
        "0003": ["二组", "三级", "是", 90, 1],    # a lead below 二级
        "0004": ["二组", "三级", "否", 90, 0],
    }
    for month in range(1, 10):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [header] + [
            [a, *r] for a, r in rows.items()])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "组别", "当前级别", "领班"]] + [
        [a, *r[:3]] for a, r in rows.items()])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "assistant",
             "--out", "out/")
    flags = {as_of: {(f["agent_id"], f["flag"]) for f in cli_json("promote", "--as-of",
                                                                     as_of)["flags"]}
             for as_of in ("2026-03", "2026-06", "2026-09")}
    assert ("0003", "lead_removal") in flags["2026-03"]
    assert ("0001", "lead_removal") not in flags["2026-06"]  # two unqualified quarters
    assert ("0001", "lead_removal") in flags["2026-09"]      # the third in a row
