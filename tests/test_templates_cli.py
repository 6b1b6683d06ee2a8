"""`cslevel templates list | show | validate | new`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cslevel.templates import load_scheme, shipped_templates_dir


def test_list_names_every_shipped_template(cli) -> None:
    code, out, _ = cli("templates", "list", "--json")
    assert code == 0
    doc = json.loads(out)
    assert {t["name"]: t["rule"] for t in doc["templates"]} == {
        "assistant": "quarterly_standard", "calls": "streak", "grade": "tenure_grade",
        "grade_cba": "tenure_grade", "grade_dc": "rank_streak", "ladder": "streak",
        "points": "score_bands",
        "star": "streak",
        "tier": "tier_floors",
        "weighted": "window_average"}


def test_show_prints_the_commented_text(cli) -> None:
    code, out, _ = cli("templates", "show", "star")
    assert code == 0
    assert out == (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")


@pytest.mark.language("en")
def test_validate_good_and_bad(tmp_path: Path, cli) -> None:
    code, out, _ = cli("templates", "validate", shipped_templates_dir() / "weighted.yaml")
    assert code == 0 and "scheme weighted, 17 levels, rule review on the window's average" in out
    text = (shipped_templates_dir() / "weighted.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("{at_least: 70, move: 0}", "{at_least: 85, move: 0}"),
                   encoding="utf-8")
    code, _, err = cli("templates", "validate", bad)
    assert code == 1
    assert (f"{bad}: promotion: Value error, band bounds must go down from the top band: "
            "[Decimal('80'), Decimal('85'), Decimal('50')]") in err


@pytest.mark.language("en")
def test_new_copies_a_template_under_its_own_name(tmp_path: Path, cli) -> None:
    code, out, _ = cli("templates", "new", "our-star", "--from", "star", "--dir", tmp_path)
    assert code == 0, out
    scheme, text = load_scheme(str(tmp_path / "our-star.yaml"))
    assert scheme.scheme == "our-star"
    assert "# 星级客服员晋级模板" in text  # the comments come along
    code, _, err = cli("templates", "new", "our-star", "--dir", tmp_path)
    assert code == 1 and "our-star.yaml already exists" in err
