"""Grade variant D→C: top 3 of the team for 3 months in a row (a drop to 4th resets the
count), at least a year in post, no complaint in the last 3 months."""

from __future__ import annotations

from pathlib import Path

from conftest import write_xlsx

HEADER = ["工号", "组别", "入职日期", "当前级别", "综合得分", "客户投诉次数", "优秀员工"]
TEAM = ["0001", "0002", "0003", "0004", "0005"]


def _month(tmp_path: Path, month: int, scores: dict[str, float],
           complaints: dict[str, int] | None = None) -> Path:
    rows: list[list[object]] = [HEADER]
    for agent in TEAM:
        hired = "2026-01-01" if agent == "0005" else "2024-01-01"
        rows.append([agent, "一组", hired, "D", scores[agent], (complaints or {}).get(agent, 0),
                     1])  # named employee of the month: not what these tests are about
    return write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", rows)


def test_top_three_for_three_months_with_a_reset_at_fourth_place(tmp_path: Path,
                                                                 cli_json) -> None:
    base = {"0001": 95, "0002": 90, "0003": 85, "0004": 80, "0005": 99}
    _month(tmp_path, 1, base)
    _month(tmp_path, 2, dict(base, **{"0003": 70}))           # 0003 drops to 5th
    _month(tmp_path, 3, base, complaints={"0002": 1})          # 0002: a complaint in 03
    _month(tmp_path, 4, base)
    _month(tmp_path, 5, base)
    got = {}
    for month in range(1, 6):
        cli_json("score", f"kpi_2026-{month:02d}.xlsx", "--scheme", "grade_dc")
        promoted = cli_json("promote")
        got[month] = {m["agent_id"]: m["to"] for m in promoted["moves"]}
    # 0001: 2nd every month (0005 is first) -> C from 04
    # 0005: first every month, but hired 2026-01: not a year in post -> no move
    # 0003: 4th (5th in 02) -> never in the top 3
    # 0002: 3rd every month, but the complaint of 03 is within the last 3 months up to 05
    assert got == {1: {}, 2: {}, 3: {"0001": "C"}, 4: {}, 5: {}}
    history = cli_json("history", "0005")
    assert "未满12个月" in history["months"][2]["reason"]
    history = cli_json("history", "0002")
    assert "近期有投诉" in history["months"][2]["reason"]
    assert history["months"][0]["up_streak"] == 1


def test_ties_share_a_place(tmp_path: Path, cli_json) -> None:
    for month in (1, 2, 3):
        _month(tmp_path, month, {"0001": 90, "0002": 90, "0003": 90, "0004": 90, "0005": 10})
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "grade_dc", "--out", "out/")
    moves = {m["agent_id"] for m in cli_json("promote")["moves"]}
    assert moves == {"0001", "0002", "0003", "0004"}  # four agents share first place


def test_dropping_to_fourth_resets_the_count(tmp_path: Path, cli_json) -> None:
    top = {"0001": 95, "0002": 90, "0003": 85, "0004": 80, "0005": 10}
    dropped = dict(top, **{"0003": 79})  # 0003 falls to 4th in month 3
    for month, scores in ((1, top), (2, top), (3, dropped), (4, top), (5, top)):
        _month(tmp_path, month, scores)
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "grade_dc", "--out", "out/")
    streaks = [m["up_streak"] for m in cli_json("history", "0003")["months"]]
    assert streaks == [1, 2, 0, 1, 2]
    assert cli_json("history", "0003")["next_level"] == "D"
