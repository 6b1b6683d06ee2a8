"""The HTML report opened in a real browser: Debian's chromium, headless, driven through its
chromedriver by selenium.

It fails on any console error (the browser log, `goog:loggingPrefs`: a fetch the report's
Content Security Policy blocks is one), checks that every chart drew its marks (each has
a size on the page) and that the numbers on the page are the history's (the payroll of each
month, the moves worked by hand in tests/test_report.py), and saves a screenshot of the
whole page as a test artefact: in $CSLEVEL_TEST_ARTIFACTS if set, else in the test's
tmp_path.

CI (.ci/run) installs chromium and chromium-driver and sets CSLEVEL_CI=1: there, a missing
browser fails the test. Elsewhere it is skipped, saying what to install.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_report import MONTHS, build_history, payroll_lines

CHROMIUM = Path(os.environ.get("CSLEVEL_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CSLEVEL_CHROMEDRIVER", "/usr/bin/chromedriver"))
# no network here: without these flags chromium tries to reach Google's services
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1100,900"]


def _missing() -> str | None:
    """Why the browser cannot run, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            return (f"{path} not found: apt-get install chromium chromium-driver "
                    "(CI installs them; or set CSLEVEL_CHROMIUM / CSLEVEL_CHROMEDRIVER)")
    return None


@pytest.fixture
def browser(tmp_path: Path):
    why = _missing()
    if why is not None:
        if os.environ.get("CSLEVEL_CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path / "chromium-profile"  # a new, empty profile each time
    profile.mkdir()
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CSLEVEL_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(driver: Any, target: Path) -> Path:
    """The whole page, as tall as it is, into `target` (PNG)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, height + 40)
    assert driver.save_screenshot(str(target)), target
    return target


TABLE_TEXT = """
return Array.from(document.querySelectorAll('#' + arguments[0] + ' tr')).map(
    tr => Array.from(tr.children).map(cell => cell.innerText.trim()));
"""
MARKS = """
return Array.from(document.querySelectorAll('svg.chart')).map(svg => ({
    chart: svg.dataset.chart,
    marks: Array.from(svg.querySelectorAll('.mark')).map(mark => {
        const box = mark.getBoundingClientRect();
        return {width: box.width, height: box.height, month: mark.dataset.month || null,
                series: mark.dataset.series, value: mark.dataset.value};
    })}));
"""


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def test_report_in_chromium(tmp_path: Path, cli, browser: Any) -> None:
    build_history(tmp_path, cli)
    code, out, err = cli("report", "--out", "report.html")
    assert code == 0, out + err
    browser.get((tmp_path / "report.html").as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    shot = screenshot(browser, artefacts(tmp_path) / "report.png")
    assert shot.stat().st_size > 10_000

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []

    # every chart drew its marks, each with a size on the page
    charts = browser.execute_script(MARKS)
    assert [c["chart"] for c in charts] == ["levels", "team-0", "team-1", "team-2", "team-3",
                                            "moves", "pay", "calibration"]
    for chart in charts:
        assert chart["marks"], chart["chart"]
        assert all(m["width"] > 0 and m["height"] > 0 for m in chart["marks"]), chart["chart"]

    # the numbers on the page are the history's: each month's payroll, by level
    levels = ["一星", "二星", "三星", "五星"]
    expected_counts, expected_pay = [], []
    for month in MONTHS:
        lines = payroll_lines(cli, month)
        counts = Counter(line["level"] for line in lines)
        pay: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            pay[line["level"]] += Decimal(line["total"])
        expected_counts.append([month, *[str(counts.get(lv, 0)) for lv in levels],
                                str(len(lines))])
        expected_pay.append([month, *[_money(pay.get(lv, Decimal("0.00"))) for lv in levels],
                             _money(sum(pay.values(), Decimal("0.00")))])
    table = browser.execute_script(TABLE_TEXT, "levels-table")
    assert table[0] == ["月份", *levels, "合计"]
    assert table[1:] == expected_counts
    assert browser.execute_script(TABLE_TEXT, "pay-table")[1:] == expected_pay
    # the bars say the same: each month's marks add up to its headcount, in the same order
    bars = next(c for c in charts if c["chart"] == "levels")["marks"]
    for month, *counts, total in expected_counts:
        drawn = {m["series"]: int(m["value"]) for m in bars if m["month"] == month}
        assert drawn == {lv: int(n) for lv, n in zip(levels, counts) if n != "0"}
        assert sum(drawn.values()) == int(total)

    moves = browser.execute_script(TABLE_TEXT, "moves-table")
    assert moves[0] == ["月份", "计薪人数", "晋升", "降级", "晋升率", "降级率"]
    assert moves[4] == ["2026-04", "10", "2", "2", "20.00%", "20.00%"]
    assert [row[2:4] for row in moves[1:]] == [["0", "0"]] * 3 + [["2", "2"]] + [["0", "0"]] * 2
    movers = browser.execute_script(TABLE_TEXT, "movers-table")
    assert [row[0] for row in movers[1:]] == ["0001", "0005", "0002", "0004"]

    calibration = browser.execute_script(TABLE_TEXT, "calibration-table")
    assert [row[0] for row in calibration[1:]] == ["全中心", "丁组", "丙组", "乙组", "甲组"]
    assert [row[-1] for row in calibration[1:]] == ["", "中位数远离其他班组", "全员最高级", "", ""]
    assert calibration[2][3:8] == ["60.00", "60.00", "61.00", "62.00", "62.00"]  # 丁组
    rule = browser.execute_script("return document.querySelector('p.rule').innerText")
    assert rule.startswith("标记规则：某班组的分数中位数与其他各班组中位数的中位数相差超过")
    if os.environ.get("CSLEVEL_REPORT_PICTURE"):  # the README's picture (docs/report.png)
        shutil.copyfile(shot, os.environ["CSLEVEL_REPORT_PICTURE"])
