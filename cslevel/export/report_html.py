"""The manager's report as one self-contained HTML file: the tables of `ReportResult` and
their charts drawn inline as SVG (no script, no font, no image fetched: a Content Security
Policy forbids every fetch, so the file opens the same offline on a clerk's laptop).

Every chart is an `<svg class="chart" data-chart="…">` whose drawn marks (bars, points,
boxes) have the class `mark` and carry their value (`data-value`); every table has an id.
The browser test (tests/test_report_browser.py) reads both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

from ..i18n import _, language
from ..outcomes import ReportResult, ScoreSpread

PALETTE = ["#9E9E9E", "#4E79A7", "#59A14F", "#EDC948", "#F28E2B", "#E15759", "#B07AA1",
           "#76B7B2", "#FF9DA7", "#9C755F", "#BAB0AC", "#1F4E78"]
SMALL_MULTIPLES = 12  # a chart per team up to this many teams; beyond, the table alone
BOXES = 40
# nothing may be fetched: the file must open offline, and sends nothing anywhere
CSP = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'; img-src data:\">")  # the calibration chart shows at most this many teams (flagged ones first)


def write_report_html(path: Path, result: ReportResult) -> None:
    """Write the report to `path` (the pipeline stages it and renames it into place)."""
    path.write_text(report_html(result), encoding="utf-8")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def fmt_rate(value: Decimal) -> str:
    """A fraction (0.0125) as the page shows it: 1.25%."""
    return f"{value * 100:.2f}%"


def fmt_score(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def report_html(result: ReportResult) -> str:
    scope = result.team if result.team is not None else _("whole centre")
    title = _("Grading report {first} to {last}: {scope}").format(
        first=result.first, last=result.last, scope=scope)
    meta = (_("Template: {scheme}").format(scheme=_scheme_name(result)) + " · "
            + _("{count} month(s)").format(count=len(result.months)))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        CSP,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        _section_levels(result),
        _section_teams(result),
        _section_moves(result),
        _section_pay(result),
        _section_movers(result),
        _section_calibration(result),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _scheme_name(result: ReportResult) -> str:
    scheme = result.scheme
    return f"{scheme.title} ({scheme.scheme})" if scheme.title else scheme.scheme


def level_colors(result: ReportResult) -> dict[str, str]:
    """A colour per level by its place on the whole ladder (the trial level grey), so a
    level keeps its colour whichever levels a report shows."""
    return {level: PALETTE[i % len(PALETTE)]
            for i, level in enumerate(result.scheme.level_names)}


# --- sections --------------------------------------------------------------------------------
def _section_levels(result: ReportResult) -> str:
    months = [str(m) for m in result.months]
    series = [(lv, [Decimal(c.get(lv, 0)) for c in result.counts]) for lv in result.levels]
    chart = stacked_bars("levels", months, series, level_colors(result), str)
    head = [_("Month"), *result.levels, _("Total")]
    rows = [[m, *[str(c.get(lv, 0)) for lv in result.levels], str(sum(c.values()))]
            for m, c in zip(months, result.counts)]
    return (f"<section><h2>{escape(_('Level distribution'))}</h2>"
            f"<p>{escape(_('Agents on each month’s payroll, by the level they are paid at.'))}"
            f"</p>{chart}{table('levels-table', head, rows)}</section>")


def _section_teams(result: ReportResult) -> str:
    teams = result.team_counts
    if not teams:
        return ""
    first, last = str(result.first), str(result.last)
    head = [_("Team"), _("Agents in {month}").format(month=first),
            _("Agents in {month}").format(month=last),
            *[f"{lv} ({last})" for lv in result.levels]]
    rows = [[team, str(sum(counts[0].values())), str(sum(counts[-1].values())),
             *[str(counts[-1].get(lv, 0)) for lv in result.levels]]
            for team, counts in teams.items()]
    charts = ""
    if len(teams) <= SMALL_MULTIPLES:
        colors = level_colors(result)
        months = [str(m) for m in result.months]
        charts = '<div class="multiples">' + "".join(
            f"<figure><figcaption>{escape(team)}</figcaption>"
            + stacked_bars(f"team-{i}", months,
                           [(lv, [Decimal(c.get(lv, 0)) for c in counts]) for lv in result.levels],
                           colors, str, width=420, height=180, legend=False)
            + "</figure>" for i, (team, counts) in enumerate(teams.items())) + "</div>"
    else:
        charts = "<p>" + escape(_("{count} teams: one chart each is shown up to {most} teams; "
                                  "the table has them all (the .xlsx has every month).").format(
            count=len(teams), most=SMALL_MULTIPLES)) + "</p>"
    return (f"<section><h2>{escape(_('Level distribution by team'))}</h2>{charts}"
            f"{table('teams-table', head, rows)}</section>")


def _section_moves(result: ReportResult) -> str:
    months = [str(mv.month) for mv in result.moves]
    up, down = _("Promotion rate"), _("Demotion rate")
    chart = line_chart("moves", months, [(up, [mv.promotion_rate for mv in result.moves]),
                                         (down, [mv.demotion_rate for mv in result.moves])],
                       {up: "#59A14F", down: "#E15759"})
    head = [_("Month"), _("Agents paid"), _("Promotions"), _("Demotions"), up, down]
    rows = [[str(mv.month), str(mv.headcount), str(mv.promotions), str(mv.demotions),
             fmt_rate(mv.promotion_rate), fmt_rate(mv.demotion_rate)] for mv in result.moves]
    about = _("Moves in force from each month, as a share of the agents paid that month.")
    return (f"<section><h2>{escape(_('Promotions and demotions'))}</h2>"
            f"<p>{escape(about)}</p>{chart}{table('moves-table', head, rows)}</section>")


def _section_pay(result: ReportResult) -> str:
    months = [str(m) for m in result.months]
    series = [(lv, [p.get(lv, Decimal("0.00")) for p in result.pay]) for lv in result.levels]
    chart = stacked_bars("pay", months, series, level_colors(result), money)
    head = [_("Month"), *result.levels, _("Total")]
    rows = [[m, *[money(p.get(lv, Decimal("0.00"))) for lv in result.levels],
             money(sum(p.values(), Decimal("0.00")))] for m, p in zip(months, result.pay)]
    return (f"<section><h2>{escape(_('Pay cost by level'))}</h2>"
            f"<p>{escape(_('The total pay of each month’s payroll lines, by level (yuan).'))}</p>"
            f"{chart}{table('pay-table', head, rows)}</section>")


def _section_movers(result: ReportResult) -> str:
    head = [_("Agent id"), _("Name"), _("Team"), _("Promotions"), _("Demotions"),
            _("Level in {month}").format(month=result.first),
            _("Level in {month}").format(month=result.last)]
    rows = [[m.agent_id, m.name, m.team, str(m.promotions), str(m.demotions), m.level_from,
             m.level_to] for m in result.movers]
    if not rows:
        body = f"<p>{escape(_('Nobody moved in these months.'))}</p>"
    else:
        body = table("movers-table", head, rows)
    about = _("Promotions and demotions in force from a month of the report, most moves "
              "first.")
    return (f"<section><h2>{escape(_('Agents who moved most'))}</h2>"
            f"<p>{escape(about)}</p>{body}</section>")


def calibration_rule(result: ReportResult) -> str:
    return _("A team is flagged when its median score lies more than {factor} × the centre’s "
             "interquartile range (Q3 − Q1) from the median of the other teams’ medians, or "
             "when every agent it has on the payroll of {month} is at the ladder’s top level "
             "({top}).").format(factor=result.far_factor, month=result.last,
                                top=", ".join(result.top_levels))


def flag_text(spread: ScoreSpread) -> str:
    flags = []
    if spread.far:
        flags.append(_("median far from the other teams’"))
    if spread.all_top:
        flags.append(_("all at the top level"))
    return _("; ").join(flags)


def _section_calibration(result: ReportResult) -> str:
    if result.centre is None:
        return ""
    rule = f'<p class="rule">{escape(calibration_rule(result))}</p>'
    flagged = [s for s in result.teams if s.far or s.all_top]
    shown = [*flagged, *[s for s in result.teams if not (s.far or s.all_top)]][:BOXES]
    chart = box_plot("calibration", [result.centre, *shown])
    note = ""
    if len(result.teams) > BOXES:
        note = "<p>" + escape(_("The chart shows the centre and {most} of {count} teams, "
                                "flagged teams first; the table has them all.").format(
            most=BOXES, count=len(result.teams))) + "</p>"
    head = [_("Team"), _("Agents"), _("Scores"), _("Minimum"), _("Q1"), _("Median"), _("Q3"),
            _("Maximum"), _("At the top level"), _("Flag")]

    def row(s: ScoreSpread) -> list[str]:
        return [s.team or _("whole centre"), str(s.agents), str(s.scores), fmt_score(s.minimum),
                fmt_score(s.q1), fmt_score(s.median), fmt_score(s.q3), fmt_score(s.maximum),
                f"{s.at_top}/{s.paid}", flag_text(s)]

    rows = [row(result.centre), *[row(s) for s in result.teams]]
    summary = escape(_("{count} team(s) flagged.").format(count=len(flagged)))
    return (f"<section><h2>{escape(_('Calibration: scores by team'))}</h2>{rule}"
            f"<p>{summary}</p>{chart}{note}{table('calibration-table', head, rows)}</section>")


# --- building blocks -------------------------------------------------------------------------
def table(table_id: str, head: list[str], rows: list[list[str]]) -> str:
    out = [f'<table id="{table_id}"><thead><tr>']
    out += [f"<th>{escape(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def ticks(value: Decimal, whole: bool = False) -> list[Decimal]:
    """The value axis's ticks from 0 to at least `value`: steps of 1, 2 or 5 × a power of
    ten (whole numbers only, when `whole`), at most 6 of them."""
    if value <= 0:
        return [Decimal(0), Decimal(1)]
    exponent = value.adjusted() - 1
    while True:
        for step in (1, 2, 5):
            size = Decimal(step).scaleb(exponent)
            if whole and size < 1:
                continue
            count = (value / size).to_integral_value(ROUND_CEILING)
            if count <= 5:
                return [(size * k).normalize() for k in range(int(count) + 1)]
        exponent += 1


def _label_every(months: int, plot_w: float) -> int:
    """Every how many months a month is written under the axis (about 56 pixels a label)."""
    return max(1, -(-months * 56 // int(plot_w)))


def _svg_open(chart_id: str, width: int, height: int) -> str:
    return (f'<svg class="chart" data-chart="{chart_id}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img">')


def _axis(value: Decimal, fmt: Callable[..., str]) -> str:
    """A value-axis label: whole counts as integers, money in whole yuan."""
    return str(int(value)) if fmt is str else f"{value:,.0f}"


def _legend(names: Sequence[str], colors: dict[str, str], x: int, y: int) -> str:
    out = []
    for i, name in enumerate(names):
        out.append(f'<rect x="{x + i * 90}" y="{y}" width="12" height="12" '
                   f'fill="{colors[name]}"/><text x="{x + i * 90 + 16}" y="{y + 11}" '
                   f'class="legend">{escape(name)}</text>')
    return "".join(out)


def stacked_bars(chart_id: str, months: list[str], series: list[tuple[str, list[Decimal]]],
                 colors: dict[str, str], fmt: Callable[..., str], width: int = 900,
                 height: int = 300, legend: bool = True) -> str:
    """Stacked columns, one per month, one segment per series (a `mark` each, not drawn
    when its value is 0)."""
    left, right, top, bottom = 70, 10, 10, 40 + (20 if legend else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum((values[i] for _n, values in series), Decimal(0)) for i in range(len(months))]
    marks = ticks(max(totals, default=Decimal(0)), whole=fmt is str)
    ymax = marks[-1]
    slot = plot_w / max(len(months), 1)
    bar = max(slot * 0.7, 1)
    out = [_svg_open(chart_id, width, height)]
    for value in marks:  # gridlines and the value axis
        y = top + plot_h - float(value / ymax) * plot_h
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'class="grid"/><text x="{left - 4}" y="{y + 4:.1f}" class="axis" '
                   f'text-anchor="end">{escape(_axis(value, fmt))}</text>')
    label_every = _label_every(len(months), plot_w)
    for i, month in enumerate(months):
        x = left + i * slot + (slot - bar) / 2
        base = float(top + plot_h)
        for name, values in series:
            value = values[i]
            if value <= 0:
                continue
            h = float(value / ymax) * plot_h
            base -= h
            out.append(f'<rect class="mark" x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" '
                       f'height="{max(h, 0.5):.1f}" fill="{colors[name]}" '
                       f'data-series="{escape(name)}" data-month="{month}" '
                       f'data-value="{value}"><title>{escape(month)} {escape(name)}: '
                       f'{escape(fmt(value))}</title></rect>')
        if i % label_every == 0:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" class="axis" '
                       f'text-anchor="middle">{month}</text>')
    if legend:
        out.append(_legend([n for n, _v in series], colors, left, height - 18))
    out.append("</svg>")
    return "".join(out)


def line_chart(chart_id: str, months: list[str], series: list[tuple[str, list[Decimal]]],
               colors: dict[str, str], width: int = 900, height: int = 260) -> str:
    """Lines of rates (fractions) by month, a point (a `mark`) at each month."""
    left, right, top, bottom = 70, 10, 10, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    marks = [v / 100 for v in ticks(max((v for _n, values in series for v in values),
                                        default=Decimal(0)) * 100)]
    ymax = marks[-1]
    slot = plot_w / max(len(months), 1)
    out = [_svg_open(chart_id, width, height)]
    for value in marks:
        y = top + plot_h - float(value / ymax) * plot_h
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'class="grid"/><text x="{left - 4}" y="{y + 4:.1f}" class="axis" '
                   f'text-anchor="end">{fmt_rate(value)}</text>')
    label_every = _label_every(len(months), plot_w)
    for i, month in enumerate(months):
        if i % label_every == 0:
            out.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{top + plot_h + 14}" '
                       f'class="axis" text-anchor="middle">{month}</text>')
    for name, values in series:
        points = [(left + (i + 0.5) * slot, top + plot_h - float(v / ymax) * plot_h)
                  for i, v in enumerate(values)]
        out.append(f'<polyline fill="none" stroke="{colors[name]}" stroke-width="2" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        for (x, y), month, value in zip(points, months, values):
            out.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                       f'fill="{colors[name]}" data-series="{escape(name)}" '
                       f'data-month="{month}" data-value="{value}"><title>{month} '
                       f'{escape(name)}: {fmt_rate(value)}</title></circle>')
    out.append(_legend([n for n, _v in series], colors, left, height - 18))
    out.append("</svg>")
    return "".join(out)


def box_plot(chart_id: str, spreads: list[ScoreSpread], width: int = 900) -> str:
    """One row per team (the centre first): whiskers from the lowest to the highest score,
    a box (the `mark`) from Q1 to Q3, a line at the median; flagged rows in red."""
    row_h, left, right, top = 22, 160, 20, 10
    height = top + row_h * len(spreads) + 30
    low = min(s.minimum for s in spreads)
    high = max(s.maximum for s in spreads)
    span = (high - low) or Decimal(1)
    plot_w = width - left - right

    def x(value: Decimal) -> float:
        return left + float((value - low) / span) * plot_w

    out = [_svg_open(chart_id, width, height)]
    for i, s in enumerate(spreads):
        y = top + i * row_h
        mid = y + row_h / 2
        color = "#E15759" if (s.far or s.all_top) else ("#1F4E78" if not s.team else "#4E79A7")
        name = s.team or _("whole centre")
        out.append(f'<text x="{left - 6}" y="{mid + 4:.1f}" class="axis" text-anchor="end">'
                   f"{escape(name)}</text>")
        out.append(f'<line x1="{x(s.minimum):.1f}" x2="{x(s.maximum):.1f}" y1="{mid:.1f}" '
                   f'y2="{mid:.1f}" stroke="#555"/>')
        out.append(f'<rect class="mark" x="{x(s.q1):.1f}" y="{y + 4}" '
                   f'width="{max(x(s.q3) - x(s.q1), 1):.1f}" height="{row_h - 8}" '
                   f'fill="{color}" fill-opacity="0.6" stroke="{color}" '
                   f'data-series="{escape(name)}" data-value="{fmt_score(s.median)}">'
                   f"<title>{escape(name)}: Q1 {fmt_score(s.q1)}, {escape(_('Median'))} "
                   f"{fmt_score(s.median)}, Q3 {fmt_score(s.q3)}</title></rect>")
        out.append(f'<line x1="{x(s.median):.1f}" x2="{x(s.median):.1f}" y1="{y + 2}" '
                   f'y2="{y + row_h - 2}" stroke="#000" stroke-width="2"/>')
    axis_y = top + row_h * len(spreads) + 14
    for k in range(5):
        value = low + span * k / 4
        out.append(f'<text x="{x(value):.1f}" y="{axis_y}" class="axis" '
                   f'text-anchor="middle">{fmt_score(value)}</text>')
    out.append("</svg>")
    return "".join(out)


STYLE = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px;
color:#222;max-width:1000px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
.meta,.rule{color:#444}.rule{background:#f6f6f6;padding:6px 10px;border-left:3px solid #E15759}
table{border-collapse:collapse;font-size:12px;margin:8px 0}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#1F4E78;color:#fff}td:first-child,th:first-child{text-align:left}
svg .grid{stroke:#e5e5e5}svg .axis,svg .legend{font-size:11px;fill:#333}
.multiples{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}
figcaption{font-size:13px;font-weight:bold}
@media print{body{margin:0}section{break-inside:avoid}}
"""
