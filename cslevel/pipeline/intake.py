"""Intake stage of `score`: the roster, the profiles and each month's KPI and attendance
workbooks -> the history's scores, attendance, months and agents, checked across workbooks
(the same agent twice, one id with two names, attendance without KPI, locked months).

Each workbook is read, scored and stored before the next is taken (a worker may read the
next ones meanwhile: cslevel.parallel), so only one month's rows are in memory at a time; a
problem anywhere stops the storing, the reading goes on so that every problem is reported,
and the command's transaction rolls the whole run back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from .. import read as reader
from ..i18n import _
from ..outcomes import Attendance
from ..parallel import KpiRead, Reader
from ..records import (
    Agent,
    AgentRow,
    AttendanceRow,
    CslevelError,
    Month,
    Problem,
    RosterRow,
    Source,
)
from ..score import attendance_score
from ..store import History, open_history
from ..templates import Scheme, load_scheme
from .derive import forget, stored_scheme
from .locks import locked_problems
from .session import Progress, has_errors, raise_errors

Profiles = dict[str, tuple[dict[str, Decimal], Source]]


def read_people(scheme: Scheme, roster_file: Path | None, profile_file: Path | None,
                problems: list[Problem], progress: Progress
                ) -> tuple[list[RosterRow], Profiles | None]:
    """The roster (hire dates, leave dates, the levels held) and, for a scheme with hard
    items, the profile workbook."""
    roster: list[RosterRow] = []
    if roster_file is not None:
        progress(_("roster {file}").format(file=roster_file.name))
        roster, found = reader.read_roster(roster_file, scheme)
        problems += found
    profiles = None
    if scheme.profile is not None:
        if profile_file is None:
            raise CslevelError(Problem(
                _("the {scheme} scheme adds hard items from a profile workbook").format(
                    scheme=scheme.scheme),
                hint=_("Give --profile profile.xlsx (工号, 学历, 工作经验, 可胜任岗位, 证书数).")))
        progress(_("profile {file}").format(file=profile_file.name))
        profiles, found = reader.read_profile(profile_file, scheme)
        problems += found
    return roster, profiles


def take_workbooks(history: History, scheme: Scheme, files: list[Path],
                   attendance_files: list[Path], month: Month | None,
                   profiles: Profiles | None, reading: Reader, problems: list[Problem],
                   progress: Progress, roster: list[RosterRow] | None = None) -> Intake:
    """Read, check, score and store every workbook (KPI first, then attendance), one at a
    time; then stop on the first error found anywhere (every problem reported). Attendance
    rows without 工号 are joined by name through the month's KPI rows and the `roster`."""
    intake = Intake(roster=roster or [], id_names=scheme.columns.agent_id,
                    keep_posts=bool(scheme.tracks))
    with reading:
        # the template's attendance metric (the weighted scheme's 考勤 item) takes the
        # month's attendance score: the attendance workbooks are read first, and stored after
        # the KPI ones as usual
        ahead = [] if not attendance_files or scheme.score.attendance_metric is None else [
            _read_attendance(reading, index, path, scheme, month, problems, progress)
            for index, path in enumerate(attendance_files, start=len(files))]
        points = attendance_points(ahead, scheme) if ahead else None
        for index, path in enumerate(files):
            progress(_("KPI {file}").format(file=path.name))
            read = reading.kpi(index, scheme, month, profiles, points)
            intake.largest = max(intake.largest, len(read.rows))
            intake.take_kpi(history, path, read, problems, progress)
            del read
        intake.check_kpi(problems)
        for index, path in enumerate(attendance_files, start=len(files)):
            got = ahead[index - len(files)] if ahead else _read_attendance(
                reading, index, path, scheme, month, problems, progress)
            intake.take_attendance(history, scheme, got, problems)
            del got
    return intake


def _read_attendance(reading: Reader, index: int, path: Path, scheme: Scheme,
                     month: Month | None, problems: list[Problem], progress: Progress
                     ) -> list[AttendanceRow]:
    progress(_("attendance {file}").format(file=path.name))
    got, found = reader.read_attendance(path, scheme, month, sheets=reading.sheets(index))
    problems += found
    return got


def attendance_points(reads: list[list[AttendanceRow]], scheme: Scheme
                      ) -> dict[Month, dict[str, Decimal]]:
    """Each month's attendance score by agent (the last workbook's row counts, as when the
    attendance is stored), for the template's attendance metric."""
    points: dict[Month, dict[str, Decimal]] = {}
    for rows in reads:
        for row in rows:
            value = attendance_score(row.totals, scheme)[0]
            month_points = points.setdefault(row.month, {})
            if value is None:
                month_points.pop(row.agent_id, None)
            else:
                month_points[row.agent_id] = value
    return points


def check_taken(intake: Intake, files: list[Path], problems: list[Problem]) -> list[Month]:
    """Stop on any error found while taking the workbooks (exit code 3 when a month was
    locked); the months scored, in order."""
    intake.check_attendance(problems)
    raise_errors(problems)
    if intake.locked:
        raise CslevelError(intake.locked, exit_code=3)
    intake.kpi.clear()  # the rows' ids and places: only the checks above needed them
    intake.attendance_rows.clear()
    if not intake.months:
        raise CslevelError(Problem(_("no agent rows found in the KPI workbook(s)"),
                                   Source(", ".join(p.name for p in files)),
                                   hint=_("Check that the sheet holds one row per agent.")))
    return sorted(intake.months)


def record_months(history: History, scheme: Scheme, intake: Intake, scored: list[Month],
                  roster: list[RosterRow], problems: list[Problem]) -> Month | None:
    """Record the months scored (with their workbooks) and the agents as the history should
    hold them now: new ones, and known ones whose record changed. Returns the earliest month
    a roster newly names a known agent 优秀员工 (employee of the month) in, when that is before
    the months scored: the reviews from then on may decide otherwise (None: no such month)."""
    for m in scored:
        history.set_month(m, scheme.scheme, intake.months[m])
    known = history.agents()
    forget(history)
    merged = merge_agents(known, intake.seen, roster, problems, post_opening(scheme))
    history.save_agents([(agent, agent_id in known) for agent_id, agent in merged.items()
                         if known.get(agent_id) != agent])
    intake.seen.clear()
    named = [m for agent_id, agent in merged.items() if agent_id in known
             for m in set(agent.excellent_months) - set(known[agent_id].excellent_months)]
    return min(named) if named and min(named) < scored[0] else None


def scheme_for_scoring(scheme_name: str | None, db: str | None) -> tuple[Scheme, str]:
    """--scheme, else the template stored with the history."""
    if scheme_name:
        return load_scheme(scheme_name)
    from ..store import database_url

    url = database_url(db)
    if not (url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists()):
        # (a damaged, empty or busy history says so, not "no scheme")
        with open_history(db, write=False) as history:
            text = history.setting("template")
            if text is not None:
                return stored_scheme(history), text
    raise CslevelError(Problem(_("no scheme given and the history database holds none yet"),
                               hint=_("Give --scheme star (or another template name or path).")))


def check_template(history: History, scheme: Scheme, template_text: str,
                    problems: list[Problem]) -> None:
    """The history's scheme must be this one; a changed template or pay table is stored
    (with a warning) and used from now on."""
    stored_name = history.setting("scheme")
    if stored_name and stored_name != scheme.scheme:
        raise CslevelError(Problem(
            _("this history database grades with the {stored} scheme, not {scheme}").format(
                stored=stored_name, scheme=scheme.scheme),
            hint=_("Use --db to keep another scheme's history in its own database.")))
    stored_text = history.setting("template")
    if stored_text is not None and stored_text != template_text:
        problems.append(Problem(_("the template differs from the one stored with the "
                                  "history; the new one is used from now on"),
                                severity="warning"))
    history.set_setting("scheme", scheme.scheme)
    history.set_setting("template", template_text)
    if scheme.pay.table is not None:
        from .. import paytable

        table = paytable.dump({lv.name: lv.pay for lv in scheme.levels})
        if history.setting("pay_table") not in (None, table):
            problems.append(Problem(
                _("the pay table differs from the one stored with the history; the new "
                  "amounts are paid from now on"), severity="warning"))
        history.set_setting("pay_table", table)


class SeenRow(NamedTuple):
    """What the agents' records need of a KPI row, kept once the row is scored."""

    agent_id: str
    name: str
    team: str
    role: str
    hire_date: date | None
    current_level: str | None


@dataclass
class Intake:
    """The inputs of a `score` run as they are read, scored and stored one workbook at a
    time: only what the checks across workbooks and the agents' records need is kept."""

    class Seen(dict[Month, list[SeenRow]]):
        """The KPI rows' records by month, and the name each agent id was first given and
        where (in a KPI or attendance workbook), so that another name for the same id, in
        a later workbook or the roster, is reported (BAD_INPUTS 47)."""

        def __init__(self) -> None:
            super().__init__()
            self.names: dict[str, str] = {}  # id -> its first name, compared: see _name_keys
            self.places: dict[str, tuple[str, Source]] = {}  # id -> (that name, its row)
            self.reported: set[str] = set()  # ids whose other name is already reported

        def compare(self, ids: list[str], names: list[str], sources: list[Source],
                    problems: list[Problem]) -> None:
            """Report each id whose name here is not the one it was first given (a warning
            naming both rows and both names); then remember the names given first. Whole
            columns are compared by C iterators (10,000 agents a month); only the rows whose
            name differs from the one known (a new id, a blank name, another name) are
            looked at one by one."""
            from itertools import compress
            from operator import ne

            keys = Intake.Seen._name_keys(names)
            if not self.names:  # the first workbook: every name is new
                self.names = dict(compress(zip(ids, keys), keys))  # (a blank says nothing)
                self.places = dict(compress(zip(ids, zip(names, sources)), keys))
                return
            known = list(map(self.names.get, ids))
            for p in compress(range(len(ids)), map(ne, known, keys)):
                agent, key = ids[p], keys[p]
                if not key:
                    continue
                if known[p] is None:
                    self.names[agent] = key
                    self.places[agent] = (names[p], sources[p])
                elif agent not in self.reported:
                    first_name, first_source = self.places[agent]
                    problems.append(Intake.Seen.renamed(agent, names[p], sources[p],
                                                         first_name, first_source))
                    self.reported.add(agent)

        @staticmethod
        def _name_keys(names: list[str]) -> list[str]:
            """Names as compared: without spaces (张 三 is 张三), case folded."""
            from itertools import repeat

            return list(map(str.casefold, map(str.replace, names, repeat(" "), repeat(""))))

        @staticmethod
        def renamed(agent: str, name: str, source: Source, first_name: str,
                    first_source: Source) -> Problem:
            return Problem(
                _("agent {agent} is named {name} here but {other_name} in {other}").format(
                    agent=agent, name=name, other_name=first_name, other=first_source),
                source, "warning",
                hint=_("Check which name is right and correct the other workbook (one id is "
                       "one person)."))

    months: dict[Month, list[str]] = field(default_factory=dict)  # month -> its workbooks
    kpi: dict[Month, dict[str, Source]] = field(default_factory=dict)  # month -> id -> row
    seen: Seen = field(default_factory=Seen)
    attendance: dict[Month, dict[str, Attendance]] = field(default_factory=dict)
    attendance_rows: dict[Month, dict[str, Source]] = field(default_factory=dict)
    cleared: set[Month] = field(default_factory=set)  # months emptied in the history
    summaries: dict[tuple[Decimal | None, tuple[str, ...]], Attendance] = field(
        default_factory=dict)  # one shared record per distinct (score, flags)
    stored: bool = True  # False from the first error on: read on, store nothing
    locked: list[Problem] = field(default_factory=list)  # months refused: locked
    missing_kpi: bool = False  # attendance of a month without KPI reported (once)
    largest: int = 0  # rows of the largest KPI workbook (a worker may write the payroll)
    roster: list[RosterRow] = field(default_factory=list)  # (to join rows read by name)
    id_names: list[str] = field(default_factory=list)  # the template's names of 工号
    # a template with tracks (the weighted scheme's posts): each KPI row's 岗位 and its cell,
    # checked against the post of the level held once the months are derived (posts.py)
    keep_posts: bool = False
    posts: dict[Month, dict[str, tuple[str, Source]]] = field(default_factory=dict)

    def _clear(self, history: History, month: Month) -> bool:
        """Empty `month` in the history the first time this run stores into it; False (and
        nothing stored from now on) when the month is locked."""
        if month not in self.cleared:
            refused = locked_problems(history, [month])
            if refused:
                self.locked += refused
                self.stored = False
                return False
            history.clear_month(month)
            self.cleared.add(month)
        return True

    def take_kpi(self, history: History, path: Path, read: KpiRead, problems: list[Problem],
                 progress: Progress) -> None:
        """Check and store one KPI workbook, read and scored (cslevel.parallel): its rows
        are checked against the workbooks before, and its scores stored unless an error was
        found anywhere so far. A workbook without 工号 is joined to the roster by name."""
        problems += read.problems
        if read.by_name:
            read = self.kpi_ids_from_roster(path, read, problems)
        by_month: dict[Month, list[AgentRow]] = {}
        for row in read.rows:
            by_month.setdefault(row.month, []).append(row)
        for m, month_rows in sorted(by_month.items()):
            self.months.setdefault(m, []).append(path.name)
            first = self.kpi.setdefault(m, {})
            pairs = [(r.agent_id, r.source) for r in month_rows]
            again = [(a, first[a]) for a, _s in pairs if a in first]  # also in a workbook before
            problems += reader.duplicates([*again, *pairs],
                                          _("KPI rows of {month}").format(month=m))
            for agent_id, source in pairs:
                first.setdefault(agent_id, source)
            self.seen.setdefault(m, []).extend(
                SeenRow(r.agent_id, r.name, r.team, r.role, r.hire_date, r.current_level)
                for r in month_rows)
            self.seen.compare([r.agent_id for r in month_rows], [r.name for r in month_rows],
                              [r.source for r in month_rows], problems)
            if self.keep_posts and read.role_column is not None:
                self.posts.setdefault(m, {}).update(
                    (r.agent_id, (r.role, r.source._replace(column=read.role_column)))
                    for r in month_rows if r.role)
        self.stored = self.stored and not has_errors(problems)
        if not self.stored:
            return
        progress(_("scoring"))
        problems += read.score_problems
        if read.scored is None:  # the reading or the scoring found an error: nothing stored
            self.stored = False
            return
        for m, stored_rows in sorted(read.scored.items()):
            if not self._clear(history, m):
                return
            history.add_score_rows(m, stored_rows)

    def kpi_ids_from_roster(self, path: Path, read: KpiRead, problems: list[Problem]
                            ) -> KpiRead:
        """A KPI workbook without 工号 (read by name): each row given the id its name has in
        the roster. Without a roster, a name that two agents of the roster share, or one
        the roster lacks: an error (a KPI row must be an agent's)."""
        if not self.roster:
            first = read.rows[0].source if read.rows else Source(path.name)
            problems.append(Problem(
                _("the KPI workbook has no 工号 column: its agents cannot be told apart by "
                  "name alone"), Source(first.file, first.sheet),
                hint=_("Add a 工号 column (accepted names: {names}), or give the roster "
                       "(--roster) so that each name is joined to its 工号.").format(
                    names=_(", ").join(self.id_names))))
            return read
        index: dict[str, dict[str, Source]] = {}
        for key, listed in zip(Intake.Seen._name_keys([r.name for r in self.roster]),
                               self.roster):
            if key:
                index.setdefault(key, {}).setdefault(listed.agent_id, listed.source)
        ids: dict[str, str] = {}
        for row in read.rows:
            found = index.get(Intake.Seen._name_keys([row.name])[0], {})
            if len(found) == 1:
                ids[row.agent_id] = next(iter(found))
            elif found:
                (first, first_source), (other, other_source) = list(found.items())[:2]
                problems.append(Problem(
                    _("{name} is read by name, but {count} agents have that name: {agent} at "
                      "{where} and {other} at {other_where}").format(
                        name=row.name, count=len(found), agent=first, where=first_source,
                        other=other, other_where=other_source), row.source,
                    hint=_("Add a 工号 column to the KPI workbook, and run again.")))
            else:
                problems.append(Problem(
                    _("{name} has no 工号 in the KPI workbook and is not in the roster").format(
                        name=row.name), row.source,
                    hint=_("Add the agent to the roster, or a 工号 column to the KPI workbook.")))
        rows = [row._replace(agent_id=ids.get(row.agent_id, row.agent_id)) for row in read.rows]
        scored = None if read.scored is None else {
            m: [(r[0], ids.get(r[1], r[1]), *r[2:]) for r in stored]
            for m, stored in read.scored.items()}
        return read._replace(rows=rows, scored=scored, by_name=False)

    def check_kpi(self, problems: list[Problem]) -> None:
        self.stored = self.stored and not has_errors(problems)

    def join_by_name(self, rows: list[AttendanceRow], problems: list[Problem]
                     ) -> list[AttendanceRow]:
        """Rows read by name (no 工号) given the agent id that name has in the month's KPI
        rows, else in the roster. A name that two agents share is an error naming both
        (the row needs its 工号); a name no one has is listed and the row left out."""
        if not any(row.by_name for row in rows):
            return rows
        found: dict[Month, dict[str, dict[str, Source]]] = {}

        def people(month: Month) -> dict[str, dict[str, Source]]:
            """name (as compared) -> the ids of that name and where each was found."""
            if month not in found:
                index: dict[str, dict[str, Source]] = {}
                kpi_rows = self.kpi.get(month, {})
                seen = self.seen.get(month, [])
                for key, seen_row in zip(Intake.Seen._name_keys([r.name for r in seen]), seen):
                    if key:
                        index.setdefault(key, {}).setdefault(
                            seen_row.agent_id, kpi_rows.get(seen_row.agent_id, Source("?")))
                for key, listed in zip(Intake.Seen._name_keys([r.name for r in self.roster]),
                                       self.roster):
                    if key and not (listed.leave_date and Month.of(listed.leave_date) < month):
                        index.setdefault(key, {}).setdefault(listed.agent_id, listed.source)
                found[month] = index
            return found[month]

        joined = []
        for row in rows:
            if not row.by_name:
                joined.append(row)
                continue
            key = Intake.Seen._name_keys([row.name or row.agent_id])[0]
            ids = people(row.month).get(key, {}) if row.month in self.months else {}
            if len(ids) == 1:
                agent_id = next(iter(ids))
                joined.append(AttendanceRow(agent_id, row.month, row.source, row.name,
                                            row.totals))
            elif len(ids) > 1:
                (first, first_source), (other, other_source) = list(ids.items())[:2]
                problems.append(Problem(
                    _("{name} is read by name, but {count} agents have that name: {agent} at "
                      "{where} and {other} at {other_where}").format(
                        name=row.name, count=len(ids), agent=first, where=first_source,
                        other=other, other_where=other_source), row.source,
                    hint=_("Fill in this row's 工号 in the attendance workbook (add a 工号 "
                           "column if it has none), and run again.")))
            elif row.month in self.months:
                problems.append(Problem(
                    _("{name} is in the attendance workbook (read by name) but no agent of "
                      "that name is in the KPI workbook of {month} or the roster").format(
                        name=row.name, month=row.month), row.source, "warning",
                    hint=_("Check the spelling of the name, or fill in the 工号.")))
            else:
                joined.append(row)  # (a month without KPI: said below)
        return joined

    def take_attendance(self, history: History, scheme: Scheme, rows: list[AttendanceRow],
                        problems: list[Problem]) -> None:
        rows = self.join_by_name(rows, problems)
        by_month: dict[Month, dict[str, AttendanceRow]] = {}
        for row in rows:
            if row.month not in self.months:
                if not self.missing_kpi:
                    self.missing_kpi = True
                    problems.append(Problem(
                        _("attendance is for {month} but no KPI workbook for that month was "
                          "given").format(month=row.month), row.source,
                        hint=_("Give the attendance workbook of the same month as the KPI.")))
                continue
            by_month.setdefault(row.month, {})[row.agent_id] = row  # the last row counts
        for month_rows in by_month.values():
            self.seen.compare(list(month_rows), [r.name for r in month_rows.values()],
                              [r.source for r in month_rows.values()], problems)
        self.stored = self.stored and not has_errors(problems)
        for m, month_rows in sorted(by_month.items()):
            kpi_ids = self.kpi.get(m, {})
            for agent_id in sorted(set(month_rows) - set(kpi_ids)):
                problems.append(Problem(
                    _("agent {agent} is in the attendance workbook but not in the KPI workbook "
                      "of {month}").format(agent=agent_id, month=m),
                    month_rows[agent_id].source, "warning"))
            sources = self.attendance_rows.setdefault(m, {})
            summaries = self.attendance.setdefault(m, {})
            again = [a for a in month_rows if a in sources]  # in an earlier workbook too
            if again and self.stored:
                history.remove_attendance(m, again)  # the last workbook's row counts
            for agent_id, row in month_rows.items():
                sources[agent_id] = row.source
                key = attendance_score(row.totals, scheme)
                summary = self.summaries.get(key)
                if summary is None:
                    summary = self.summaries[key] = Attendance(*key)
                summaries[agent_id] = summary
            if self.stored and self._clear(history, m):
                history.add_attendance(m, {a: (r.totals, str(r.source))
                                           for a, r in month_rows.items()})

    def check_attendance(self, problems: list[Problem]) -> None:
        for m, kpi_rows in self.kpi.items():
            given = self.attendance_rows.get(m)
            if given is None:
                continue
            for agent_id, source in kpi_rows.items():
                if agent_id not in given:
                    problems.append(Problem(
                        _("agent {agent} is in the KPI workbook but not in the attendance "
                          "workbook of {month}").format(agent=agent_id, month=m), source,
                        "warning"))


def result_paths(out: str | Path | None,
                 result_months: list[Month]) -> tuple[list[Path], Path | None]:
    """Where the results workbooks go, and the folder to create for them (if any)."""
    if out is None:
        return [Path(f"results-{m}.xlsx") for m in result_months], None
    text = str(out)
    folder = Path(text)
    if folder.is_dir() or text.endswith(("/", "\\")):
        return ([folder / f"results-{m}.xlsx" for m in result_months],
                None if folder.is_dir() else folder)
    if len(result_months) > 1:
        raise CslevelError(Problem(
            _("{count} months were scored but --out names one file").format(
                count=len(result_months)),
            hint=_("Give --out a folder (end it with / to create it), or score one month at "
                   "a time.")))
    return [folder], None


def post_opening(scheme: Scheme) -> Callable[[str], str | None] | None:
    """A template whose KPI 岗位 names its tracks (the weighted scheme's posts) and that has
    no trial level: a new agent whom neither the roster nor a 当前级别 column gives a level
    opens at the lowest level of the post their first KPI row names, as a roster row giving
    only the post does (read/roster.py). None otherwise: the entry level, as before."""
    if not scheme.tracks or scheme.trial_level is not None:
        return None

    def opening(role: str) -> str | None:
        track = scheme.resolve_track(role)
        return track.levels[0] if track is not None else None

    return opening


def merge_agents(
    known: dict[str, Agent],
    by_month: dict[Month, list[SeenRow]],
    roster: list[RosterRow],
    problems: list[Problem],
    opening: Callable[[str], str | None] | None = None,
) -> dict[str, Agent]:
    """Agents as the history should hold them after this run (new ones and updates).
    `opening`: a KPI row's 岗位 -> the level a new agent given no level opens at (the lowest
    of that post's ladder; see `post_opening`)."""
    changed: dict[str, Agent] = {}
    listed = {r.agent_id: r for r in roster}
    first_scored = min(by_month) if by_month else None
    if isinstance(by_month, Intake.Seen) and by_month.names:  # the names of the workbooks
        by_month.compare(list(listed), [r.name for r in listed.values()],
                         [r.source for r in listed.values()], problems)

    def current(agent_id: str) -> Agent | None:
        return changed.get(agent_id) or known.get(agent_id)

    # each row, month by month, updates its agent's name, team, role and hire date when it
    # gives them, and the first month; folded per agent and made into an Agent once
    folded: dict[str, list[Any]] = {}  # id -> [agent or None, name, team, role, hire, first]
    for month in sorted(by_month):
        for row in by_month[month]:
            fields = folded.get(row.agent_id)
            if fields is None:
                agent = known.get(row.agent_id)
                if agent is None:
                    info = listed.get(row.agent_id)
                    agent = Agent(row.agent_id, row.name, row.team, row.role,
                                  (info.hire_date if info else None) or row.hire_date,
                                  info.leave_date if info else None,
                                  (info.current_level if info else None) or row.current_level
                                  or (opening(row.role) if opening and row.role else None),
                                  month, info is not None)
                    folded[row.agent_id] = [agent, agent.name, agent.team, agent.role,
                                            agent.hire_date, month]
                    continue
                fields = folded[row.agent_id] = [agent, agent.name, agent.team, agent.role,
                                                 agent.hire_date, agent.first_month]
            fields[1] = row.name or fields[1]
            fields[2] = row.team or fields[2]
            fields[3] = row.role or fields[3]
            fields[4] = row.hire_date or fields[4]
            fields[5] = min(fields[5], month) if fields[5] else month
    for agent_id, (agent, name, team, role, hire, first) in folded.items():
        # (made anew: dataclasses.replace costs several times more, 10,000 times)
        changed[agent_id] = Agent(
            agent_id=agent_id, name=name, team=team, role=role, hire_date=hire,
            leave_date=agent.leave_date, start_level=agent.start_level, first_month=first,
            in_roster=agent.in_roster, supervisor_tier=agent.supervisor_tier,
            team_lead=agent.team_lead, experience_months=agent.experience_months,
            excellent_months=agent.excellent_months)
    for info in roster:
        agent = current(info.agent_id)
        if agent is None:
            hire = Month.of(info.hire_date) if info.hire_date else None
            since = max(hire, first_scored) if hire and first_scored else (hire or first_scored)
            if info.leave_date and since and Month.of(info.leave_date) < since:
                continue  # left before the months on record
            agent = Agent(info.agent_id, info.name, info.team, info.role, info.hire_date,
                          info.leave_date, info.current_level, since, True,
                          info.supervisor_tier, info.team_lead, info.experience_months,
                          info.excellent_months)
        else:
            if (info.current_level and agent.start_level
                    and info.current_level != agent.start_level and info.agent_id in known):
                problems.append(Problem(
                    _("roster level {level} for {agent} ignored: the history already follows "
                      "this agent from {month}").format(
                        level=info.current_level, agent=info.agent_id, month=agent.first_month),
                    info.source, "warning"))
            agent = Agent(
                agent_id=agent.agent_id, name=info.name or agent.name,
                team=info.team or agent.team, role=info.role or agent.role,
                hire_date=info.hire_date or agent.hire_date,
                leave_date=info.leave_date or agent.leave_date,
                start_level=agent.start_level if info.agent_id in known
                else (info.current_level or agent.start_level),
                first_month=agent.first_month, in_roster=True,
                supervisor_tier=info.supervisor_tier, team_lead=info.team_lead,
                experience_months=info.experience_months,
                # a month once named stays named: a roster may list only the latest months,
                # and the months before still count for the reviews they fall in
                excellent_months=tuple(sorted({*agent.excellent_months,
                                               *info.excellent_months})))
        changed[info.agent_id] = agent
    return changed
