"""Templates are data: the shipped star template loads; a bad one is refused with the file
and the field path (BAD_INPUTS 32)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cslevel.records import CslevelError, Source
from cslevel.templates import load_scheme, shipped_templates_dir

STAR = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")


def test_star_template_carries_the_domain_numbers() -> None:
    scheme, text = load_scheme("star")
    assert text == STAR
    assert scheme.level_names == ["试用", "一星", "二星", "三星", "四星", "五星"]
    assert scheme.trial_level == "试用"
    assert scheme.entry_level == "一星"
    assert scheme.trial_months == 3
    assert scheme.promotion.window == 3
    assert scheme.promotion.up_threshold == Decimal(110)
    assert scheme.promotion.down_threshold == Decimal(110)
    assert scheme.floor_level == "一星"
    assert scheme.score.cap == Decimal(150)
    assert sum(m.weight for m in scheme.score.metrics) == 100
    assert {m.key: m.direction for m in scheme.score.metrics if m.weight} == {
        "response_time": "lower", "resolution_rate": "higher", "satisfaction": "higher",
        "complaint_rate": "lower"}
    # trainings are read, not scored: counted a year (003: 每年至少参加两次专业培训)
    assert [(m.key, m.weight) for m in scheme.score.metrics if not m.weight] == [
        ("training", 0)]
    assert scheme.training is not None and scheme.training.at_least == 2
    assert scheme.resolve_level("三星客服员") == "三星"
    assert scheme.resolve_level("普通客服员") == "一星"
    assert scheme.resolve_level("高级客服员") == "五星"
    assert scheme.resolve_level("试用客服员") == "试用"
    assert scheme.resolve_level("六星") is None
    # money is Decimal exactly as written, never a float
    assert scheme.level("三星").pay["基本工资"] == Decimal("3600.00")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in STAR
    path = tmp_path / "mine.yaml"
    path.write_text(STAR.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.language("en")
@pytest.mark.parametrize(("old", "new", "message"), [
    ("  up_threshold: 110", "  treshold: 110",
     "promotion.treshold: unknown field (typo?)"),
    ("      weight: 20 ", "      weight: 25 ",
     "score: Value error, metric weights must add up to 100, they add up to 105"),
    ("entry_level: 一星", "entry_level: 六星",
     "Value error, entry_level '六星' is not a level"),
    ("  floor_level: 一星", "  floor_level: 零星",
     "Value error, promotion.floor_level '零星' is not a level"),
    ("  window: 3 ", "  window: 0 ",
     "promotion.window: Input should be greater than or equal to 1"),
    ("  rule: streak", "  rule: lottery",
     "promotion.rule: Value error, unknown rule 'lottery'; allowed: "
     "quarterly_standard, rank_streak, score_bands, streak, tenure_grade, tier_floors, "
     "window_average"),
    ("{基本工资: 3600.00,", "{基本工资: -5,",
     "levels[3].pay: Value error, 基本工资 must be ≥ 0, got -5"),
    ("话费补贴: 200.00}", "话费补助: 200.00}",
     "Value error, level 五星: pay must list exactly the components"),
])
def test_bad_template_names_file_and_field(tmp_path: Path, old: str, new: str,
                                           message: str) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(CslevelError) as caught:
        load_scheme(str(path))
    text = str(caught.value)
    assert str(path) in text
    assert message in text


@pytest.mark.language("en")
def test_bad_template_through_cli_exits_1_and_writes_nothing(tmp_path: Path, cli) -> None:
    path = _variant(tmp_path, "  up_threshold: 110", "  treshold: 110")
    kpi = tmp_path / "kpi_2026-10.csv"
    kpi.write_text("工号,绩效分值\n0001,112\n", encoding="utf-8")
    code, out, err = cli("score", kpi, "--scheme", path)
    assert code == 1
    assert f"{path}: promotion.treshold: unknown field (typo?)" in err
    assert not (tmp_path / "history.db").exists()
    assert not (tmp_path / "results-2026-10.xlsx").exists()


@pytest.mark.language("en")
def test_unknown_scheme_lists_the_shipped_ones(tmp_path: Path, cli) -> None:
    kpi = tmp_path / "kpi_2026-10.csv"
    kpi.write_text("工号,绩效分值\n0001,112\n", encoding="utf-8")
    code, _, err = cli("score", kpi, "--scheme", "nosuch")
    assert code == 1
    assert ("unknown scheme 'nosuch' — Use one of: assistant, calls, grade, grade_cba, "
            "grade_dc, ladder, points, star, tier, weighted, or give the path "
            "of a template file (.yaml).") in err


def test_openpyxl_uses_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_a_template_text_parsed_again_gives_the_same_scheme() -> None:
    """`cslevel run` parses its template and then, twice, the copy stored with the history:
    a text parsed before is not parsed again (a Scheme is frozen, so it can be shared); a
    text that fails fails every time, naming the origin it was given."""
    from cslevel.templates import load_scheme, parse_scheme

    scheme, text = load_scheme("star")
    assert parse_scheme(text, "stored") is scheme
    other = parse_scheme(text.replace("title:", "title: x", 1) if "title:" in text
                         else text + "\n# changed\n", "other")
    assert other is not scheme
    bad = text + "\nnot_a_field: 1\n"
    for origin in ("first", "second"):
        with pytest.raises(CslevelError) as exc:
            parse_scheme(bad, origin)
        assert [p.source for p in exc.value.problems] == [Source(origin)]
        assert "not_a_field" in exc.value.problems[0].message
