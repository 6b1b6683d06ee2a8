"""`cslevel run`: the whole month from one command, as a cron job or a scheduled task runs
it — find the month's workbooks in the workspace's input folder, score, promote, write the
results workbook, the sign-off list and the payroll, in one history transaction with every
output staged and renamed into place only when all of them were written.

A run is keyed by its month, the hashes of its input files and the template's hash. When the
last run of that month had the same key and its outputs are still there, byte for byte, the
run changes nothing and says so; when the inputs of a stored month changed, the month is
scored again, later decisions are derived again, and the run says what changed. Every run is
recorded: who, when, which version, inputs and outputs with their hashes, what changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config, write_template
from .i18n import N_, Labels, _, ngettext
from .records import CslevelError, Month, Problem, Source

if TYPE_CHECKING:
    from .read.prefetch import SheetPrefetch
    from .templates import Scheme

Progress = Callable[[str], None]

OUTPUT_NAMES = {"results": "results-{month}.xlsx", "moves": "moves-{month}.xlsx",
                "payroll": "payroll-{pay_month}.xlsx"}


NOT_THERE = Labels({"roster": N_("the roster named in the settings is not there"),
                    "profile": N_("the profile named in the settings is not there")})


def previous_month(today: date | None = None) -> Month:
    today = today or date.today()
    return Month(today.year, today.month) - 1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class RunResult:
    month: Month
    pay_month: Month
    status: str  # "done", "unchanged" or "dry_run"
    key: str
    inputs: list[tuple[Path, str]]
    template_hash: str
    outputs: list[tuple[Path, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    previous_run: int | None = None  # the run this one repeated, when unchanged
    moves: int = 0
    paid: int = 0
    payroll_total: Decimal | None = None
    agents: int = 0


def init_workspace(folder: Path, scheme: str = "star", language: str = "zh") -> list[Path]:
    """A workspace: `cslevel.toml` (commented) and the input and output folders."""
    from .config import CONFIG_NAME
    from .templates import load_scheme

    load_scheme(scheme)  # an unknown scheme is refused before anything is made
    target = folder / CONFIG_NAME
    if target.exists():
        raise CslevelError(Problem(
            _("{config} already exists").format(config=target), Source(str(target)),
            hint=_("Edit it, or choose another folder for a new workspace.")))
    if folder.exists() and not folder.is_dir():
        raise CslevelError(Problem(_("{folder} is a file, not a folder").format(folder=folder),
                                   Source(str(folder))))
    made: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    made.append(write_template(folder, scheme, language))
    for name in ("input", "output"):
        sub = folder / name
        if not sub.exists():
            sub.mkdir()
            made.append(sub)
    return made


def _inputs(config: Config, month: Month) -> tuple[list[Path], list[Path]]:
    kpi = config.files(config.kpi, month)
    if not kpi:
        looked = ", ".join(p.format(month=str(month), yyyymm=f"{month.year}{month.month:02d}")
                           for p in config.kpi)
        raise CslevelError(Problem(
            _("no KPI workbook for {month} in {folder}").format(
                month=month, folder=config.input_folder),
            Source(str(config.input_folder)),
            hint=_("Put the month's export there, named like {names} (the patterns are "
                   "input.kpi in {settings}), or give another --month.").format(
                names=looked, settings=config.path.name)))
    problems = [Problem(NOT_THERE[key], Source(str(path)),
                        hint=_('Put it there, or set input.{key} = "" in {settings}.').format(
                            key=key, settings=config.path.name))
                for key, path in (("roster", config.roster), ("profile", config.profile))
                if path is not None and not path.is_file()]
    if problems:
        raise CslevelError(problems)
    return kpi, config.files(config.attendance, month)


def run_month(config: Config, month: Month | None = None, *, dry_run: bool = False,
              progress: Progress = lambda _: None) -> RunResult:
    from .read.prefetch import SheetPrefetch
    from .templates import load_scheme

    month = month or previous_month()
    kpi_files, att_files = _inputs(config, month)
    progress(_("template"))
    scheme, text = load_scheme(config.scheme)
    # a worker reads the workbooks (and scores the KPI ones) while this process loads the
    # database layer, opens the history and reads the roster
    prepared = None if scheme.profile is not None else (
        scheme, month, set(range(len(kpi_files))))
    with SheetPrefetch([*kpi_files, *att_files], prepared, early=True) as ahead:
        return _run_month(config, month, kpi_files, att_files, scheme, text, ahead,
                          dry_run=dry_run, progress=progress)


def _run_month(config: Config, month: Month, kpi_files: list[Path], att_files: list[Path],
               scheme: Scheme, text: str, ahead: SheetPrefetch, *, dry_run: bool,
               progress: Progress) -> RunResult:
    from .export.safe import StagedFiles
    from .finish import protected_inputs
    from .paytable import dump
    from .pipeline import (
        Session,
        _payroll,
        _refuse_locked,
        run_payroll,
        run_promote,
        run_score,
    )
    from .store import open_history
    from .templates import template_hash

    pay_month = month + 1 if scheme.pay.figures == "previous" else month
    inputs_used = [*kpi_files, *att_files, *(p for p in (config.roster, config.profile) if p)]
    inputs = [(p, sha256(p)) for p in inputs_used]
    tmpl_hash = template_hash(text + (dump({lv.name: lv.pay for lv in scheme.levels})
                                      if scheme.pay.table else ""))
    key = hashlib.sha256(json.dumps(
        {"month": str(month), "inputs": sorted((p.name, h) for p, h in inputs),
         "template": tmpl_hash, "version": __version__}, sort_keys=True).encode()).hexdigest()
    folder = config.output_folder
    targets = {kind: folder / name.format(month=month, pay_month=pay_month)
               for kind, name in OUTPUT_NAMES.items()}
    result = RunResult(month, pay_month, "dry_run" if dry_run else "done", key, inputs,
                       tmpl_hash)
    made_folder = not dry_run and not folder.exists()
    if made_folder:
        folder.mkdir(parents=True)
    try:
        with open_history(config.database, write=not dry_run) as history:
            result.problems += history.recovered
            if not dry_run and (same := _same_run(history, month, key)) is not None:
                result.status, result.previous_run = "unchanged", same["id"]
                result.outputs = [(Path(o["file"]), o["sha256"])
                                  for o in same["details"]["outputs"]]
                result.changes = [_("same inputs as run #{run}: nothing changed").format(
                    run=same["id"])]
                history.record_run("run", _details(result, config, unchanged=True))
                return result
            if not dry_run:
                _refuse_locked(history, [month])
            before = history.month_scores(month)
            protected = protected_inputs([*kpi_files, *att_files], roster=config.roster,
                                         profile=config.profile, template=config.scheme,
                                         config=config.path)
            with StagedFiles(history, protected) as staged:
                # the results workbook is written last, by this process, while a worker
                # writes the payroll: the payroll is made before promote records the month's
                # decisions (it reads the same derived levels, and promote confirms `month`)
                session = Session(history, staged, record=False, write_later=True)
                score = run_score(
                    kpi_files, None, month=month, attendance_files=att_files,
                    roster_file=config.roster, profile_file=config.profile,
                    out=targets["results"], dry_run=dry_run, progress=progress,
                    session=session, scheme_text=(scheme, text), ahead=ahead)
                result.problems += score.problems
                progress(_("payroll"))
                if dry_run:
                    payroll = _payroll(history, pay_month, confirmed_through=month)
                else:
                    payroll = run_payroll(month=pay_month, out=targets["payroll"],
                                          session=session, confirmed_through=month)
                progress(_("promote"))
                promote = run_promote(as_of=month, out=None if dry_run else targets["moves"],
                                      dry_run=dry_run, session=session)
                result.problems += promote.problems
                result.moves = len(promote.moves)
                result.problems += [p for p in payroll.problems if p not in result.problems]
                result.paid = len(payroll.lines)
                result.payroll_total = sum((ln.total for ln in payroll.lines), Decimal("0.00"))
                after = history.month_scores(month)
                result.agents = len(after)
                result.changes = _changes(month, before, after, history.scored_months())
                if not dry_run:
                    progress(_("writing"))
                    result.outputs = [(target, staged.digest(tmp))
                                      for tmp, target in staged.files()]
                    history.record_run("run", _details(result, config))
    except BaseException as exc:
        # (not once the month is saved: the folder then holds, or will hold, its files)
        if made_folder and not getattr(exc, "saved", False):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return result


def _same_run(history: Any, month: Month, key: str) -> dict[str, Any] | None:
    """The latest run of `month` if it had this key and its outputs are unchanged on disk."""
    for run in history.runs():
        details = run["details"]
        if run["command"] != "run" or details.get("month") != str(month):
            continue
        if details.get("key") != key or details.get("dry_run"):
            return None
        for output in details.get("outputs", []):
            path = Path(output["file"])
            if not path.is_file() or sha256(path) != output["sha256"]:
                return None
        return run
    return None


def _changes(month: Month, before: dict[str, Decimal], after: dict[str, Decimal],
             scored: list[Month]) -> list[str]:
    if not before:
        return [ngettext("{month} scored for the first time: {count} agent",
                         "{month} scored for the first time: {count} agents",
                         len(after)).format(month=month, count=len(after))]
    lines = []
    changed = sorted(a for a in after if a in before and before[a] != after[a])
    added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    for agent in changed[:50]:
        lines.append(_("{agent} score changed: {before} → {after}").format(
            agent=agent, before=before[agent], after=after[agent]))
    if len(changed) > 50:
        lines.append(_("and {count} more").format(count=len(changed) - 50))
    if added:
        lines.append(ngettext("{count} agent added: {agents}", "{count} agents added: {agents}",
                              len(added)).format(count=len(added),
                                                 agents=", ".join(added[:20])))
    if removed:
        lines.append(ngettext("{count} agent removed: {agents}",
                              "{count} agents removed: {agents}",
                              len(removed)).format(count=len(removed),
                                                   agents=", ".join(removed[:20])))
    if not lines:
        lines.append(_("{month} scored again: no score changed").format(month=month))
    elif scored and scored[-1] > month:
        if scored[-1] == month + 1:
            lines.append(_("decisions of the later months through {last} were derived again"
                           ).format(last=scored[-1]))
        else:
            lines.append(_("decisions of the later months from {first} through {last} were "
                           "derived again").format(first=month + 1, last=scored[-1]))
    return lines


def _details(result: RunResult, config: Config, unchanged: bool = False) -> dict[str, Any]:
    return {
        "month": str(result.month), "pay_month": str(result.pay_month), "key": result.key,
        "config": str(config.path), "template_hash": result.template_hash,
        "inputs": [{"file": str(p), "sha256": h} for p, h in result.inputs],
        "outputs": [{"file": str(p), "sha256": h} for p, h in result.outputs],
        "changes": result.changes, "unchanged": unchanged, "previous_run": result.previous_run,
        "dry_run": result.status == "dry_run",
    }
