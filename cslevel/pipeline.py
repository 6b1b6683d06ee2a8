"""The order of the stages, and the only module that knows it.

score:   roster -> per KPI workbook (read -> validate -> score -> store) -> per attendance
         workbook (read -> check -> store) -> agents -> derive -> export
promote: load history -> derive (rules) -> record decisions -> export sign-off list
payroll: load history -> derive -> pay lines -> export
history: load history -> derive one agent

Each function returns a result record; nothing here prints or exits. Problems that stop a
run are raised as CslevelError; everything a run stores is in one transaction and its files
are staged, so a run that stops leaves the history and the output folder as they were.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from . import checkpoints, finish
from . import read as reader
from .export.safe import StagedFiles
from .i18n import _
from .payroll import PayInputs, change_reasons, pay_line, team_lead_pay
from .read.prefetch import PreparedKpi, SheetPrefetch
from .records import (
    Agent,
    AgentRow,
    AttendanceRow,
    CslevelError,
    Decision,
    Month,
    MonthState,
    PayLine,
    Problem,
    RosterRow,
    Score,
    Source,
    month_range,
)
from .rules import METRICS, RANKED, replay_all, with_team_ranks
from .rules.streak import opening
from .score import attendance_score, score_rows
from .store import History, open_history
from .templates import Scheme, load_scheme, parse_scheme, template_hash

# a workbook of at least this many rows is written by a worker process while the run goes on
# (StagedFiles.write(background=True)); smaller ones are quicker written than handed over
BACKGROUND_ROWS = 5000

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Attendance:
    """An agent's attendance in one month as the results show it: 考勤 score and flags for
    review (the totals are in the history)."""

    score: Decimal | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ResultRow:
    agent: Agent
    score: Score | None
    state: MonthState
    attendance: Attendance | None = None


@dataclass
class MonthResult:
    month: Month
    rows: list[ResultRow]
    files: list[str]


@dataclass
class ScoreResult:
    scheme: Scheme
    months: list[MonthResult]
    problems: list[Problem]
    outputs: list[Path] = field(default_factory=list)
    rederived_through: Month | None = None


@dataclass
class PromoteResult:
    scheme: Scheme
    as_of: Month
    window: int
    moves: list[Decision]
    earlier_moves: int
    levels: dict[str, str]  # level in force in as_of + 1
    agents: dict[str, Agent]
    flags: list[tuple[str, str, str]]  # (agent, flag, reason) raised at the close of as_of
    problems: list[Problem]
    outputs: list[Path] = field(default_factory=list)


@dataclass
class PayrollResult:
    scheme: Scheme
    month: Month
    lines: list[PayLine]
    problems: list[Problem]
    outputs: list[Path] = field(default_factory=list)
    moves: list[Decision] = field(default_factory=list)  # taking effect this month
    agents: dict[str, Agent] = field(default_factory=dict)
    gone: list[PayLine] = field(default_factory=list)  # paid last month, not this month
    previous_paid: bool = False  # whether the month before has a payroll to compare with


@dataclass
class HistoryResult:
    agent: Agent
    scheme: Scheme
    states: list[MonthState]
    next_level: str | None  # None once the agent has left
    latest: Month
    promoted_through: Month | None = None


@dataclass
class Session:
    """One history transaction and one set of staged output files shared by several stages
    (`cslevel run`): everything is written, or nothing."""

    history: History
    staged: StagedFiles
    record: bool = True  # stages record their own run entry (False: the caller records one)
    # large results workbooks are written when the files are collected, by the run's own
    # process, so that the worker is free for the payroll made after them
    write_later: bool = False


@contextmanager
def _history(db: str | None, session: Session | None, **kwargs: bool) -> Iterator[History]:
    if session is not None:
        yield session.history
    else:
        with open_history(db, **kwargs) as history:
            yield history


@contextmanager
def _staging(session: Session | None, history: History,
             protected: list[tuple[Path, str]] | None = None) -> Iterator[StagedFiles]:
    """The command's staged outputs: renamed into place once the history's transaction
    commits (cslevel.finish), never over a file the command reads (`protected`)."""
    if session is not None:
        session.staged.protect(protected or [])
        yield session.staged
    else:
        with StagedFiles(history, protected) as staged:
            yield staged


def _refuse_early(out: str | Path | None, db: str | None,
                  protected: list[tuple[Path, str]]) -> None:
    """An --out file that is the history database or a file the command reads is refused
    before anything is read (the targets are checked again when staged)."""
    if out is None:
        return
    text = str(out)
    if text.endswith(("/", "\\")) or Path(text).is_dir():
        return
    from .store import database_url

    url = database_url(db)
    files = list(protected)
    if url.startswith("sqlite:///"):
        files += finish.sqlite_files(Path(url.removeprefix("sqlite:///")))
    finish.refuse_overwrite(Path(text), files)


def _record(history: History, session: Session | None, command: str,
            details: dict[str, object]) -> None:
    if session is None or session.record:
        history.record_run(command, details)


def _raise_errors(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CslevelError(errors)


# ---------------------------------------------------------------------------------------
def _stored_scheme(history: History) -> Scheme:
    text = history.setting("template")
    if text is None:
        raise CslevelError(Problem(_("the history database holds no scores yet"),
                                   hint=_("Run `cslevel score FILE --scheme star` first.")))
    scheme = parse_scheme(text, _("template stored in the database ({scheme})").format(
        scheme=history.setting("scheme")))
    if scheme.pay.table is not None:
        from . import paytable

        stored = history.setting("pay_table")
        if stored is None:
            raise CslevelError(Problem(
                _("the template names a pay table, but the history holds no copy of it"),
                hint=_("Score a month again with --scheme and the template's path.")))
        scheme = paytable.apply_pay_table(scheme, paytable.load(stored))
    return scheme


def _window(history: History, scheme: Scheme) -> int:
    stored = history.setting("window")
    return int(stored) if stored else scheme.promotion.window


def stored_scores(history: History, scheme: Scheme, since: Month | None = None
                  ) -> dict[str, dict[Month, Score]]:
    """The stored scores (those of `since` and later are enough, if given), read once per
    command; with their metrics only where the scheme's rule or its team lead's pay reads
    them."""
    metrics = scheme.promotion.rule in METRICS or scheme.pay.team_lead is not None
    cache = history.memo
    # read with metrics: good for every scheme; read from the first month: for every caller
    for key in sorted((k for k in cache if k[0] == "scores"),
                      key=lambda k: (not k[1], k[2] is not None)):
        _, with_metrics, start = key
        if (with_metrics or not metrics) and (start is None or (since is not None
                                                                and start <= since)):
            return cache[key]  # type: ignore[no-any-return]
    cache["scores", metrics, since] = history.scores(metrics=metrics, since=since)
    return cache["scores", metrics, since]  # type: ignore[no-any-return]


class Derived(dict[str, tuple[Agent, list[MonthState], str]]):
    """Every agent's month-by-month states and its level the month after the last, by
    agent. `since`: None when the states start in each agent's first month; a month when
    they were replayed from checkpoints and start there (the decisions before it are the
    recorded ones)."""

    since: Month | None = None
    # the checkpoints it filled in, kept when its decisions are recorded (they go together:
    # a later run goes on from the checkpoints with the recorded decisions before them)
    keep_checkpoints: Callable[[], None] | None = None


def derive(
    history: History, scheme: Scheme, through: Month, window: int,
    needed: Month | None = None,
) -> Derived:
    """Every agent's month-by-month states up to `through` and its level the month after.
    `needed`: the first month whose states the caller reads (None: all of them); the
    states may start there, replayed from checkpoints (cslevel.checkpoints)."""
    cache = history.memo
    key = ("derive", scheme.scheme, through, window)
    found = cache.get(key)
    if found is None or (found.since is not None and (needed is None or found.since > needed)):
        # hundreds of thousands of scores and month states, none in a cycle: no collection
        # while they are made (it would walk them all again and again, for nothing)
        with reader.bulk_load():
            cache[key] = found = _derive(history, scheme, through, window, needed)
    return found  # type: ignore[no-any-return]


def _derive(history: History, scheme: Scheme, through: Month, window: int,
            needed: Month | None) -> Derived:
    agents = history.agents()
    kept = (checkpoints.load(history, scheme, window, agents, needed)
            if needed is not None else None)
    save = checkpoints.wanted(history, scheme, agents, through)
    if kept is None:
        derived = Derived(replay_all(agents, _rule_scores(history, scheme, agents), scheme,
                                     through, window, save=save))
    else:
        month, start = kept
        # a streak reaching the month after cites up to `window` - 1 months before it
        scores = stored_scores(history, scheme, month + (2 - window))
        derived = Derived(replay_all(agents, scores, scheme, through, window, start=start,
                                     save=save))
        derived.since = month + 1
    if save is not None:
        derived.keep_checkpoints = partial(checkpoints.save, history, scheme, window, agents,
                                           save)
    return derived


def _decisions_found(derived: Derived) -> list[Decision]:
    """The decisions in the derived states (from `derived.since` on, if it is set)."""
    return [s.decision for _, states, _ in derived.values() for s in states if s.decision]


def _record_decisions(history: History, through: Month, found: list[Decision],
                      derived: Derived) -> None:
    """Record the decisions derived up to `through`, and the derivation's checkpoints."""
    history.replace_decisions(through, found, since=derived.since)
    if derived.keep_checkpoints is not None:
        derived.keep_checkpoints()
        derived.keep_checkpoints = None


def _rule_scores(history: History, scheme: Scheme,
                 agents: dict[str, Agent]) -> dict[str, dict[Month, Score]]:
    """The stored scores, with each month's place within the team for rules that rank."""
    scores = stored_scores(history, scheme)
    if scheme.promotion.rule not in RANKED:
        return scores
    if scheme.promotion.rule == "quarterly_standard":  # ranked on the quarter's average
        return with_team_ranks(scores, agents, scheme.promotion.review_months,
                               scheme.promotion.window)
    return with_team_ranks(scores, agents)


def _decision_key(d: Decision) -> tuple[str, str, str, str, str]:
    return (d.agent_id, str(d.decided), d.kind, d.from_level, d.to_level)


def _merge_agents(
    known: dict[str, Agent],
    by_month: dict[Month, list[_Seen]],
    roster: list[RosterRow],
    problems: list[Problem],
) -> dict[str, Agent]:
    """Agents as the history should hold them after this run (new ones and updates)."""
    changed: dict[str, Agent] = {}
    listed = {r.agent_id: r for r in roster}
    first_scored = min(by_month) if by_month else None
    if isinstance(by_month, _Intake.Seen) and by_month.names:  # the names of the workbooks
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
                                  (info.current_level if info else None) or row.current_level,
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
            team_lead=agent.team_lead)
    for info in roster:
        agent = current(info.agent_id)
        if agent is None:
            hire = Month.of(info.hire_date) if info.hire_date else None
            since = max(hire, first_scored) if hire and first_scored else (hire or first_scored)
            if info.leave_date and since and Month.of(info.leave_date) < since:
                continue  # left before the months on record
            agent = Agent(info.agent_id, info.name, info.team, info.role, info.hire_date,
                          info.leave_date, info.current_level, since, True,
                          info.supervisor_tier, info.team_lead)
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
                supervisor_tier=info.supervisor_tier, team_lead=info.team_lead)
        changed[info.agent_id] = agent
    return changed


def _scheme_for_scoring(scheme_name: str | None, db: str | None) -> tuple[Scheme, str]:
    """--scheme, else the template stored with the history."""
    if scheme_name:
        return load_scheme(scheme_name)
    from .store import database_url

    url = database_url(db)
    if not (url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists()):
        # (a damaged, empty or busy history says so, not "no scheme")
        with open_history(db, write=False) as history:
            text = history.setting("template")
            if text is not None:
                return _stored_scheme(history), text
    raise CslevelError(Problem(_("no scheme given and the history database holds none yet"),
                               hint=_("Give --scheme star (or another template name or path).")))


def run_score(
    files: list[Path],
    scheme_name: str | None,
    *,
    month: Month | None = None,
    attendance_files: list[Path] | None = None,
    roster_file: Path | None = None,
    profile_file: Path | None = None,
    db: str | None = None,
    out: str | Path | None = None,
    dry_run: bool = False,
    progress: Progress = _quiet,
    session: Session | None = None,
    scheme_text: tuple[Scheme, str] | None = None,
    ahead: SheetPrefetch | None = None,
) -> ScoreResult:
    """Read, check, score and store the workbooks, and write each month's results workbook.
    `ahead`: the workbooks already being read by a worker that the caller started early
    (`cslevel run`); it is closed once they have been taken."""
    from .export.results import results_book, write_results_book

    protected = finish.protected_inputs(
        [*files, *(attendance_files or [])], roster=roster_file, profile=profile_file,
        template=scheme_name)
    if session is None:
        _refuse_early(out, db, protected)
    scheme, template_text = scheme_text or _scheme_for_scoring(scheme_name, db)
    problems: list[Problem] = []

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

    result = ScoreResult(scheme, [], problems)
    with _history(db, session, write=not dry_run) as history:
        problems += history.recovered
        _check_template(history, scheme, template_text, problems)
        intake = _Intake()
        # each workbook is read, scored and stored before the next is read, so only one
        # month's rows are in memory at a time (a worker may read the next two meanwhile:
        # cslevel/read/prefetch.py); a problem anywhere rolls the whole run back
        attendance_files = attendance_files or []
        # the worker may read and score KPI workbooks itself (without profiles: the points
        # scheme's hard items are added here)
        scored_there = None if profiles is not None else (scheme, month, set(range(len(files))))
        big = False  # a workbook large enough for the worker that writes (cslevel run)
        reading = ahead or SheetPrefetch([*files, *attendance_files], scored_there)
        with reading:
            for index, path in enumerate(files):
                progress(_("KPI {file}").format(file=path.name))
                early = reading.take(index)
                prepared = early if isinstance(early, PreparedKpi) else None
                if prepared is not None:
                    got, found = prepared.rows, prepared.problems
                else:
                    got, found = reader.read_kpi(path, scheme, month, sheets=early)
                problems += found
                big = big or len(got) >= BACKGROUND_ROWS
                intake.take_kpi(history, scheme, path, got, profiles, problems, progress,
                                prepared)
                del got, prepared, early
            intake.check_kpi(problems)
            for index, path in enumerate(attendance_files, start=len(files)):
                progress(_("attendance {file}").format(file=path.name))
                got_att, found = reader.read_attendance(path, scheme, month,
                                                        sheets=reading.sheets(index))
                problems += found
                intake.take_attendance(history, scheme, got_att, problems)
                del got_att
        if session is not None and session.write_later and not dry_run and big:
            session.staged.start_workers()  # a worker will write the payroll
        intake.check_attendance(problems)
        _raise_errors(problems)
        if intake.locked:
            raise CslevelError(intake.locked, exit_code=3)
        intake.kpi.clear()  # the rows' ids and places: only the checks above needed them
        intake.attendance_rows.clear()
        if not intake.months:
            raise CslevelError(Problem(_("no agent rows found in the KPI workbook(s)"),
                                       Source(", ".join(p.name for p in files)),
                                       hint=_("Check that the sheet holds one row per agent.")))
        scored = sorted(intake.months)
        targets, new_folder = _result_paths(out, scored)
        for m in scored:
            history.set_month(m, scheme.scheme, intake.months[m])

        known = history.agents()
        history.memo.clear()
        history.save_agents([  # the new agents, and the known ones whose record changed
            (agent, agent_id in known) for agent_id, agent in
            _merge_agents(known, intake.seen, roster, problems).items()
            if known.get(agent_id) != agent])
        intake.seen.clear()

        latest = history.scored_months()[-1]
        window = _window(history, scheme)
        derived = derive(history, scheme, latest, window, needed=scored[0])
        promoted = history.setting("promoted_through")
        if promoted and scored[0] <= Month.parse(promoted):
            through = Month.parse(promoted)
            before = {_decision_key(d) for d in history.decisions(since=derived.since)}
            after = [d for d in _decisions_found(derived) if d.decided <= through]
            _record_decisions(history, through, after, derived)
            result.rederived_through = through
            changed = before ^ {_decision_key(d) for d in after}
            if changed:
                agents_changed = sorted({key[0] for key in changed})
                problems.append(Problem(
                    _("a month already promoted was re-scored: decisions up to {month} were "
                      "derived again and changed for {count} agent(s): {agents}").format(
                        month=through, count=len(agents_changed),
                        agents=", ".join(agents_changed[:20])), severity="warning",
                    hint=_("Check the sign-off list again (cslevel promote --out …).")))

        # the month's rows: the scores as the rules read them (value, metrics), the state
        # and the attendance summary; each month's explanations are read back when written
        wanted = set(scored)
        states_by_month: dict[Month, list[tuple[Agent, MonthState]]] = {m: [] for m in scored}
        all_scores = stored_scores(history, scheme, since=scored[0])
        no_scores: dict[Month, Score] = {}
        with reader.bulk_load():  # a row per agent and month: hundreds of thousands
            # in the workbooks' order (team, then id), sorted once for every month
            for agent, states, _next in sorted(derived.values(),
                                               key=lambda v: (v[0].team, v[0].agent_id)):
                for state in states:
                    if state.month in wanted:
                        states_by_month[state.month].append((agent, state))
            for m in scored:
                attendance_of = intake.attendance.get(m, {})
                result_rows = []
                for agent, state in states_by_month.pop(m):
                    score = all_scores.get(agent.agent_id, no_scores).get(m)
                    if score is not None:
                        result_rows.append(ResultRow(agent, score, state,
                                                     attendance_of.get(agent.agent_id)))
                result.months.append(MonthResult(m, result_rows, intake.months[m]))

        _record(history, session, "score", {
            "files": [str(p) for p in files], "months": [str(m) for m in scored],
            "template_hash": template_hash(template_text), "dry_run": dry_run})
        if not dry_run:
            if new_folder is not None:
                new_folder.mkdir(parents=True)
                history.after_rollback.append(partial(shutil.rmtree, new_folder,
                                                      ignore_errors=True))
            try:
                later = session is not None and session.write_later
                with _staging(session, history, protected) as staged:
                    for month_result, target in zip(result.months, targets):
                        if not later:
                            progress(_("writing {file}").format(file=target.name))
                        # the month's cells, with the scores' explanations read back
                        # from the history (the rows kept in the result share the rules'
                        # scores, which hold neither)
                        book = results_book(scheme, month_result, problems,
                                            history.explanations(month_result.month))
                        staged.write(target, partial(write_results_book, book=book),
                                     background=len(month_result.rows) >= BACKGROUND_ROWS,
                                     later=later)
                        result.outputs.append(target)
            except BaseException:
                if new_folder is not None:
                    shutil.rmtree(new_folder, ignore_errors=True)
                raise
    return result


def _check_template(history: History, scheme: Scheme, template_text: str,
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
        from . import paytable

        table = paytable.dump({lv.name: lv.pay for lv in scheme.levels})
        if history.setting("pay_table") not in (None, table):
            problems.append(Problem(
                _("the pay table differs from the one stored with the history; the new "
                  "amounts are paid from now on"), severity="warning"))
        history.set_setting("pay_table", table)


class _Seen(NamedTuple):
    """What the agents' records need of a KPI row, kept once the row is scored."""

    agent_id: str
    name: str
    team: str
    role: str
    hire_date: date | None
    current_level: str | None


@dataclass
class _Intake:
    """The inputs of a `score` run as they are read, scored and stored one workbook at a
    time: only what the checks across workbooks and the agents' records need is kept."""

    class Seen(dict[Month, list[_Seen]]):
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

            keys = _Intake.Seen._name_keys(names)
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
                    problems.append(_Intake.Seen.renamed(agent, names[p], sources[p],
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

    def _clear(self, history: History, month: Month) -> bool:
        """Empty `month` in the history the first time this run stores into it; False (and
        nothing stored from now on) when the month is locked."""
        if month not in self.cleared:
            refused = _locked(history, [month])
            if refused:
                self.locked += refused
                self.stored = False
                return False
            history.clear_month(month)
            self.cleared.add(month)
        return True

    def take_kpi(self, history: History, scheme: Scheme, path: Path, rows: list[AgentRow],
                 profiles: dict[str, tuple[dict[str, Decimal], Source]] | None,
                 problems: list[Problem], progress: Progress,
                 prepared: PreparedKpi | None = None) -> None:
        """Check, score and store one KPI workbook's rows (`prepared`: the workbook as a
        worker read and scored it; its rows hold no figures)."""
        by_month: dict[Month, list[AgentRow]] = {}
        for row in rows:
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
                _Seen(r.agent_id, r.name, r.team, r.role, r.hire_date, r.current_level)
                for r in month_rows)
            self.seen.compare([r.agent_id for r in month_rows], [r.name for r in month_rows],
                              [r.source for r in month_rows], problems)
        self.stored = self.stored and not _errors(problems)
        if not self.stored:
            return
        progress(_("scoring"))
        if prepared is not None:
            found = prepared.score_problems
            problems += found
            if prepared.scored is None:  # the worker found an error: nothing is stored
                self.stored = False
                return
            for m, stored_rows in sorted(prepared.scored.items()):
                if not self._clear(history, m):
                    return
                history.add_score_rows(m, stored_rows)
            return
        scores, found = score_rows(rows, scheme, profiles)
        problems += found
        self.stored = not _errors(found)
        if not self.stored:
            return
        scores_by_month: dict[Month, list[Score]] = {}
        for score in scores:
            scores_by_month.setdefault(score.month, []).append(score)
        for m, month_scores in sorted(scores_by_month.items()):
            if not self._clear(history, m):
                return
            history.add_scores(m, month_scores)

    def check_kpi(self, problems: list[Problem]) -> None:
        self.stored = self.stored and not _errors(problems)

    def take_attendance(self, history: History, scheme: Scheme, rows: list[AttendanceRow],
                        problems: list[Problem]) -> None:
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
        self.stored = self.stored and not _errors(problems)
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


def _errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _result_paths(out: str | Path | None, result_months: list[Month]) -> tuple[list[Path], Path | None]:
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


# ---------------------------------------------------------------------------------------
def run_promote(
    *,
    months: int | None = None,
    as_of: Month | None = None,
    db: str | None = None,
    out: Path | None = None,
    dry_run: bool = False,
    session: Session | None = None,
) -> PromoteResult:
    from .export.decisions import write_promotions

    if session is None:
        _refuse_early(out, db, [])
    with _history(db, session, write=not dry_run, must_exist=True) as history:
        scheme = _stored_scheme(history)
        scored = history.scored_months()
        as_of = as_of or scored[-1]
        if not scored[0] <= as_of <= scored[-1]:
            raise CslevelError(Problem(
                _("--as-of {month} is outside the scored months ({first} to {last})").format(
                    month=as_of, first=scored[0], last=scored[-1]),
                hint=_("Score that month first, or give a month in that range.")))
        if months is not None:
            history.set_setting("window", str(months))
        window = months or _window(history, scheme)
        # decisions already confirmed beyond as_of stay confirmed (re-derived, not dropped)
        promoted = history.setting("promoted_through")
        record_through = max(as_of, Month.parse(promoted)) if promoted else as_of
        derived = derive(history, scheme, record_through, window, needed=as_of)
        found = _decisions_found(derived)
        moves = sorted((d for d in found if d.decided == as_of), key=lambda d: d.agent_id)
        levels = {}
        for agent_id, (agent, states, next_level) in derived.items():
            if agent.leave_date and Month.of(agent.leave_date) <= as_of:
                continue
            if agent.first_month is None or agent.first_month > as_of + 1:
                continue
            state = _state_at(states, as_of + 1)
            levels[agent_id] = state.level if state is not None else next_level
        _record_decisions(history, record_through, found, derived)
        _record(history, session, "promote", {"as_of": str(as_of), "window": window,
                                              "moves": len(moves), "dry_run": dry_run})
        agents = {a: v[0] for a, v in derived.items()}
        flags = [(agent_id, flag, state.note) for agent_id, (_, states, _) in derived.items()
                 for state in states if state.month == as_of for flag in state.flags]
        earlier = (history.count_decisions(before=derived.since)
                   if derived.since is not None else 0)
        result = PromoteResult(scheme, as_of, window, moves,
                               earlier + sum(1 for d in found if d.decided < as_of), levels,
                               agents, flags, list(history.recovered))
        if out is not None and not dry_run:
            with _staging(session, history) as staged:
                staged.write(out, partial(write_promotions, result=result))
            result.outputs.append(out)
    return result


# ---------------------------------------------------------------------------------------
def run_payroll(
    *,
    month: Month | None = None,
    db: str | None = None,
    out: Path | None = None,
    session: Session | None = None,
    confirmed_through: Month | None = None,
) -> PayrollResult:
    """The payroll of `month`, written to `out`. `confirmed_through`: the month that a
    `promote` later in the same transaction confirms (`cslevel run`), so its decisions are
    not reported as unconfirmed."""
    from .export.payroll import check_payroll_path, payroll_book, write_payroll, write_payroll_book

    if session is None:
        _refuse_early(out, db, [])
    target = out or Path(f"payroll-{month or 'next'}.xlsx")
    check_payroll_path(target)
    with _history(db, session, write=True, must_exist=True) as history:
        result = _payroll(history, month, confirmed_through)
        result.problems[:0] = history.recovered
        if out is None:
            target = Path(f"payroll-{result.month}.xlsx")
        _record(history, session, "payroll export", {"month": str(result.month),
                                                     "lines": len(result.lines)})
        csv_format = target.suffix.lower() == ".csv"
        with _staging(session, history) as staged:
            if (session is not None and session.write_later and not csv_format
                    and len(result.lines) >= BACKGROUND_ROWS):
                # `cslevel run`: a worker writes it while the run does the rest (its plain
                # cell values are quick to hand over)
                staged.write(target, partial(write_payroll_book, book=payroll_book(result)),
                             background=True)
            else:  # alone, it is the last work of its command: written here
                staged.write(target, partial(write_payroll, result=result,
                                             csv_format=csv_format))
        result.outputs.append(target)
    return result


def run_payroll_diff(*, month: Month | None = None, db: str | None = None) -> PayrollResult:
    """The month's payroll compared with the month before, agent by agent (writes nothing)."""
    with open_history(db, write=False, must_exist=True) as history:
        return _payroll(history, month)


def _payroll(history: History, month: Month | None,
             confirmed_through: Month | None = None) -> PayrollResult:
    """The payroll of `month` (default: the month after the latest scored one), each line
    with the reasons it differs from the month before, and the moves taking effect."""
    scheme = _stored_scheme(history)
    scored = history.scored_months()
    month = month or scored[-1] + 1
    if month < scored[0]:
        raise CslevelError(Problem(
            _("the history starts in {first}; there is nothing to pay for {month}").format(
                first=scored[0], month=month),
            hint=_("Give a month from {first} to {last}.").format(first=scored[0],
                                                                  last=scored[-1] + 1)))
    if month > scored[-1] + 1:
        raise CslevelError(Problem(
            _("no scores for {previous}: the level in force in {month} is not known yet").format(
                previous=month - 1, month=month),
            hint=_("Score {previous} first (the latest scored month is {latest}).").format(
                previous=month - 1, latest=scored[-1])))
    same = scheme.pay.figures == "same"
    if same and month not in scored:
        raise CslevelError(Problem(
            _("the template pays {month} from its own figures (pay.figures: same), and {month} "
              "is not scored yet").format(month=month),
            hint=_("Score {month} first, then export its payroll.").format(month=month)))
    through = month if same else month - 1
    # the states read: the pay month's and the month before's, with their figures' months;
    # a team lead's pay reads the team's scores of the last review window
    needed = month + (-2)
    derived = derive(history, scheme, through, _window(history, scheme), needed=needed)
    problems: list[Problem] = []
    stored = history.setting("promoted_through")
    promoted = Month.parse(stored) if stored else None
    if confirmed_through is not None and (promoted is None or confirmed_through > promoted):
        promoted = confirmed_through
    if month > scored[0] and (promoted is None or promoted < month - 1):
        problems.append(Problem(
            _("the decisions at the close of {month} have not been confirmed with "
              "`cslevel promote`; the levels paid assume them").format(month=month - 1),
            severity="warning"))
    # the scores read: the figures' months, and the latest scored month up to the month
    # before (who is paid besides the roster) even where months in between have no scores
    latest_before = max((m for m in scored if m <= month - 1), default=needed)
    all_scores = stored_scores(history, scheme, since=None if scheme.pay.team_lead is not None
                               else min(needed, latest_before))
    lines = _pay_month(history, scheme, month, derived, all_scores, scored, problems)
    before = (_pay_month(history, scheme, month - 1, derived, all_scores, scored, [],
                         explain=False) if month - 1 >= scored[0] else {})
    for agent_id, line in (lines if before else {}).items():  # nothing to compare with
        agent, states, _next = derived[agent_id]
        decision = next((s.decision for s in states if s.decision
                         and s.decision.effective == month), None)
        reasons = tuple(change_reasons(before.get(agent_id), line, decision, agent, scheme))
        lines[agent_id] = PayLine(  # (made anew: dataclasses.replace costs 5× more)
            line.agent_id, line.name, line.team, line.month, line.level, line.components,
            line.total, line.note, _("; ").join(reasons),
            before[agent_id].total if agent_id in before else None, reasons)
    gone = []
    for a, line in before.items():
        if a not in lines:
            reasons = tuple(change_reasons(line, None, None, derived[a][0], scheme))
            gone.append(PayLine(a, derived[a][0].name, derived[a][0].team, month, line.level,
                                {}, Decimal("0.00"), "", _("; ").join(reasons), line.total,
                                reasons))
    moves = sorted((s.decision for _, states, _ in derived.values() for s in states
                    if s.decision and s.decision.effective == month),
                   key=lambda d: d.agent_id)
    ordered = sorted(lines.values(), key=lambda line: (line.team, line.agent_id))
    return PayrollResult(scheme, month, ordered, problems, moves=moves,
                         agents={a: v[0] for a, v in derived.items()},
                         gone=sorted(gone, key=lambda line: (line.team, line.agent_id)),
                         previous_paid=bool(before))


def _pay_month(
    history: History, scheme: Scheme, month: Month,
    derived: dict[str, tuple[Agent, list[MonthState], str]],
    all_scores: dict[str, dict[Month, Score]], scored: list[Month], problems: list[Problem],
    explain: bool = True,
) -> dict[str, PayLine]:
    """One pay line per agent paid in `month`, by agent id (without how each was worked out
    if not `explain`: a month only compared with)."""
    figures = month if scheme.pay.figures == "same" else month - 1
    attendance = history.attendance(figures)
    if (scheme.pay.attendance_deduction is not None and not attendance
            and figures >= scored[0]):
        problems.append(Problem(
            _("no attendance stored for {figures}: nobody has an attendance deduction in "
              "{month}").format(figures=figures, month=month), severity="warning",
            hint=_("Score {figures} again with --attendance to deduct absences.").format(
                figures=figures)))
    month_scores = {a: s.get(month) for a, s in all_scores.items()}
    latest_scored = max(m for m in scored if m <= month) if scored[0] <= month else None
    latest_ids = {a for a, s in all_scores.items() if latest_scored in s}
    lines: dict[str, PayLine] = {}
    for agent_id, (agent, states, next_level) in derived.items():
        if agent.leave_date and Month.of(agent.leave_date) < month:
            continue
        if agent.hire_date and Month.of(agent.hire_date) > month:
            continue
        if agent.first_month is None:  # on the roster, not scored yet: a new hire
            if not (agent.in_roster and agent.hire_date):
                continue
            trial_end, level = opening(
                dataclasses.replace(agent, first_month=Month.of(agent.hire_date)), scheme)
            if trial_end is not None and month > trial_end:
                level = agent.start_level or scheme.entry_level
            lines[agent_id] = pay_line(PayInputs(
                agent, month, level, figures, None, attendance.get(agent_id), None), scheme,
                explain)
            continue
        if agent.first_month > month:
            continue
        if not (agent.in_roster or month_scores.get(agent_id) or agent_id in latest_ids):
            continue
        state = _state_at(states, month)
        level = state.level if state is not None else next_level
        figure_state = _state_at(states, figures)
        score = all_scores.get(agent_id, {}).get(figures)
        counted = score is not None and figure_state is not None and not figure_state.in_trial
        lead = (_lead_pay(agent, level, scheme, month, derived, all_scores)
                if agent.team_lead and scheme.pay.team_lead is not None else None)
        lines[agent_id] = pay_line(PayInputs(
            agent, month, level, figures, score.value if counted and score else None,
            attendance.get(agent_id), lead), scheme, explain)
    return lines


def _state_at(states: list[MonthState], month: Month) -> MonthState | None:
    """The agent's state in `month`, if it has one. The rules give one state per month from
    the agent's first, so it is found by position (a search if ever they did not)."""
    if not states:
        return None
    first = states[0].month
    at = month - first
    if 0 <= at < len(states) and states[at].month == month:
        return states[at]
    if states[-1].month - first == len(states) - 1:  # one per month: `month` has none
        return None
    return next((s for s in states if s.month == month), None)


def _lead_pay(
    lead: Agent, level: str, scheme: Scheme, month: Month,
    derived: dict[str, tuple[Agent, list[MonthState], str]],
    scores: dict[str, dict[Month, Score]],
) -> tuple[Decimal, str]:
    """Team-lead pay in `month`, for the last review window closed before it."""
    reviews = [m for m in month_range(month + (-12), month - 1)
               if m.month in scheme.promotion.review_months]
    if not reviews:
        return Decimal(0), ""
    window = month_range(reviews[-1] + (1 - scheme.promotion.window), reviews[-1])
    team = [a for a, (agent, _, _) in derived.items() if agent.team == lead.team]
    team_scores = [scores[a][m].value for a in team for m in window if m in scores.get(a, {})]
    lead_metrics = [scores[lead.agent_id][m].metrics for m in window
                    if m in scores.get(lead.agent_id, {})]
    return team_lead_pay(lead, level, scheme, window, team_scores, lead_metrics)


def _refuse_locked(history: History, scoring: list[Month]) -> None:
    """Scores of a locked month, or of a month before it (which would change the levels
    derived for it), are not replaced until the locked month is reopened."""
    problems = _locked(history, scoring)
    if problems:
        raise CslevelError(problems, exit_code=3)


def _locked(history: History, scoring: list[Month]) -> list[Problem]:
    """Why each of `scoring` may not be scored again (see _refuse_locked)."""
    locked = history.locks()
    problems = []
    for month in scoring:
        later = [m for m in locked if m >= month]
        if later:
            lock = later[-1]
            at, user = locked[lock]
            what = (_("{month} is locked (locked after payroll on {date} by {user})")
                    if lock == month else
                    _("{month} cannot be scored: {lock} is locked and would change (locked "
                      "after payroll on {date} by {user})"))
            problems.append(Problem(
                what.format(month=month, lock=lock, date=at[:10], user=user),
                hint=_('To change it, reopen it with a reason first: cslevel reopen {lock} '
                       '--reason "…"').format(lock=lock)))
    return problems


@dataclass
class LockResult:
    month: Month
    action: str  # "lock" or "reopen"
    at: str
    user: str
    reason: str = ""
    already: bool = False  # the month was locked before this command


def run_lock(month: Month, *, db: str | None = None) -> LockResult:
    """Lock a scored month after its payroll: re-scoring it is refused until reopened."""
    with open_history(db, write=True, must_exist=True) as history:
        scored = history.scored_months()
        if month not in scored:
            raise CslevelError(Problem(
                _("{month} has no scores to lock").format(month=month),
                hint=_("Lock a scored month ({first} to {last}): the month whose scores the "
                       "exported payroll used.").format(first=scored[0], last=scored[-1])))
        locked = history.locks()
        if month in locked:  # repeating a lock changes nothing
            return LockResult(month, "lock", *locked[month], already=True)
        at, user = history.lock(month)
        history.record_run("lock", {"month": str(month)})
    return LockResult(month, "lock", at, user)


def run_reopen(month: Month, reason: str, *, db: str | None = None) -> LockResult:
    """Reopen a locked month; the reason, the user and the time go into the audit trail."""
    reason = reason.strip()
    if not reason:
        raise CslevelError(Problem(_("a reason is needed to reopen a locked month"),
                                   hint=_('Say why, e.g. --reason "corrected attendance"')))
    with open_history(db, write=True, must_exist=True) as history:
        locked = history.locks()
        if month not in locked:
            shown = ", ".join(str(m) for m in locked) or _("none")
            raise CslevelError(Problem(
                _("{month} is not locked (locked months: {locked})").format(month=month,
                                                                            locked=shown),
                hint=_("Nothing to reopen.")))
        at, user = history.unlock(month, reason)
        history.record_run("reopen", {"month": str(month), "reason": reason})
    return LockResult(month, "reopen", at, user, reason)


# ---------------------------------------------------------------------------------------
def run_history(agent_id: str, *, db: str | None = None) -> HistoryResult:
    with open_history(db, write=False, must_exist=True) as history:
        scheme = _stored_scheme(history)
        agents = history.agents()
        if agent_id not in agents:
            known = ", ".join(sorted(agents)[:10])
            raise CslevelError(Problem(
                _("no agent {agent} in the history").format(agent=repr(agent_id)),
                hint=_("Check the id (ids are text: 0007 is not 7). Known ids include: {known}"
                       ).format(known=known)))
        latest = history.scored_months()[-1]
        agent = agents[agent_id]
        _agent, states, level_after = replay_all(
            agents, _rule_scores(history, scheme, agents), scheme, latest,
            _window(history, scheme))[agent_id]
        left = agent.leave_date is not None and Month.of(agent.leave_date) <= latest
        next_level = None if left else level_after
        promoted = history.setting("promoted_through")
        return HistoryResult(agent, scheme, states, next_level, latest,
                             Month.parse(promoted) if promoted else None)
