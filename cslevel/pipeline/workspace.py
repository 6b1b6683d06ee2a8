"""A workspace (`cslevel init`, `cslevel run`): the settings file and the input and output
folders (which workbooks are the month's is `pipeline/inputs.py`'s); the key of a run (its
month, the hashes of its inputs and of the template) and whether the last run of the month had it, with its outputs
unchanged on disk; what a run changed, and what is recorded of it in `cslevel runs`.

The order of the month's stages is `cslevel.pipeline.run_month`'s."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import Config, write_template
from ..finish import digest
from ..i18n import _, ngettext
from ..outcomes import RunResult, StaleMonth
from ..records import CslevelError, Decision, Month, Problem, Source

if TYPE_CHECKING:
    from ..templates import Scheme
    from .inputs import InputFolder

OUTPUT_NAMES = {"results": "results-{month}.xlsx", "moves": "moves-{month}.xlsx",
                "payroll": "payroll-{pay_month}.xlsx"}


def previous_month(today: date | None = None) -> Month:
    today = today or date.today()
    return Month(today.year, today.month) - 1


def init_workspace(folder: Path, scheme: str = "star", language: str = "zh") -> list[Path]:
    """A workspace: `cslevel.toml` (commented) and the input and output folders."""
    from ..config import CONFIG_NAME
    from ..templates import load_scheme

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


def same_run(history: Any, month: Month, key: str,
             adjustments: str = "") -> dict[str, Any] | None:
    """The latest run of `month` if it had this key and the same adjustments in force (their
    `Corrections.key`), nothing recorded since has changed what its outputs are made of
    (`changes_month`), and its outputs are unchanged on disk."""
    run, why = last_run(history.runs(), month)
    if (run is None or why is not None or run["details"].get("key") != key
            or run["details"].get("adjustments", "") != adjustments):
        return None
    return run if not stale_outputs(run) else None


def last_run(runs: list[dict[str, Any]], month: Month
             ) -> tuple[dict[str, Any] | None, str | None]:
    """Of the recorded commands `runs` (newest first: `History.runs`), the latest run of
    `month` (not a dry run), and why its outputs may no longer be what the history now makes
    of that month: the newest command recorded since that changed it (`changes_month`), or
    None."""
    why = None
    for run in runs:
        details = run["details"]
        if run["command"] == "run" and details.get("month") == str(month):
            return (None, None) if details.get("dry_run") else (run, why)
        if why is None and changes_month(run, month):
            why = _("{command} on {at}").format(command=run["command"],
                                                at=run["started_at"][:16])
    return None, None


def changes_month(run: dict[str, Any], month: Month) -> bool:
    """Whether the recorded command `run` changed what `month`'s outputs are made of: scores
    of that month or an earlier one, an adjustment, a signed sign-off list that changed a
    level, an earlier lock that settled corrections (the later payrolls carried them)."""
    command, details = run["command"], run["details"]
    if details.get("dry_run"):
        return False
    if command == "score":  # (roster_from: a roster named 优秀员工 in an earlier month)
        return any(Month.parse(m) <= month for m in [*details.get("months", []),
                                                     *filter(None, [details.get("roster_from")])])
    if command == "run":  # another month's run: earlier months change the later ones'
        return (details.get("month") is not None and not details.get("unchanged")
                and Month.parse(details["month"]) < month)
    if command.startswith("signoff"):
        return bool(details.get("changed", True))
    if command == "lock":  # corrections settled: later payrolls no longer carry them
        return bool(details.get("settled")) and Month.parse(details["month"]) < month
    return command.startswith("adjust")


def stale_outputs(run: dict[str, Any]) -> list[Path]:
    """The outputs of a recorded run that are missing or changed on disk."""
    return [Path(o["file"]) for o in run["details"].get("outputs", [])
            if not Path(o["file"]).is_file() or digest(Path(o["file"])) != o["sha256"]]


def run_months(runs: list[dict[str, Any]]) -> list[Month]:
    """The months a run wrote the outputs of (not a dry run), in order."""
    return sorted({Month.parse(r["details"]["month"]) for r in runs
                   if r["command"] == "run" and not r["details"].get("dry_run")
                   and r["details"].get("month")})


def later_run_months(history: Any, month: Month) -> list[Month]:
    """The months after `month` that a run wrote the outputs of, without the locked ones
    (their files stay as they were paid)."""
    locked = history.locks()
    return [m for m in run_months(history.runs()) if m > month and m not in locked]


def earlier_months(history: Any, folder: InputFolder, month: Month) -> list[Problem]:
    """A warning when the input folder holds KPI workbooks of months before `month` that no
    run took in (a new workspace given its past months), with the command that does."""
    ran = set(run_months(history.runs()))
    waiting = [m for m in folder.months_with_kpi(month) if m not in ran]
    if not waiting:
        return []
    command = f"cslevel run --from {waiting[0]}"
    if month != previous_month():
        command += f" --to {month}"
    return [Problem(
        _("{folder} holds workbooks of earlier months that no run took in: {months}").format(
            folder=folder.config.input_folder.name, months=", ".join(str(m) for m in waiting)),
        Source(str(folder.config.input_folder)), "warning",
        _("Take them in, in order, each month on its own: {command}").format(command=command))]


def _month_runs(history: Any) -> list[tuple[Month, dict[str, Any], str | None, bool]]:
    """Each month a run wrote files for: (the month, its latest run, why its files may no
    longer show what the history says — `last_run` — and whether the month is locked); the
    recorded commands read once."""
    locked, runs = history.locks(), history.runs()
    out = []
    for month in run_months(runs):
        run, why = last_run(runs, month)
        if run is not None:
            out.append((month, run, why, month in locked))
    return out


def _files(run: dict[str, Any]) -> list[Path]:
    return [Path(o["file"]) for o in run["details"].get("outputs", [])]


def changes(month: Month, before: dict[str, Decimal], after: dict[str, Decimal],
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


def details(result: RunResult, config: Config, unchanged: bool = False) -> dict[str, Any]:
    return {
        "month": str(result.month), "pay_month": str(result.pay_month), "key": result.key,
        "config": str(config.path), "template_hash": result.template_hash,
        "inputs": [{"file": str(p), "sha256": h} for p, h in result.inputs],
        "outputs": [{"file": str(p), "sha256": h} for p, h in result.outputs],
        "changes": result.changes, "unchanged": unchanged, "previous_run": result.previous_run,
        "dry_run": result.status == "dry_run",
        # the adjustments in force, when there are any (a run before adjustments had none)
        **({"adjustments": result.adjustments} if result.adjustments else {}),
    }


def run_key(config: Config, month: Month, kpi_files: list[Path], att_files: list[Path],
            scheme: Scheme, text: str, pay_inputs: list[Path] | None = None) -> RunResult:
    """A new run's record: its month, the month it pays, its inputs (the pay-inputs workbook
    among them) with their hashes, the template's hash and the key made of them."""
    from ..paytable import dump
    from ..templates import template_hash

    pay_month = month + 1 if scheme.pay.figures == "previous" else month
    inputs_used = [*kpi_files, *att_files, *(pay_inputs or []),
                   *(p for p in (config.roster, config.profile) if p)]
    inputs = [(p, digest(p)) for p in inputs_used]
    tmpl_hash = template_hash(text + (dump({lv.name: lv.pay for lv in scheme.levels})
                                      if scheme.pay.table else ""))
    key = hashlib.sha256(json.dumps(
        {"month": str(month), "inputs": sorted((p.name, h) for p, h in inputs),
         "template": tmpl_hash, "version": __version__}, sort_keys=True).encode()).hexdigest()
    return RunResult(month, pay_month, "done", key, inputs, tmpl_hash)


def targets(config: Config, result: RunResult) -> dict[str, Path]:
    """The month's outputs in the workspace's output folder, by kind."""
    return {kind: config.output_folder / name.format(month=result.month,
                                                     pay_month=result.pay_month)
            for kind, name in OUTPUT_NAMES.items()}


def stale_months(history: Any) -> list[StaleMonth]:
    """Every month a run wrote files for whose files may no longer show what the history
    says: a command recorded since changed it, or its files are missing or changed."""
    out = []
    for month, run, why, locked in _month_runs(history):
        if why is None and (changed := stale_outputs(run)):
            why = _("files missing or changed since they were written: {files}").format(
                files=", ".join(p.name for p in changed))
        if why is not None:
            out.append(StaleMonth(month, _files(run), why, locked))
    return out


def pending_signoff(history: Any) -> list[Decision]:
    """The recorded moves no signed sign-off list has approved or refused yet."""
    signed = history.signoffs()
    return [d for d in history.decisions()
            if (d.agent_id, d.effective, d.from_level, d.to_level) not in signed]


def stale_warnings(history: Any) -> list[Problem]:
    """A command outside `cslevel run` (score, adjust, a signed list) that changed what
    files a run wrote show: a warning per month naming those files, which it cannot write
    again itself (a locked month's are kept as paid: not named)."""
    problems = []
    for month, run, why, locked in _month_runs(history):
        if why is None or locked:
            continue
        files = _files(run)
        problems.append(Problem(
            _("the files cslevel run wrote for {month} no longer show what the history says: "
              "{files}").format(month=month, files=", ".join(str(p) for p in files)),
            severity="warning",
            hint=_("Run the month again in its workspace to write them again: cslevel run "
                   "--month {month}").format(month=month)))
    return problems
