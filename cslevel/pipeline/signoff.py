"""Sign-off stage: a signed sign-off list (晋升降级申请表) read back into the history.

Each row of the list names a move cslevel decided; the approval column says whether the
people who sign it agreed. An approved move is kept as confirmed; a refused one does not
take effect: it is recorded as a level adjustment (the level before the move, from the
move's effective month, with the remarks as its reason), so every command sees it and
`cslevel adjust undo` can take it back; a blank one stays pending. Every row must name a
move of the history (or one refused before), and a refusal must not change a locked month:
otherwise nothing is kept and every problem is reported at once.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from ..outcomes import SignedOff, SignoffImportResult
from ..read.signoff import SignedMove, read_signoff
from ..records import Adjustment, CslevelError, Month, Problem, SignoffResult
from ..store import History, open_history
from .derive import derive, forget, record_again, stored_scheme, window_of
from .workspace import stale_warnings


def import_signoff(file: Path, *, db: str | None = None,
                   by: str | None = None) -> SignoffImportResult:
    """Read the signed list at `file` and keep what it says of each move."""
    signed = read_signoff(file)
    with open_history(db, write=True, must_exist=True) as history:
        unknown, locked = check_signed(history, signed)
        if unknown or locked:  # exit 3 when a lock is all that stops it (as re-scoring)
            raise CslevelError(unknown + locked, exit_code=1 if unknown else 3)
        changed = record_signed(history, signed, file.name, by)
        history.record_run("signoff import", {
            "file": file.name, **{r: sum(1 for m in signed if m.result == r)
                                  for r in ("approved", "rejected", "pending")},
            # whether what months' files show changed: a level adjustment made or undone,
            # or a template paying a move only once approved
            "changed": changed or stored_scheme(history).signoff.required})
        problems = stale_warnings(history)
    moves = [SignedOff(m.agent_id, m.from_level, m.to_level, m.effective, m.result)
             for m in signed]
    return SignoffImportResult(file.name, moves, problems)


def check_signed(history: History,
                 signed: list[SignedMove]) -> tuple[list[Problem], list[Problem]]:
    """Every row names a move of the history; a refusal (or an approval of a move refused
    before) changes no month whose pay is locked (it would change what was paid): (the rows
    naming no move, the changes a lock stops)."""
    # a move refused before is no longer derived (its adjustment replaced it): still known
    known = {(d.agent_id, d.effective, d.from_level, d.to_level) for d in history.decisions()}
    refused = {move: got.result for move, got in history.signoffs().items()}
    known |= {move for move, result in refused.items() if result == "rejected"}
    locked = history.locks()
    unknown: list[Problem] = []
    stopped: list[Problem] = []
    for move in signed:
        if (move.agent_id, move.effective, move.from_level, move.to_level) not in known:
            unknown.append(Problem(
                _("{agent} has no move {from_level} → {to_level} from {effective} in the "
                  "history").format(agent=move.agent_id, from_level=move.from_level,
                                    to_level=move.to_level, effective=move.effective),
                move.source,
                hint=_("Import the sign-off list cslevel wrote from this history; if the month "
                       "was scored again since, sign the new list.")))
            continue
        # the level in force from the effective month changes (its pay month's payroll is
        # paid from the month before): a lock from that month before on stops it
        later = sorted(m for m in locked if m >= move.effective - 1)
        before = refused.get((move.agent_id, move.effective, move.from_level, move.to_level))
        changes = ((move.result == "rejected" and before != "rejected")
                   or (move.result == "approved" and before == "rejected"))
        if changes and later:
            at, user = locked[later[-1]]
            stopped.append(Problem(
                _("{agent}'s move {from_level} → {to_level} from {effective} cannot be refused: "
                  "{lock} is locked and was paid with it (locked on {date} by {user})").format(
                    agent=move.agent_id, from_level=move.from_level, to_level=move.to_level,
                    effective=move.effective, lock=later[-1], date=at[:10], user=user),
                move.result_source,
                hint=_('To change it, reopen it with a reason first: cslevel reopen {lock} '
                       '--reason "…"').format(lock=later[-1])))
    return unknown, stopped


def record_signed(history: History, signed: list[SignedMove], file: str,
                  by: str | None) -> bool:
    """Keep the approved and refused moves (a pending one is not kept: it is still
    pending). A refusal becomes a level adjustment back to the level before the move (none
    is added when one is in force already); an approval of a move refused before undoes
    that adjustment. Then the decisions already confirmed are recorded again. Returns
    whether an adjustment was made or undone."""
    refusals = _refusals(history)
    changed: list[Month] = []
    for move in signed:
        key = (move.agent_id, move.effective, move.from_level, move.to_level)
        held = refusals.get(key)
        if move.result == "rejected" and held is None:
            reason = move.note or _("refused on the signed sign-off list {file}").format(
                file=file)
            history.add_adjustment(move.agent_id, move.effective, "level", move.from_level,
                                   move.to_level, reason, by)
            changed.append(move.effective)
        elif move.result == "approved" and held is not None:
            history.undo_adjustment(held, _("approved on the signed sign-off list {file}")
                                    .format(file=file), by)
            changed.append(move.effective)
    history.record_signoffs([
        SignoffResult(m.agent_id, m.effective, m.from_level, m.to_level, m.result,
                      m.approver, m.note)
        for m in signed if m.result != "pending"], file, by)
    if changed:
        forget(history)  # (the adjustments in force changed)
        scheme = stored_scheme(history)
        latest = history.scored_months()[-1]
        record_again(history, derive(history, scheme, latest, window_of(history, scheme)),
                     min(changed) - 1)
    return bool(changed)


def _refusals(history: History) -> dict[tuple[str, Month, str, str], Adjustment]:
    """The level adjustments in force that a refusal on a signed list made, by move."""
    refused = {move for move, got in history.signoffs().items() if got.result == "rejected"}
    out = {}
    for adjustment in history.adjustments():
        if not adjustment.active or adjustment.kind != "level":
            continue
        for agent_id, effective, from_level, to_level in refused:
            if (agent_id, effective, from_level) == (adjustment.agent_id, adjustment.month,
                                                     adjustment.value) and (
                    adjustment.was == to_level):
                out[(agent_id, effective, from_level, to_level)] = adjustment
    return out
