"""The signed sign-off list comes back (issue 18, part 2): the sheet cslevel writes has an
approval column (a drop-down: 同意 / 不同意), the approver and remarks; `cslevel signoff
import FILE` reads a filled-in copy, keeps approved and refused moves, and refuses anything
it cannot read with the cell named — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import kpi
from pg_helpers import rows

ROSTER = [["工号", "姓名", "组别", "当前级别"], ["0001", "甲", "一组", "一星"],
          ["0002", "乙", "一组", "三星"], ["0003", "丙", "二组", "二星"]]
SCORES = {"0001": 115, "0002": 100, "0003": 120}
NAMES = {"0001": "甲", "0002": "乙", "0003": "丙"}
MOVES = [  # (agent, from, to) from 2026-04, in the sign-off list's order
    ("0001", "一星", "二星"), ("0002", "三星", "二星"), ("0003", "二星", "三星")]


def _history(tmp_path: Path, cli_json, db: str) -> Path:
    """Three months of the star scheme: 0001 and 0003 promoted, 0002 demoted from 2026-04;
    the moves workbook with its sign-off list."""
    write_xlsx(tmp_path / "roster.xlsx", ROSTER, text_columns=(0, 1, 2, 3))
    files = []
    for month in ("2026-01", "2026-02", "2026-03"):
        files.append(str(kpi(tmp_path / f"kpi_{month}.xlsx",
                             [[a, NAMES[a], "一组", s] for a, s in SCORES.items()])))
    cli_json("score", *files, "--scheme", "star", "--roster", "roster.xlsx", "--db", db,
             "--out", "out/")
    cli_json("promote", "--db", db, "--out", "moves.xlsx")
    return tmp_path / "moves.xlsx"


def _sign(moves: Path, target: Path, results: dict[str, tuple[str, str, str]]) -> Path:
    """A signed copy of the list: agent -> (approval, approver, remarks)."""
    book = openpyxl.load_workbook(moves)
    sheet = book.worksheets[1]
    head = [c.value for c in sheet[3]]
    approval = (head.index("审批结果") if "审批结果" in head else head.index("Approval")) + 1
    for row in range(4, sheet.max_row + 1):
        agent = sheet.cell(row, 1).value
        if agent in results:
            for offset, value in enumerate(results[agent]):
                sheet.cell(row, approval + offset, value or None)
    book.save(target)
    return target


def test_the_sign_off_list_has_an_approval_drop_down(tmp_path: Path, cli_json) -> None:
    moves = _history(tmp_path, cli_json, str(tmp_path / "history.db"))
    sheet = openpyxl.load_workbook(moves).worksheets[1]
    assert [c.value for c in sheet[3]][-3:] == ["审批结果", "审批人", "备注"]
    assert [tuple(c.value for c in row[:7]) for row in sheet.iter_rows(min_row=4)] == [
        ("0001", "甲", "一组", "晋升", "一星", "二星", "2026-04"),
        ("0002", "乙", "一组", "降级", "三星", "二星", "2026-04"),
        ("0003", "丙", "二组", "晋升", "二星", "三星", "2026-04")]  # (the roster's team)
    (check,) = sheet.data_validations.dataValidation
    assert (check.type, check.formula1, str(check.sqref)) == ("list", '"同意,不同意"', "M4:M6")


def test_import_keeps_approved_and_refused_moves(tmp_path: Path, cli, cli_json,
                                                db_url: str) -> None:
    moves = _history(tmp_path, cli_json, db_url)
    signed = _sign(moves, tmp_path / "signed.xlsx", {
        "0001": ("同意", "王主管", ""), "0002": ("不同意", "王主管", "申诉中"),
        "0003": ("", "", "")})
    doc = cli_json("signoff", "import", "signed.xlsx", "--db", db_url, "--by", "李文员")
    assert doc == {"file": "signed.xlsx", "approved": 1, "rejected": 1, "pending": 1,
                   "moves": [{"agent_id": a, "from": f, "to": t, "effective": "2026-04",
                              "result": r}
                             for (a, f, t), r in zip(MOVES, ["approved", "rejected", "pending"],
                                                     strict=True)],
                   "problems": []}
    db = db_url if "://" in db_url else f"sqlite:///{db_url}"
    kept = rows(db, "select agent_id, effective_month, from_level, to_level, result, approver, "
                    "note, file, \"user\" from signoffs order by id")
    assert kept == [("0001", "2026-04", "一星", "二星", "approved", "王主管", "", "signed.xlsx",
                     "李文员"),
                    ("0002", "2026-04", "三星", "二星", "rejected", "王主管", "申诉中",
                     "signed.xlsx", "李文员")]
    # the refusal is a level adjustment: 0002 stays at 三星 from 2026-04
    (held,) = cli_json("adjust", "list", "--db", db_url)["adjustments"]
    assert {k: held[k] for k in ("agent_id", "month", "kind", "value", "was", "reason", "by")} == {
        "agent_id": "0002", "month": "2026-04", "kind": "level", "value": "三星", "was": "二星",
        "reason": "申诉中", "by": "李文员"}
    assert cli_json("history", "0002", "--db", db_url)["next_level"] == "三星"
    first = cli_json("history", "0001", "--db", db_url)
    assert first["next_level"] == "二星"
    assert [m.get("signoff") for m in first["months"]] == [None, None, "approved"]
    assert first["signoffs"] == [{"from": "一星", "to": "二星", "effective": "2026-04",
                                  "result": "approved", "approver": "王主管", "note": "",
                                  "imported_at": first["signoffs"][0]["imported_at"],
                                  "imported_by": "李文员"}]
    code, out, _err = cli("history", "0001", "--db", db_url)
    assert "审批：一星 → 二星（2026-04 起）已由 王主管 同意" in out
    # the same list again: the same results, no second adjustment
    code, out, _err = cli("signoff", "import", str(signed), "--db", db_url)
    assert code == 0
    assert "0002  三星 → 二星（2026-04 起）：不同意：不生效" in out
    assert "signed.xlsx：同意 1 项，不同意 1 项，待审批 1 项" in out
    assert len(cli_json("adjust", "list", "--db", db_url)["adjustments"]) == 1
    # approved after all: the adjustment is undone, the move takes effect
    _sign(moves, tmp_path / "second.xlsx", {"0002": ("同意", "张经理", "")})
    assert cli_json("signoff", "import", "second.xlsx", "--db", db_url)["approved"] == 1
    assert cli_json("adjust", "list", "--db", db_url)["adjustments"] == []
    assert cli_json("history", "0002", "--db", db_url)["next_level"] == "二星"


def test_other_approval_words(tmp_path: Path, cli_json) -> None:
    moves = _history(tmp_path, cli_json, str(tmp_path / "history.db"))
    _sign(moves, tmp_path / "signed.xlsx", {"0001": ("批准", "", ""), "0002": ("驳回", "", ""),
                                            "0003": ("Y", "", "")})
    doc = cli_json("signoff", "import", "signed.xlsx")
    assert [m["result"] for m in doc["moves"]] == ["approved", "rejected", "approved"]


@pytest.mark.language("en")
def test_an_english_list_is_read_in_its_words(tmp_path: Path, cli_json) -> None:
    moves = _history(tmp_path, cli_json, str(tmp_path / "history.db"))
    book = openpyxl.load_workbook(moves)
    sheet = book.worksheets[1]
    assert [c.value for c in sheet[3]][-3:] == ["Approval", "Approver", "Remarks"]
    assert sheet.data_validations.dataValidation[0].formula1 == '"approve,reject"'
    for row, word in zip(range(4, 7), ["approve", "reject", "N"], strict=True):
        sheet.cell(row, 13, word)
    book.save(tmp_path / "signed.xlsx")
    doc = cli_json("signoff", "import", "signed.xlsx")
    assert [m["result"] for m in doc["moves"]] == ["approved", "rejected", "rejected"]


@pytest.mark.language("en")
def test_a_word_that_is_neither_is_refused_with_its_cell(tmp_path: Path, cli,
                                                         cli_json) -> None:
    moves = _history(tmp_path, cli_json, str(tmp_path / "history.db"))
    _sign(moves, tmp_path / "signed.xlsx", {"0001": ("approve", "", ""),
                                            "0002": ("maybe", "", "")})
    code, _out, err = cli("signoff", "import", "signed.xlsx")
    assert code == 1
    assert ("signed.xlsx › Sign-off list › M5: the approval 'maybe' is neither an approval "
            "nor a refusal") in err
    assert "Write approve (or 批准, approve, Y) or reject (or 驳回, reject, N)" in err
    assert rows(f"sqlite:///{tmp_path / 'history.db'}", "select count(*) from signoffs") == [(0,)]


@pytest.mark.language("en")
def test_a_row_naming_no_move_of_the_history_is_refused(tmp_path: Path, cli,
                                                        cli_json) -> None:
    moves = _history(tmp_path, cli_json, str(tmp_path / "history.db"))
    book = openpyxl.load_workbook(moves)
    book.worksheets[1].cell(4, 6, "五星")  # 0001's "to level"
    book.worksheets[1].cell(4, 13, "approve")
    book.save(tmp_path / "signed.xlsx")
    code, out, _err = cli("signoff", "import", "signed.xlsx", "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    (problem,) = doc["problems"]
    assert problem["message"] == "0001 has no move 一星 → 五星 from 2026-04 in the history"
    assert (problem["file"], problem["sheet"], problem["cell"]) == (
        "signed.xlsx", "Sign-off list", "row 4")


@pytest.mark.language("en")
def test_a_workbook_without_the_list_is_refused(tmp_path: Path, cli, cli_json) -> None:
    _history(tmp_path, cli_json, str(tmp_path / "history.db"))
    code, _out, err = cli("signoff", "import", "kpi_2026-01.xlsx")
    assert code == 1
    assert ("kpi_2026-01.xlsx: no sign-off list in this workbook: no sheet has the columns "
            "Agent ID, From level, To level, Effective month, Approval") in err


@pytest.mark.language("en")
def test_refusing_a_move_of_a_locked_month_needs_it_reopened(tmp_path: Path, cli, cli_json,
                                                             db_url: str) -> None:
    moves = _history(tmp_path, cli_json, db_url)
    kpi(tmp_path / "kpi_2026-04.xlsx", [[a, NAMES[a], "一组", s] for a, s in SCORES.items()])
    cli_json("score", "kpi_2026-04.xlsx", "--db", db_url, "--out", "out/")
    cli_json("lock", "2026-04", "--db", db_url)
    _sign(moves, tmp_path / "signed.xlsx", {"0001": ("approve", "", ""),
                                            "0002": ("reject", "", "")})
    code, _out, err = cli("signoff", "import", "signed.xlsx", "--db", db_url)
    assert code == 3
    assert ("signed.xlsx › Sign-off list › M5: 0002's move 三星 → 二星 from 2026-04 cannot be "
            "refused: 2026-04 is locked and was paid with it") in err
    assert 'cslevel reopen 2026-04 --reason "…"' in err
    db = db_url if "://" in db_url else f"sqlite:///{db_url}"
    assert rows(db, "select count(*) from signoffs") == [(0,)]
    _sign(moves, tmp_path / "approved.xlsx", {"0001": ("approve", "", "")})
    assert cli_json("signoff", "import", "approved.xlsx", "--db", db_url)["approved"] == 1


def _required_template(tmp_path: Path) -> Path:
    """The star template with `signoff: {required: true}`."""
    from cslevel.templates import shipped_templates_dir

    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    path = tmp_path / "star_signed.yaml"
    path.write_text(text + "\nsignoff:\n  required: true\n", encoding="utf-8")
    return path


def _levels_paid(doc: dict) -> dict[str, str]:
    return {line["agent_id"]: line["level"] for line in doc["rows"]}


@pytest.mark.language("en")
@pytest.mark.parametrize("required", [False, True])
def test_a_move_is_paid_once_approved_when_the_template_says_so(
        tmp_path: Path, cli_json, db_url: str, required: bool) -> None:
    """signoff.required: the April payroll pays the moves from 2026-04 only once approved;
    a pending or refused one is paid at the level before it and listed. Without it, the
    moves are paid as derived (the list is a record)."""
    write_xlsx(tmp_path / "roster.xlsx", ROSTER, text_columns=(0, 1, 2, 3))
    files = [str(kpi(tmp_path / f"kpi_{m}.xlsx",
                     [[a, NAMES[a], "一组", s] for a, s in SCORES.items()]))
             for m in ("2026-01", "2026-02", "2026-03")]
    scheme = str(_required_template(tmp_path)) if required else "star"
    cli_json("score", *files, "--scheme", scheme, "--roster", "roster.xlsx", "--db", db_url,
             "--out", "out/")
    cli_json("promote", "--db", db_url, "--out", "moves.xlsx")
    before = cli_json("payroll", "export", "--month", "2026-04", "--db", db_url,
                      "--out", "p1.xlsx")
    derived = {"0001": "二星", "0002": "二星", "0003": "三星"}
    if not required:
        assert _levels_paid(before) == derived
        assert not any("signed" in p["message"] for p in before["problems"])
    else:
        assert _levels_paid(before) == {"0001": "一星", "0002": "三星", "0003": "二星"}
        assert [p["message"] for p in before["problems"] if "sign" in p["message"]] == [
            f"{a}: the move {f} → {t} from 2026-04 is not signed off yet; paid at {f} until it "
            "is" for a, f, t in MOVES]
    _sign(tmp_path / "moves.xlsx", tmp_path / "signed.xlsx", {
        "0001": ("approve", "", ""), "0002": ("reject", "", "申诉中"), "0003": ("", "", "")})
    cli_json("signoff", "import", "signed.xlsx", "--db", db_url)
    after = cli_json("payroll", "export", "--month", "2026-04", "--db", db_url,
                     "--out", "p2.xlsx")
    # the refused move does not take effect either way (it is a level adjustment now)
    if not required:
        assert _levels_paid(after) == {**derived, "0002": "三星"}
    else:
        assert _levels_paid(after) == {"0001": "二星", "0002": "三星", "0003": "二星"}
        assert [p["message"] for p in after["problems"] if "sign" in p["message"]] == [
            ("0003: the move 二星 → 三星 from 2026-04 is not signed off yet; paid at 二星 until "
             "it is")]


@pytest.mark.language("en")
def test_refusing_a_move_whose_first_month_was_paid_needs_the_lock_reopened(
        tmp_path: Path, cli, cli_json) -> None:
    """The move from 2026-04 is paid by the payroll 2026-03 is locked with: refusing it would
    change that paid payroll."""
    db = str(tmp_path / "history.db")
    moves = _history(tmp_path, cli_json, db)
    cli_json("payroll", "export", "--month", "2026-04", "--db", db, "--out", "p.xlsx")
    cli_json("lock", "2026-03", "--db", db)
    _sign(moves, tmp_path / "signed.xlsx", {"0002": ("reject", "", "")})
    code, _out, err = cli("signoff", "import", "signed.xlsx", "--db", db)
    assert code == 3
    assert ("0002's move 三星 → 二星 from 2026-04 cannot be refused: 2026-03 is locked and was "
            "paid with it") in " ".join(err.split())
    assert rows(f"sqlite:///{db}", "select count(*) from signoffs") == [(0,)]
