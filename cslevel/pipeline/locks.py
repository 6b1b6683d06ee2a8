"""Locks: a month is locked after its payroll, so that its scores are not replaced until it
is reopened with a reason, kept with the user and the time in the audit trail. Locking also
records the payroll it was paid with as paid (cslevel.pipeline.retro); a month before a
locked one may be scored again (once reopened, if it is locked itself): the locked months
keep their scores and files, and what their payrolls paid that is no longer due becomes a
correction carried by the next payroll. An adjustment is refused while a month it would
change is locked (`refuse_adjusting`): retro pay follows re-scored months only."""

from __future__ import annotations

from ..i18n import _
from ..outcomes import LockResult
from ..records import CslevelError, Month, Problem
from ..store import History, open_history


def refuse_locked(history: History, scoring: list[Month]) -> None:
    """Scores of a locked month are not replaced until it is reopened. (A month before a
    locked one may be: the locked months keep their scores and files, and what was paid
    that is no longer due becomes a correction.)"""
    problems = locked_problems(history, scoring)
    if problems:
        raise CslevelError(problems, exit_code=3)


def locked_problems(history: History, scoring: list[Month]) -> list[Problem]:
    """Why each of `scoring` may not be scored again (see refuse_locked)."""
    locked = history.locks()
    problems = []
    for month in scoring:
        if month in locked:
            at, user = locked[month]
            problems.append(Problem(
                _("{month} is locked (locked after payroll on {date} by {user})").format(
                    month=month, date=at[:10], user=user),
                hint=_('To change it, reopen it with a reason first: cslevel reopen {lock} '
                       '--reason "…"').format(lock=month)))
    return problems


def refuse_adjusting(history: History, month: Month, first_changed: Month,
                     undoing: int | None = None) -> None:
    """An adjustment of `month` (or the undoing of adjustment `undoing`) changes what is
    derived from `first_changed` on (a score's month; for a level, the month before its
    first, whose decision it replaces and whose close the first month's pay follows): it is
    refused while a month from then on is locked."""
    locked = history.locks()
    later = [m for m in locked if m >= first_changed]
    if not later:
        return
    lock = later[-1]
    at, user = locked[lock]
    if undoing is not None:
        what = _("adjustment #{id} cannot be undone: {lock} is locked and would change "
                 "(locked after payroll on {date} by {user})")
    elif lock == month:
        what = _("{month} is locked (locked after payroll on {date} by {user})")
    else:
        what = _("{month} cannot be adjusted: {lock} is locked and would change (locked "
                 "after payroll on {date} by {user})")
    raise CslevelError(Problem(
        what.format(id=undoing, month=month, lock=lock, date=at[:10], user=user),
        hint=_('To change it, reopen it with a reason first: cslevel reopen {lock} '
               '--reason "…"').format(lock=lock)), exit_code=3)


def lock(month: Month, *, db: str | None = None) -> LockResult:
    """Lock a scored month after its payroll: re-scoring it is refused until reopened. The
    payroll of the pay month it is paid from is recorded as paid, with the corrections of
    earlier paid months it carries (then settled)."""
    from .retro import record_paid

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
        pay_month, paid = record_paid(history, month)
        details: dict[str, object] = {"month": str(month), "pay_month": str(pay_month)}
        if paid is not None:
            details |= {"paid_lines": paid[0], "paid_total": str(paid[1]),
                        "settled": len(paid[2])}
        history.record_run("lock", details)
    if paid is None:
        return LockResult(month, "lock", at, user, paid_month=pay_month)
    lines, total, settled = paid
    return LockResult(month, "lock", at, user, paid_month=pay_month, paid_lines=lines,
                      paid_total=total, settled=settled)


def reopen(month: Month, reason: str, *, db: str | None = None) -> LockResult:
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
