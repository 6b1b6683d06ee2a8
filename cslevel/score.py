"""Score stage: (agent rows, scheme) -> one Score per agent and month. Pure.

The score is % of target (110 = 110%). It is read from a ready column when the workbook
has one, else computed: Σ weight × achievement, where achievement = actual/target for
higher-is-better metrics and target/actual for lower-is-better ones, capped at `cap`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from .i18n import _
from .records import AgentRow, Month, Problem, Score, Source
from .scheme import Metric, Scheme


def achievement(metric: Metric, actual: Decimal, cap: Decimal) -> Decimal:
    """Achievement as a fraction of target, capped (cap in %: 150 -> 1.5)."""
    assert metric.target is not None
    limit = cap / 100
    if metric.direction == "higher":
        ratio = actual / metric.target
    elif actual <= 0:
        ratio = limit  # nothing at all of a lower-is-better metric: full marks
    else:
        ratio = metric.target / actual
    return min(max(ratio, Decimal(0)), limit)


def quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


class Texts(NamedTuple):
    """The explanation texts of a scheme in the language in force, looked up once per run
    rather than once per row."""

    ready: str
    part: str
    total: str
    items_separator: str
    points: str
    points_scaled: str  # the same with the hard items' scale (profile.scale ≠ 1)


def explanation_texts(scheme: Scheme) -> Texts:
    if scheme.score.scoring == "points":
        ready = _("Score {value} points (read from the workbook)")
        total = _("Σ points×weight = {value} points: {parts}")
    else:
        ready = _("Score {value}% (read from the workbook)")
        total = _("Σ achievement×weight = {value}%: {parts}")
    return Texts(ready, _("{metric} {actual} points×{weight}%"), total, _(", "),
                 _("Points {value} = hard items {hard} ({items}) + {factor} × performance "
                   "{performance}"),
                 _("Points {value} = hard items {hard} ({items}) × {scale} + {factor} × "
                   "performance {performance}"))


def score_row(row: AgentRow, scheme: Scheme,
              hard_points: dict[str, Decimal] | None = None,
              texts: Texts | None = None) -> Score:
    rule = scheme.score
    texts = texts or explanation_texts(scheme)
    if row.ready_score is not None:
        value = quantize(row.ready_score, rule.decimals)
        explanation = texts.ready.format(value=value)
    else:
        weights = rule.weights_for(row.role)
        parts = []
        total = Decimal(0)
        for metric in rule.metrics:
            weight = weights.get(metric.key)
            if weight is None:
                continue
            actual = row.metrics[metric.key]
            if rule.scoring == "points":
                total += weight * actual / 100
                parts.append(texts.part.format(metric=metric.name, actual=actual,
                                               weight=weight))
            else:
                ach = achievement(metric, actual, rule.cap)
                total += weight * ach
                parts.append(f"{metric.name} {quantize(ach * 100, 1)}%×{weight}%")
        value = quantize(total, rule.decimals)
        explanation = texts.total.format(value=value, parts="; ".join(parts))
    metrics = dict(row.metrics)
    if hard_points is not None:  # points scheme: hard items + factor × performance
        performance = value
        profile = scheme.profile
        names = {i.key: i.name for i in profile.items if i.scored} if profile else {}
        # an item with `scored: false` only feeds the bands' minimums (kept in the metrics)
        scored = {k: v for k, v in hard_points.items() if not profile or k in names}
        raw = sum(scored.values(), Decimal(0))
        scale = profile.scale if profile else Decimal(1)
        value = quantize(raw * scale + rule.performance_factor * performance, rule.decimals)
        items = texts.items_separator.join(f"{names.get(k, k)} {fmt(v)}"
                                           for k, v in scored.items())
        explanation = (texts.points if scale == 1 else texts.points_scaled).format(
            value=value, hard=fmt(raw), scale=fmt(scale), items=items,
            factor=fmt(rule.performance_factor), performance=fmt(performance))
        metrics.update({f"profile:{k}": v for k, v in hard_points.items()})
        metrics["performance"] = performance
    return Score(row.agent_id, row.month, value, metrics, row.source,
                 row.discipline_block, explanation)


def _row_scorer(scheme: Scheme, texts: Texts) -> Callable[[AgentRow], Score]:
    """`score_row` for the rows of one workbook, with what repeats worked out once: each
    post's weights, and under achievement scoring each metric value's weighted achievement
    and its part of the explanation (a month's thousands of rows repeat the same values).
    Values equal as numbers give the same achievement, and its text is rounded to one
    place, so the cache cannot change a score or a word of its explanation."""
    rule = scheme.score
    if rule.scoring != "achievement":
        return lambda row: score_row(row, scheme, texts=texts)
    metrics = [(m.key, m) for m in rule.metrics]
    posts: dict[str, tuple[dict[str, Decimal], dict[tuple[str, Decimal], tuple[Decimal, str]]]] = {}
    total_text, cap, decimals, zero = texts.total, rule.cap, rule.decimals, Decimal(0)
    new = tuple.__new__  # Score is a named tuple

    def one(row: AgentRow) -> Score:
        if row.ready_score is not None:
            return score_row(row, scheme, texts=texts)
        post = posts.get(row.role)
        if post is None:
            post = posts[row.role] = (rule.weights_for(row.role), {})
        weights, seen = post
        values = row.metrics
        total, parts = zero, []
        for key, metric in metrics:
            weight = weights.get(key)
            if weight is None:
                continue
            actual = values[key]
            part = seen.get((key, actual))
            if part is None:
                ach = achievement(metric, actual, cap)
                part = seen[key, actual] = (
                    weight * ach, f"{metric.name} {quantize(ach * 100, 1)}%×{weight}%")
            total += part[0]
            parts.append(part[1])
        value = quantize(total, decimals)
        return new(Score, (row.agent_id, row.month, value, dict(values), row.source,
                           row.discipline_block, total_text.format(value=value,
                                                                   parts="; ".join(parts)),
                           None, None, None))

    return one


def fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


AttendancePoints = Mapping[Month, Mapping[str, Decimal]]  # month -> agent -> 考勤 score


def with_attendance(rows: list[AgentRow], scheme: Scheme, attendance: AttendancePoints
                    ) -> tuple[list[AgentRow], list[Problem], set[tuple[str, Month]]]:
    """The rows with the template's attendance metric (`score.attendance_metric`, the 考勤
    item) taken from the month's attendance score, for the months an attendance workbook
    was given and the agents it lists; elsewhere the KPI column's value stays. A row left
    with neither (no attendance line, no KPI column or a blank cell) is a problem. Also the
    agents and months whose score the attendance score went into."""
    key = scheme.score.attendance_metric
    if key is None:
        return rows, [], set()
    name = next(m.name for m in scheme.score.metrics if m.key == key)
    out, problems, cite = [], [], set()
    for row in rows:
        given = attendance.get(row.month)
        value = given.get(row.agent_id) if given is not None else None
        if value is not None:
            row = row._replace(metrics={**row.metrics, key: value})
            if row.ready_score is None and key in scheme.score.weights_for(row.role):
                cite.add((row.agent_id, row.month))
        elif row.ready_score is None and key in scheme.score.weights_for(row.role) and (
                row.metrics.get(key) is None):
            problems.append(Problem(
                _("no {metric} for agent {agent} in {month}: not in the attendance workbook "
                  "and no value in the KPI workbook").format(metric=name, agent=row.agent_id,
                                                             month=row.month),
                row.source, hint=_("Add the agent to the month's attendance workbook, or fill "
                                   "in the {metric} column of the KPI workbook.").format(
                    metric=name)))
            continue
        out.append(row)
    return out, problems, cite


def _citing_attendance(scores: list[Score], scheme: Scheme, cite: set[tuple[str, Month]]
                       ) -> list[Score]:
    """The explanation of a score whose attendance metric came from the attendance workbook
    (`cite`: those agents and months) says so."""
    key = scheme.score.attendance_metric
    name = next(m.name for m in scheme.score.metrics if m.key == key)
    said = _("{metric} from the attendance workbook").format(metric=name)
    return [score._replace(explanation=_("{explanation} ({said})").format(
        explanation=score.explanation, said=said))
        if (score.agent_id, score.month) in cite else score for score in scores]


def score_rows(
    rows: list[AgentRow], scheme: Scheme,
    profiles: dict[str, tuple[dict[str, Decimal], Source]] | None = None,
    attendance: AttendancePoints | None = None,
) -> tuple[list[Score], list[Problem]]:
    """Score every row; for the points scheme every agent needs a profile line. With
    `attendance` (the months' attendance scores), the template's attendance metric is taken
    from them (`with_attendance`)."""
    texts = explanation_texts(scheme)
    problems: list[Problem] = []
    if attendance is not None and scheme.score.attendance_metric is not None:
        rows, problems, cite = with_attendance(rows, scheme, attendance)
        scores, more = score_rows(rows, scheme, profiles)
        return _citing_attendance(scores, scheme, cite), problems + more
    if profiles is None:
        return list(map(_row_scorer(scheme, texts), rows)), problems
    scores = []
    for row in rows:
        found = profiles.get(row.agent_id)
        if found is None:
            problems.append(Problem(
                _("agent {agent} has no line in the profile workbook").format(agent=row.agent_id),
                row.source, hint=_("Add the agent to the profile workbook "
                                   "(学历, 工作经验, 可胜任岗位, 证书).")))
            continue
        scores.append(score_row(row, scheme, found[0], texts))
    return scores, problems


def attendance_score(totals: dict[str, Decimal], scheme: Scheme) -> tuple[Decimal | None, tuple[str, ...]]:
    """考勤 score and flags from an agent's monthly attendance totals (template rules)."""
    rules = scheme.attendance
    value = None
    if rules.score is not None:
        value = rules.score.start - sum(
            (points * totals.get(item, Decimal(0)) for item, points in rules.score.deductions.items()),
            Decimal(0))
        value = max(value, rules.score.floor)
    flags = tuple(f.flag for f in rules.flags if totals.get(f.item, Decimal(0)) > f.above)
    return value, flags
