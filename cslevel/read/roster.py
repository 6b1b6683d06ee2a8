"""Read stage, the roster (花名册): file -> one `RosterRow` per agent.

Input: the roster workbook's path (or its table) and the template. Output: each agent's
name, team, post, hire and leave dates, the level held now, the pay extras the template
asks for (supervisor allowance tier, team lead), and the months before joining and the months
named 优秀员工 where the template names those columns, with every problem found.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from pathlib import Path

from ..i18n import _
from ..records import Month, Problem, RosterRow
from ..scheme import Scheme, normalize_label
from . import values
from .common import _coerce, _id, _new_errors, _unknown_level, duplicates, spaced_ids
from .table import Table, find_table
from .workbook import read_sheets


def roster_fields(scheme: Scheme) -> dict[str, list[str]]:
    cols = scheme.columns
    fields = {"agent_id": cols.agent_id, "name": cols.name, "team": cols.team,
              "role": cols.role, "hire_date": cols.hire_date, "leave_date": cols.leave_date,
              "current_level": cols.current_level}
    if scheme.pay.supervisor_allowance is not None:
        fields["supervisor_tier"] = scheme.pay.supervisor_allowance.column
    if scheme.pay.team_lead is not None:
        fields["team_lead"] = scheme.pay.team_lead.column
    if scheme.tracks:
        fields["track"] = cols.track
    if cols.experience:
        fields["experience"] = cols.experience
    if cols.excellent:
        fields["excellent"] = cols.excellent
    return fields


def _experience_months(raw: object) -> int:
    """Months of experience before joining: a whole number from 0 to 600."""
    number = values.number(raw)[0]
    if number != number.to_integral_value() or not 0 <= number <= 600:
        raise ValueError(_("{value} is not a whole number of months from 0 to 600").format(
            value=values.clean_text(raw)))
    return int(number)


# one month as clerks write it: 2026-09, 2026-9, 2026/09, 2026.09, 2026年9月, 202609
_NAMED_MONTH = re.compile(r"(\d{4})(?:[-/.](\d{1,2})月?|年(\d{1,2})月?|(\d{2}))")
_AROUND_MARKS = re.compile(r"\s*([-/.年月])\s*")
_MONTH_SEPARATORS = re.compile(r"[\s、,;]+")  # (，；: NFKC made them , ;)


# a date cell that lost its date format (General): the serial of a day in 2000-2099 (Excel's
# 1900 system; five digits, so never a year 2026 or a 202609)
_DATE_SERIALS = (36526, 73050)


def _months_named(raw: object, epoch1904: bool = False) -> tuple[Month, ...]:
    """The months an agent was named 优秀员工, as a roster cell lists them: one month or
    several separated by 、 , ; or spaces (2026-09、2026年11月), or a date cell (its month),
    also one shown as its serial number (46266); 无 for none. Oldest first, each once."""
    if isinstance(raw, date):
        return (Month.of(raw),)
    if (isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer()
            and _DATE_SERIALS[0] <= raw <= _DATE_SERIALS[1]):
        return (Month.of(values.parse_date(raw, epoch1904)),)
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        # (a number cell 2026.1 is October typed as a number, or January: refused, not guessed)
        raise ValueError(_("{value} is not a month (type it as text: 2026-10)").format(
            value=values.clean_text(raw)))
    text = _AROUND_MARKS.sub(r"\1", values.clean_text(raw))
    if text == "无":
        return ()
    months = set()
    for token in filter(None, _MONTH_SEPARATORS.split(text)):
        match = _NAMED_MONTH.fullmatch(token)
        year, month = (int(match.group(1)), int(next(filter(None, match.groups()[1:])))
                       ) if match else (0, 0)
        if not (2000 <= year <= 2099 and 1 <= month <= 12):
            raise ValueError(_("{value} is not a month (use 2026-09 or 2026年9月)").format(
                value=repr(token)))
        months.add(Month(year, month))
    return tuple(sorted(months))


def _on_track(scheme: Scheme, table: Table, index: int, raw: object, level: str | None,
              problems: list[Problem]) -> str | None:
    """A template with tracks: the roster's track (通道) checked against the level held; a
    row that gives only the track opens at its lowest level (when there is no trial to
    serve first). Returns the level to open at."""
    text = values.clean_text(raw)
    if not text:
        return level
    track = scheme.resolve_track(text)
    if track is None:
        problems.append(Problem(
            _("unknown track {track}").format(track=repr(text)), table.source(index, "track"),
            hint=_("Use one of: {tracks}.").format(
                tracks=_(", ").join(t.name for t in scheme.tracks))))
        return level
    if level is None:
        if scheme.trial_level is None or scheme.trial_months == 0:
            return track.levels[0]
        held = scheme.track_of(scheme.entry_level)
        if held is not None and held.name != track.name:
            problems.append(Problem(
                _("a new hire's trial ends at {level} on {held}, not on {track}").format(
                    level=scheme.entry_level, held=held.name, track=track.name),
                table.source(index, "track"),
                hint=_("Give the level the agent holds in the current level column, or "
                       "place the agent with cslevel adjust level once the trial is over.")))
        return level
    held = scheme.track_of(level)
    if held is not None and held.name != track.name:
        problems.append(Problem(
            _("{level} is on {held}, not on {track} (its levels: {levels})").format(
                level=level, held=held.name, track=track.name,
                levels=_(", ").join(track.levels)),
            table.source(index, "current_level"),
            hint=_("Correct the level or the track; to move an agent to another track, use "
                   "cslevel adjust level with a reason.")))
    return level


def _supervisor_tier(scheme: Scheme, raw: object) -> str:
    """A tier name (一档) or its amount (1000) -> the template's tier name."""
    allowance = scheme.pay.supervisor_allowance
    assert allowance is not None
    text = values.clean_text(raw)
    for tier, amount in allowance.tiers.items():
        if normalize_label(tier) == normalize_label(text):
            return tier
    try:
        number = values.number(raw)[0]
    except ValueError:
        number = None
    for tier, amount in allowance.tiers.items():
        if number is not None and amount == number:
            return tier
    tiers = _(", ").join(_("{tier} ({amount})").format(tier=t, amount=a)
                         for t, a in allowance.tiers.items())
    raise ValueError(_("{text} is not a supervisor tier; use one of {tiers}").format(
        text=repr(text), tiers=tiers))


def read_roster(path: Path, scheme: Scheme, table: Table | None = None
                ) -> tuple[list[RosterRow], list[Problem]]:
    """The roster (花名册): hire dates, leave dates and the level each agent holds now."""
    table = table or find_table(read_sheets(path), roster_fields(scheme), ["agent_id"],
                                _("roster"), fill_down=scheme.columns.fill_down)
    problems = list(table.problems)
    out: list[RosterRow] = []
    # (the texts of problems translated once, not for each row)
    date_what = {"hire_date": _("hire date"), "leave_date": _("leave date")}
    date_hint = _("Use a date such as 2026-03-10.")
    tier_what, lead_what, lead_hint = _("supervisor allowance"), _("team lead"), _("Use 是 or 否.")
    experience_what = _("experience before joining")
    experience_hint = _("Give the months of relevant experience before joining, e.g. 24, or "
                        "leave the cell empty for none.")
    excellent_what = _("months named employee of the month (优秀员工)")
    excellent_hint = _("Give the months the agent was named 优秀员工, e.g. 2026-09、2026-11, or "
                       "leave the cell empty for none.")
    for index, cells in table.rows:
        errors_before = len(problems)
        agent = _id(table, index, problems)
        dates = {}
        for fld in ("hire_date", "leave_date"):
            dates[fld] = _coerce(table, index, fld,
                                 lambda v: values.parse_date(v, table.sheet.epoch1904),
                                 problems, date_what[fld], date_hint)
        level_raw = values.clean_text(table.cell(cells, "current_level"))
        level = scheme.resolve_level(level_raw) if level_raw else None
        if level_raw and level is None:
            problems.append(_unknown_level(scheme, level_raw,
                                           table.source(index, "current_level")))
        tier = _coerce(table, index, "supervisor_tier", partial(_supervisor_tier, scheme),
                       problems, tier_what, "")
        lead = _coerce(table, index, "team_lead", values.flag, problems, lead_what, lead_hint)
        experience = _coerce(table, index, "experience", _experience_months, problems,
                             experience_what, experience_hint)
        excellent = _coerce(table, index, "excellent",
                            lambda v: _months_named(v, table.sheet.epoch1904), problems,
                            excellent_what, excellent_hint)
        if scheme.tracks:
            level = _on_track(scheme, table, index, table.cell(cells, "track"), level, problems)
        if agent is None or _new_errors(problems, errors_before):
            continue
        out.append(RosterRow(agent, table.source(index), values.clean_text(table.cell(cells, "name")),
                             values.clean_text(table.cell(cells, "team")),
                             values.clean_text(table.cell(cells, "role")),
                             dates["hire_date"], dates["leave_date"], level, tier, bool(lead),
                             experience or 0, excellent or ()))
    spaced_ids(table, problems)
    problems += duplicates([(r.agent_id, r.source) for r in out], _("roster"))
    return out, problems
