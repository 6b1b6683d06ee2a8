"""DOMAIN.md's worked example for the star scheme, run through the CLI month by month."""

from __future__ import annotations

from pathlib import Path

from conftest import write_xlsx

SCORES = {
    "A": [112, 110, 125, 111, 90, 115, 118, 120, 130, 99],
    "B": [100, 105, 109.9, 120, 121, 122, None, 130, 131, 140],
    "C": [115, 116, None, 117, 118, 119, 100, 100, 100, 100],
    "D": [None, None, 120, 120, 120, 120, 120, 120, 120, 120],
}
LEVELS = {
    "A": ["二星", "二星", "二星", "三星", "三星", "三星", "三星", "三星", "四星", "四星"],
    "B": ["二星", "二星", "二星", "一星", "一星", "一星", "二星", "二星", "二星", "二星"],
    "C": ["三星", "三星", "三星", "三星", "三星", "三星", "四星", "四星", "四星", "三星"],
    "D": [None, None, "试用", "试用", "试用", "一星", "一星", "一星", "二星", "二星"],
}


def _roster(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别"],
        ["A", "甲", "一组", "2024-01-05", "二星客服员"],
        ["B", "乙", "一组", "2024-02-01", "二星"],
        ["C", "丙", "二组", "2023-07-01", "三星"],
        ["D", "丁", "二组", "2026-03-10", None],
    ])


def _month_file(tmp_path: Path, index: int) -> Path:
    rows: list[list[object]] = [["2026年%02d月客服绩效考核表" % (index + 1)], [],
                                ["工号", "姓名", "组别", "绩效分值"]]
    for agent, scores in SCORES.items():
        if scores[index] is not None:
            rows.append([agent, {"A": "甲", "B": "乙", "C": "丙", "D": "丁"}[agent],
                         "一组" if agent in "AB" else "二组", scores[index]])
    return write_xlsx(tmp_path / f"kpi_2026-{index + 1:02d}.xlsx", rows)


def test_worked_example_month_by_month(tmp_path: Path, cli_json) -> None:
    roster = _roster(tmp_path)
    seen: dict[str, list[str | None]] = {a: [] for a in SCORES}
    for index in range(10):
        month = f"2026-{index + 1:02d}"
        doc = cli_json("score", _month_file(tmp_path, index), "--scheme", "star",
                       "--roster", roster)
        assert doc["month"] == month
        by_id = {a["agent_id"]: a for a in doc["agents"]}
        for agent in SCORES:
            seen[agent].append(by_id[agent]["level"] if agent in by_id else None)
        promoted = cli_json("promote", "--months", "3")
        assert promoted["as_of"] == month
        next_levels = {row["agent_id"]: row["level"] for row in promoted["levels"]}
        for agent, levels in LEVELS.items():
            if index + 1 < 10 and levels[index + 1] is not None:
                assert next_levels[agent] == levels[index + 1], (agent, month)
    # score --json shows the level in force only for scored months; compare where scored
    for agent, levels in LEVELS.items():
        expected = [lv if SCORES[agent][i] is not None else None for i, lv in enumerate(levels)]
        assert seen[agent] == expected, agent

    for agent, levels in LEVELS.items():
        doc = cli_json("history", agent)
        got = {m["month"]: m["level"] for m in doc["months"]}
        expected = {f"2026-{i + 1:02d}": lv for i, lv in enumerate(levels) if lv is not None}
        assert got == expected, agent
    assert cli_json("history", "B")["next_level"] == "三星"
    assert cli_json("history", "C")["next_level"] == "三星"


def test_moves_of_month_three(tmp_path: Path, cli_json) -> None:
    roster = _roster(tmp_path)
    for index in range(3):
        cli_json("score", _month_file(tmp_path, index), "--scheme", "star", "--roster", roster)
    doc = cli_json("promote")
    moves = {(m["agent_id"], m["from"], m["to"], m["effective"], m["rule"]) for m in doc["moves"]}
    assert moves == {("A", "二星", "三星", "2026-04", "streak_up"),
                     ("B", "二星", "一星", "2026-04", "streak_down")}
    a_move = next(m for m in doc["moves"] if m["agent_id"] == "A")
    assert a_move["trigger_months"] == ["2026-01", "2026-02", "2026-03"]
    assert "2026-01 112" in a_move["reason"] and "2026-03 125" in a_move["reason"]


def test_all_months_at_once_then_one_promote(tmp_path: Path, cli_json) -> None:
    roster = _roster(tmp_path)
    files = [_month_file(tmp_path, i) for i in range(10)]
    (tmp_path / "out").mkdir()
    cli_json("score", *files, "--scheme", "star", "--roster", roster, "--out", tmp_path / "out")
    doc = cli_json("promote")
    assert doc["as_of"] == "2026-10"
    assert {m["agent_id"]: m["to"] for m in doc["moves"]} == {"B": "三星"}
    for agent, levels in LEVELS.items():
        got = [m["level"] for m in cli_json("history", agent)["months"]]
        assert got == [lv for lv in levels if lv is not None], agent
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"results-2026-{i:02d}.xlsx" for i in range(1, 11)]
