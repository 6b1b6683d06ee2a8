"""The order of the stages, and the only place it is written (as beancount's loader does):
one short function per command, naming its stages in order.

score:     read the roster and profiles -> per workbook: read, check, score, store (intake)
           -> record the months and agents -> derive -> [a KPI 岗位 weighted for another
           post than the one held? refused (posts)] -> the months' rows -> record the run
           -> write the results workbooks
promote:   load the template -> derive -> close the month (decisions, levels, flags)
           -> record the decisions -> write the sign-off list
payroll:   load the template -> derive -> pay the month -> [a paid month? refused]
           -> carry the corrections of paid months -> record -> write the payroll
corrections: the paid months scored again -> pay each anew -> due minus paid
run_month: find the month's workbooks -> read them ahead (a worker) -> [same inputs as the
           last run? done] -> refuse a locked month -> score -> payroll (not written again
           when paid) -> promote
           -> what changed -> record the run; all in one transaction, every output staged
run_range: look at the input folder once -> for each month in order: its workbooks? else
           skipped -> run_month (its own finish) -> the first that fails stops the rest
history:   load the template -> derive one agent (its adjustments beside its months)
report:    load the stored template -> derive -> each month's payroll lines -> levels, moves,
           pay and score spreads (pipeline/report.py) -> record -> write the .html or .xlsx
lock:      lock the month -> record the payroll it is paid from as paid, with the
           corrections it carries (settled)
simulate:  load the other template -> load the stored one -> match the ladders by name
           -> replay both -> pay each month both ways -> compare (the history only read)
           -> write the what-if workbook
adjust:    check the agent, month, value and reason -> refuse a locked month -> derive
           -> record the adjustment (or its undo) -> derive again -> what changed
           -> the decisions already confirmed, recorded again (pipeline/adjust.py)

Every command that derives sees the adjustments in force: `derive` takes them from the
history unless given others.

Each function returns a record of cslevel.outcomes; nothing here prints or exits. Problems
that stop a command are raised as CslevelError; everything a command stores is in one
transaction and its files are staged, so a command that stops leaves the history and the
output folder as they were (cslevel.finish).

The stages' modules (and the database layer they load) are imported inside the functions:
`cslevel run` starts its reader worker before it loads them (cslevel.parallel).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .. import finish
from ..i18n import _
from ..records import CslevelError, Month, Problem
from .session import Progress, Session, quiet

if TYPE_CHECKING:
    from ..config import Config
    from ..outcomes import (
        AdjustmentsResult,
        AdjustResult,
        CorrectionsResult,
        HistoryResult,
        LockResult,
        MonthsResult,
        PayrollResult,
        PromoteResult,
        ReportResult,
        RunResult,
        ScoreResult,
        SignoffImportResult,
        SimulateResult,
        StatusResult,
    )
    from ..parallel import Reader
    from ..store import History
    from ..templates import Scheme
    from .inputs import InputFolder

__all__ = ["Session", "adjust_level", "adjust_score", "adjustments", "history", "lock",
           "manager_report", "new_template", "payroll", "payroll_corrections", "payroll_diff",
           "promote", "recorded_runs", "reopen", "run_month", "run_range", "score",
           "shipped_schemes", "simulate", "undo_adjustment"]


def score(
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
    progress: Progress = quiet,
    session: Session | None = None,
    scheme_text: tuple[Scheme, str] | None = None,
    reading: Reader | None = None,
) -> ScoreResult:
    """Read, check, score and store the workbooks, and write each month's results workbook.
    `reading`: the workbooks already being read by a worker the caller started early
    (`cslevel run`); `session`: the caller's transaction and staged files."""
    from ..outcomes import ScoreResult
    from ..parallel import Reader
    from ..templates import template_hash
    from . import intake, retro, rows
    from . import session as sessions
    from .derive import derive, rederive_recorded, window_of
    from .posts import post_problems
    from .session import raise_errors, record, refuse_early, transaction

    protected = finish.protected_inputs(
        [*files, *(attendance_files or [])], roster=roster_file, profile=profile_file,
        template=scheme_name)
    if session is None:
        refuse_early(out, db, protected)
    scheme, text = scheme_text or intake.scheme_for_scoring(scheme_name, db)
    problems: list[Problem] = []
    roster, profiles = intake.read_people(scheme, roster_file, profile_file, problems, progress)
    attendance_files = attendance_files or []
    result = ScoreResult(scheme, [], problems)
    with transaction(db, session, write=not dry_run) as history:
        problems += history.recovered
        intake.check_template(history, scheme, text, problems)
        # a worker may read and score the KPI workbooks (not with profiles: the points
        # scheme's hard items are added here)
        # (nor with the attendance metric taken from the attendance workbooks: read first)
        reading = reading or Reader([*files, *attendance_files], None if (
            profiles is not None or attendance_files and scheme.score.attendance_metric)
            else (scheme, month, set(range(len(files)))))
        taken = intake.take_workbooks(history, scheme, files, attendance_files, month,
                                      profiles, reading, problems, progress, roster)
        if (session is not None and session.write_later and not dry_run
                and taken.largest >= sessions.BACKGROUND_ROWS):
            session.staged.start_workers()  # a worker will write the payroll
        scored = intake.check_taken(taken, files, problems)
        targets, new_folder = intake.result_paths(out, scored)
        # (a roster naming an agent 优秀员工 in an earlier month: the reviews from then on are
        # derived again, as if that month had been scored again)
        named = intake.record_months(history, scheme, taken, scored, roster, problems)
        first = min(scored[0], named) if named else scored[0]
        problems += retro.rescored(history, sorted({*scored, *([named] if named else [])}))
        derived = derive(history, scheme, history.scored_months()[-1],
                         window_of(history, scheme), needed=first)
        # (the KPI's 岗位 against the post held: a score weighted for another post is refused)
        problems += post_problems(scheme, derived, taken.posts)
        raise_errors(problems)
        taken.posts.clear()
        result.rederived_through = rederive_recorded(history, derived, first, problems)
        result.months = rows.month_results(history, scheme, derived, scored, taken)
        record(history, session, "score", {
            "files": [str(p) for p in files], "months": [str(m) for m in scored],
            "template_hash": template_hash(text), "dry_run": dry_run,
            **({"roster_from": str(named)} if named else {})})
        if session is None and not dry_run:  # files a workspace's runs wrote, now stale
            from .workspace import stale_warnings

            problems += stale_warnings(history)
        if not dry_run:
            result.outputs = rows.write_results(history, scheme, result.months, targets,
                                                new_folder, problems, protected, session,
                                                progress)
    return result


def promote(
    *,
    months: int | None = None,
    as_of: Month | None = None,
    db: str | None = None,
    out: Path | None = None,
    dry_run: bool = False,
    session: Session | None = None,
) -> PromoteResult:
    """Apply the rules at the close of `as_of` (default: the latest scored month); record the
    decisions; write the moves and the sign-off list to `out`."""
    from ..export.decisions import write_promotions
    from .derive import close_month, stored_scheme
    from .session import record, refuse_early, staging, transaction

    if session is None:
        refuse_early(out, db, [])
    with transaction(db, session, write=not dry_run, must_exist=True) as history:
        scheme = stored_scheme(history)
        result = close_month(history, scheme, as_of, months)
        result.problems += history.recovered
        record(history, session, "promote", {"as_of": str(result.as_of),
                                             "window": result.window,
                                             "moves": len(result.moves), "dry_run": dry_run})
        if out is not None and not dry_run:
            with staging(session, history) as staged:
                staged.write(out, partial(write_promotions, result=result))
            result.outputs.append(out)
    return result


def payroll(
    *,
    month: Month | None = None,
    db: str | None = None,
    out: Path | None = None,
    session: Session | None = None,
    confirmed_through: Month | None = None,
    pay_inputs: Path | None = None,
) -> PayrollResult:
    """The payroll of `month`, written to `out`. `confirmed_through`: the month that a
    `promote` later in the same transaction confirms (`cslevel run`), so its decisions are
    not reported as unconfirmed. `pay_inputs`: the month's pay-inputs workbook (overtime,
    六险一金, benefits, one-off amounts), checked and stored for the month first."""
    from ..export.payroll import check_payroll_path
    from . import retro
    from .derive import stored_scheme
    from .pay import (
        pay_month_asked,
        payroll_of,
        refuse_unpaid_inputs,
        take_pay_inputs,
        write_payroll_file,
    )
    from .session import record, refuse_early, transaction

    if session is None:
        refuse_early(out, db, [(pay_inputs, "input")] if pay_inputs else [])
    target = out or Path(f"payroll-{month or 'next'}.xlsx")
    check_payroll_path(target)
    with transaction(db, session, write=True, must_exist=True) as history:
        entered: list[Problem] = []
        asked = pay_month_asked(history, month)
        if pay_inputs is not None and asked is not None:
            entered = take_pay_inputs(history, stored_scheme(history), asked, pay_inputs)
        result = payroll_of(history, month, confirmed_through)
        retro.refuse_paid(history, result.month)
        refuse_unpaid_inputs(history, result)
        corrections, problems, _examined = retro.carried(history, result.month)
        retro.carry(result, corrections)
        result.problems[:0] = [*history.recovered, *entered, *problems]
        if out is None:
            target = Path(f"payroll-{result.month}.xlsx")
        details: dict[str, object] = {"month": str(result.month), "lines": len(result.lines)}
        if corrections:
            details["corrections"] = len(corrections)
        if pay_inputs is not None:
            details["pay_inputs"] = pay_inputs.name
        record(history, session, "payroll export", details)
        write_payroll_file(history, result, target, session)
    return result


def payroll_diff(*, month: Month | None = None, db: str | None = None) -> PayrollResult:
    """The month's payroll compared with the month before, agent by agent (writes nothing)."""
    from ..store import open_history
    from .pay import payroll_of

    with open_history(db, write=False, must_exist=True) as history:
        return payroll_of(history, month)


def payroll_corrections(*, db: str | None = None) -> CorrectionsResult:
    """What paid pay months owe now (补发/扣回), not yet carried by a paid payroll (writes
    nothing)."""
    from ..outcomes import CorrectionsResult
    from ..store import open_history
    from .retro import pending

    with open_history(db, write=False, must_exist=True) as stored:
        rows, problems, _examined = pending(stored)
        return CorrectionsResult(rows, [*stored.recovered, *problems])


def manager_report(*, first: Month | None = None, last: Month | None = None,
                   team: str | None = None, db: str | None = None,
                   out: Path | None = None) -> ReportResult:
    """The manager's report over the scored months `first`..`last` (default: all), for one
    `team` or the whole centre, written to `out` (.html or .xlsx; default report.html)."""
    from ..export.report_html import write_report_html
    from ..export.report_xlsx import write_report_xlsx
    from .report import report_of
    from .session import record, refuse_early, staging, transaction

    target = out or Path("report.html")
    writers = {".html": write_report_html, ".htm": write_report_html,
               ".xlsx": write_report_xlsx}
    writer = writers.get(target.suffix.lower())
    if writer is None:
        raise CslevelError(Problem(
            _("cannot write the report as {suffix}").format(
                suffix=target.suffix or _("a file without suffix")),
            hint=_("Use --out report.html or --out report.xlsx.")), exit_code=2)
    refuse_early(target, db, [])
    with transaction(db, None, write=True, must_exist=True) as history:
        result = report_of(history, first, last, team)
        result.problems += history.recovered
        record(history, None, "report", {"from": str(result.first), "to": str(result.last),
                                         "team": team, "out": str(target)})
        with staging(None, history) as staged:
            staged.write(target, partial(writer, result=result))
        result.outputs.append(target)
    return result


def history(agent_id: str, *, db: str | None = None) -> HistoryResult:
    """One agent's months: score, level in force, decision and reason (writes nothing)."""
    from ..store import open_history
    from .derive import agent_history

    with open_history(db, write=False, must_exist=True) as stored:
        return agent_history(stored, agent_id)


def simulate(scheme_name: str, *, first: Month | None = None, last: Month | None = None,
             db: str | None = None, out: Path | None = None) -> SimulateResult:
    """The history replayed under another template (a name or a .yaml): per pay month, the
    agents whose level in force would differ, the moves gained and lost, the payroll's cost
    both ways; written to `out` (.xlsx) if given. The history is opened as `history` opens
    it and never written to."""
    from ..export.safe import StagedFiles, check_writable
    from ..export.simulate import write_simulation
    from ..store import open_history
    from ..templates import load_scheme
    from .derive import stored_scheme
    from .session import refuse_early
    from .whatif import simulate as replay_both

    protected = finish.protected_inputs(template=scheme_name)
    if out is not None:
        if out.suffix.lower() != ".xlsx":
            raise CslevelError(Problem(
                _("the what-if workbook must be an .xlsx file, not {name}").format(
                    name=out.name), hint=_("Give --out a name ending in .xlsx.")), exit_code=2)
        refuse_early(out, db, protected)
        check_writable(out)  # (before the replays, not after them)
    new, _text = load_scheme(scheme_name)
    with open_history(db, write=False, must_exist=True) as stored:
        result = replay_both(stored, stored_scheme(stored), new, scheme_name, first, last)
        result.problems[:0] = stored.recovered
    if out is not None:
        with StagedFiles(None, protected) as staged:
            staged.write(out, partial(write_simulation, result=result))
        result.outputs.append(out)
    return result


def adjust_score(agent_id: str, month: Month, score: str, reason: str, *,
                 by: str | None = None, db: str | None = None) -> AdjustResult:
    """Set the score the rules use for an agent's month (the imported one stays stored)."""
    from . import adjust

    return adjust.add(agent_id, "score", month, score, reason, by=by, db=db)


def adjust_level(agent_id: str, month: Month, level: str, reason: str, *,
                 by: str | None = None, db: str | None = None) -> AdjustResult:
    """Set the level in force from `month` (a placement): the streaks start again there."""
    from . import adjust

    return adjust.add(agent_id, "level", month, level, reason, by=by, db=db)


def undo_adjustment(adjustment_id: int, reason: str, *, by: str | None = None,
                    db: str | None = None) -> AdjustResult:
    """Undo an adjustment, with a reason (its row and the reason stay in the history)."""
    from . import adjust

    return adjust.undo(adjustment_id, reason, by=by, db=db)


def adjustments(agent_id: str | None = None, *, db: str | None = None) -> AdjustmentsResult:
    """The adjustments in force (of one agent, if given; writes nothing)."""
    from . import adjust

    return adjust.listed(agent_id, db=db)


def lock(month: Month, *, db: str | None = None) -> LockResult:
    """Lock a scored month after its payroll: re-scoring it is refused until reopened."""
    from . import locks

    return locks.lock(month, db=db)


def reopen(month: Month, reason: str, *, db: str | None = None) -> LockResult:
    """Reopen a locked month; the reason, the user and the time go into the audit trail."""
    from . import locks

    return locks.reopen(month, reason, db=db)


def signoff_import(file: Path, *, db: str | None = None,
                   by: str | None = None) -> SignoffImportResult:
    """A signed sign-off list read back: approved moves confirmed, refused ones kept."""
    from . import signoff

    return signoff.import_signoff(file, db=db, by=by)


def run_month(config: Config, month: Month | None = None, *, dry_run: bool = False,
              progress: Progress = quiet, inputs: InputFolder | None = None,
              earlier: bool = True, pay_inputs: Path | None = None) -> RunResult:
    """The whole month from one command (`cslevel run`). `inputs`: the input folder as
    looked at already (a run of several months); `earlier`: warn of earlier months in it
    that were never run; `pay_inputs`: the pay-inputs workbook for the payroll the run
    writes (default: the input folder's file matching input.pay_inputs, if any)."""
    from ..parallel import Reader
    from ..templates import load_scheme
    from . import workspace
    from .inputs import InputFolder, month_inputs, month_pay_inputs

    month = month or workspace.previous_month()
    progress(_("template"))
    scheme, text = load_scheme(config.scheme)
    inputs = inputs or InputFolder(config, scheme)
    kpi_files, att_files = month_inputs(config, month, inputs)
    pay_inputs = pay_inputs or month_pay_inputs(config, month, inputs)
    # a worker reads the workbooks (and scores the KPI ones) while this process loads the
    # database layer, opens the history and reads the roster
    scored_there = None if scheme.profile is not None or (
        att_files and scheme.score.attendance_metric) else (
        scheme, month, set(range(len(kpi_files))))
    with Reader([*kpi_files, *att_files], scored_there, early=True) as reading:
        return _month(config, month, kpi_files, att_files, scheme, text, reading,
                      dry_run=dry_run, progress=progress, inputs=inputs, earlier=earlier,
                      pay_inputs=pay_inputs)


def run_range(config: Config, first: Month, last: Month | None = None, *,
              progress: Progress = quiet) -> MonthsResult:
    """Months `first`..`last` (default: the month `cslevel run` runs) from one command
    (`cslevel run --from`): each month with a KPI workbook in the input folder, in order,
    through `run_month` (its own all-or-nothing finish); a month without one is skipped; the
    first month that fails stops the rest."""
    from ..outcomes import MonthRun, MonthsResult
    from ..templates import load_scheme
    from . import workspace
    from .inputs import InputFolder

    last = last or workspace.previous_month()
    if first > last:
        raise CslevelError(Problem(_("--from {first} is after --to {last}").format(
            first=first, last=last), hint=_("Give the earlier month to --from.")), exit_code=2)
    progress(_("template"))
    scheme, _text = load_scheme(config.scheme)
    inputs = InputFolder(config, scheme)
    result = MonthsResult(first, last)
    count = last - first + 1
    for index in range(count):
        month = first + index
        found = inputs.month_files(month)
        if not found.kpi and not found.several:
            result.months.append(MonthRun(month, "skipped", reason=_(
                "no KPI workbook for {month} in {folder}").format(
                month=month, folder=config.input_folder.name)))
            continue

        def step(message: str, month: Month = month, index: int = index) -> None:
            progress(f"{month} ({index + 1}/{count}) · {message}")

        try:
            # (the months before `first` that no run took in: said once, by the first)
            run = run_month(config, month, progress=step, inputs=inputs,
                            earlier=not result.landed())
        except CslevelError as exc:
            result.months.append(MonthRun(month, "failed", problems=exc.problems))
            result.exit_code = exc.exit_code
            result.months += [MonthRun(first + i, "not_run")
                              for i in range(index + 1, count)]
            break
        result.months.append(MonthRun(month, run.status, run))
    return result


def _month(config: Config, month: Month, kpi_files: list[Path], att_files: list[Path],
           scheme: Scheme, text: str, reading: Reader, *, dry_run: bool,
           progress: Progress, inputs: InputFolder, earlier: bool,
           pay_inputs: Path | None = None) -> RunResult:
    from ..export.safe import StagedFiles
    from ..parallel import WritePool
    from ..store import open_history
    from . import retro, workspace
    from .derive import corrections_of
    from .locks import refuse_locked
    from .pay import payroll_of, take_pay_inputs

    result = workspace.run_key(config, month, kpi_files, att_files, scheme, text,
                               [pay_inputs] if pay_inputs else [])
    if dry_run:
        result.status = "dry_run"
    targets = workspace.targets(config, result)
    folder = config.output_folder
    made_folder = not dry_run and not folder.exists()
    if made_folder:
        folder.mkdir(parents=True)
    try:
        with open_history(config.database, write=not dry_run) as stored:
            result.problems += stored.recovered
            if earlier:
                result.problems += workspace.earlier_months(stored, inputs, month)
            # (a run of the same inputs under other adjustments is not the same run)
            result.adjustments = corrections_of(stored).key
            if not dry_run and (same := workspace.same_run(stored, month, result.key,
                                                           result.adjustments)):
                result.status, result.previous_run = "unchanged", same["id"]
                result.outputs = [(Path(o["file"]), o["sha256"])
                                  for o in same["details"]["outputs"]]
                result.changes = [_("same inputs as run #{run}: nothing changed").format(
                    run=same["id"])]
                stored.record_run("run", workspace.details(result, config, unchanged=True))
                return result
            if not dry_run:
                refuse_locked(stored, [month])
            before = stored.month_scores(month)
            protected = finish.protected_inputs(
                [*kpi_files, *att_files, *([pay_inputs] if pay_inputs else [])], roster=config.roster, profile=config.profile,
                template=config.scheme, config=config.path)
            with StagedFiles(stored, protected, WritePool()) as staged:
                # the results workbook is written last, by this process, while a worker
                # writes the payroll: the payroll is made before promote records the month's
                # decisions (it reads the same derived levels, and promote confirms `month`)
                session = Session(stored, staged, record=False, write_later=True)
                scoring = score(kpi_files, None, month=month, attendance_files=att_files,
                                roster_file=config.roster, profile_file=config.profile,
                                out=targets["results"], dry_run=dry_run, progress=progress,
                                session=session, scheme_text=(scheme, text), reading=reading)
                result.problems += scoring.problems
                progress(_("payroll"))
                # a paid pay month's payroll is not written again: the run writes the
                # month's other files and says so
                already = retro.paid_payroll(stored, result.pay_month)
                if pay_inputs is not None and (dry_run or already is not None):
                    # (checked all the same: a dry run says what is wrong; a paid month refuses)
                    result.problems += take_pay_inputs(stored, scheme, result.pay_month,
                                                       pay_inputs)
                if dry_run or already is not None:
                    paid = payroll_of(stored, result.pay_month, confirmed_through=month)
                    carried, warned, _examined = retro.carried(stored, paid.month)
                    retro.carry(paid, carried)
                    paid.problems += warned
                    if already is not None:
                        paid.problems.append(retro.not_written_again(already, "warning"))
                else:
                    paid = payroll(month=result.pay_month, out=targets["payroll"],
                                   session=session, confirmed_through=month,
                                   pay_inputs=pay_inputs)
                progress(_("promote"))
                promoted = promote(as_of=month, out=None if dry_run else targets["moves"],
                                   dry_run=dry_run, session=session)
                result.problems += promoted.problems
                result.moves = len(promoted.moves)
                result.problems += [p for p in paid.problems if p not in result.problems]
                result.paid = len(paid.lines)
                result.payroll_total = sum((ln.total for ln in paid.lines), Decimal("0.00"))
                after = stored.month_scores(month)
                result.agents = len(after)
                result.changes = workspace.changes(month, before, after, stored.scored_months())
                later = [] if dry_run else _later_months(config, month, stored, session, scheme,
                                                         text, result, progress, inputs)
                if not dry_run:
                    progress(_("writing"))
                    written = {target: staged.digest(tmp) for tmp, target in staged.files()}
                    mine = set(workspace.targets(config, result).values())
                    result.outputs = [(t, d) for t, d in written.items() if t in mine]
                    stored.record_run("run", workspace.details(result, config))
                    for run in later:  # recorded after this month's: their latest runs
                        run.outputs = [(t, written[t]) for t in
                                       workspace.targets(config, run).values() if t in written]
                        result.rewritten += [t for t, d in run.outputs
                                             if not t.is_file() or finish.digest(t) != d]
                        stored.record_run("run", workspace.details(run, config))
    except BaseException as exc:
        # (not once the month is saved: the folder then holds, or will hold, its files)
        if made_folder and not getattr(exc, "saved", False):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return result


def _later_months(config: Config, month: Month, stored: History, session: Session,
                  scheme: Scheme, text: str, result: RunResult,
                  progress: Progress, inputs: InputFolder) -> list[RunResult]:
    """Every later month whose outputs a run wrote (not locked), made again in the same
    session from its inputs and the history as it now is — scored, paid, promoted — so that
    the finish puts the ones that changed in place with this month's. A month whose inputs
    are gone is left, with a warning."""
    from ..parallel import Reader
    from . import workspace
    from .inputs import month_inputs

    runs = []
    for later in workspace.later_run_months(stored, month):
        try:
            kpi_files, att_files = month_inputs(config, later, inputs)
        except CslevelError:
            result.problems.append(Problem(
                _("the outputs of {later} may be out of date, and its workbooks are no longer in "
                  "{folder} to make them again").format(later=later,
                                                        folder=config.input_folder),
                severity="warning", hint=_("Put them back and run {later} again: cslevel run "
                                           "--month {later}").format(later=later)))
            continue
        progress(_("later month {month}").format(month=later))
        run = workspace.run_key(config, later, kpi_files, att_files, scheme, text)
        run.adjustments = result.adjustments
        run.changes = [_("made again after {month} changed").format(month=month)]
        targets = workspace.targets(config, run)
        with Reader([*kpi_files, *att_files]) as reading:
            score(kpi_files, None, month=later, attendance_files=att_files,
                  roster_file=config.roster, profile_file=config.profile,
                  out=targets["results"], session=session, scheme_text=(scheme, text),
                  reading=reading)
        payroll(month=run.pay_month, out=targets["payroll"], session=session,
                confirmed_through=later)
        promote(as_of=later, out=targets["moves"], session=session)
        runs.append(run)
    return runs


def status(db: str | None) -> StatusResult:
    """What waits: months whose files no longer show what the history says, moves not yet
    signed off, and what paid months owe (writes nothing)."""
    from ..outcomes import StatusResult
    from ..store import open_history
    from . import workspace
    from .retro import pending

    with open_history(db, write=False, must_exist=True) as stored:
        owed, _problems, _examined = pending(stored)
        return StatusResult(workspace.stale_months(stored), workspace.pending_signoff(stored),
                            owed)


def recorded_runs(db: str | None, limit: int | None = None) -> list[dict[str, object]]:
    """The commands recorded in the history, newest first (writes nothing)."""
    from ..store import open_history

    with open_history(db, write=False, must_exist=True) as stored:
        return stored.runs(limit)


def shipped_schemes() -> list[tuple[str, Scheme]]:
    """Every shipped template, by name, loaded (and so checked)."""
    from ..templates import load_scheme, shipped_template_names

    return [(name, load_scheme(name)[0]) for name in shipped_template_names()]


def new_template(name: str, base: str, folder: Path) -> Path:
    """A copy of the shipped template `base` as folder/NAME.yaml (scheme id NAME), valid as
    written, for a clerk to edit."""
    import re

    from ..export.safe import StagedFiles
    from ..templates import load_scheme, parse_scheme

    target = folder / f"{name}.yaml"
    if target.exists():
        raise CslevelError(Problem(_("{path} already exists").format(path=target),
                                   hint=_("Choose another name or delete the old file.")))
    _scheme, text = load_scheme(base)
    text, _count = re.subn(r"^scheme:\s*\S+", f"scheme: {name}", text, count=1,
                           flags=re.MULTILINE)
    parse_scheme(text, str(target))  # the copy must be valid as written
    with StagedFiles() as staged:
        staged.write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return target
