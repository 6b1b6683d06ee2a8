"""Checkpoints: where each agent's promotion rule stood at the close of a month, kept in the
history so that the next run replays only the months after it instead of every stored month.

A month's run derives the states of that month and the one before (the results, the
payroll and its comparison with last month) and records the month's decisions. With a
checkpoint at the close of month C, the rule starts from each agent's carried state in
C + 1 and reads only the scores from C + 1 − window on (a streak cites its months); the
decisions up to C are the ones already recorded. A checkpoint is used only where it gives
what a full replay would:

- the same template, review window, cslevel version and adjustments in force (a
  fingerprint of the four; the history also drops the checkpoints when an adjustment is
  added or undone);
- no month up to C scored, re-scored or removed since (the history drops the checkpoints
  when that happens: `History._scores_changed`);
- every agent's record as the rule read it up to C: first month, hire date, starting
  level, and the leave date where it falls in C or earlier (an agent without a checkpoint
  must start after C);
- the decisions up to C recorded (`promote` has confirmed C);
- the caller needs no state before C + 1.

Only rule kinds registered as resumable use them, and not those that compare agents with
each other (ranks, cohorts): those replay every month. A derivation whose decisions are
recorded (`promote`, or a promoted month scored again) keeps, with them, the checkpoint of
the month before its last one: the recorded decisions and the checkpoints always come from
the same derivation. The rules make the checkpoints (`rules.replay_agents(..., keep=month)`
returns them, each agent's rule state at the month's close as JSON-able values); this module
decides which month, whether a kept one holds, and stores them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import __version__
from .records import Agent, Month
from .rules import COHORT, RANKED, RESUMABLE, Checkpoint

if TYPE_CHECKING:
    from .scheme import Scheme
    from .store import History


def usable(scheme: Scheme) -> bool:
    """Whether the scheme's rule kind can go on from checkpoints."""
    rule = scheme.promotion.rule
    return rule in RESUMABLE and rule not in RANKED and rule not in COHORT


def fingerprint(scheme: Scheme, window: int, corrections: str = "") -> str:
    """The template, the window, this cslevel's version and `corrections` (the key of the
    adjustments in force, `Corrections.key`; none: left out, as before adjustments)."""
    parts: list[object] = [scheme.model_dump_json(), window, __version__]
    if corrections:
        parts.append(corrections)
    text = json.dumps(parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _record(agent: Agent, month: Month) -> list[Any]:
    """What the rule read of the agent's record up to `month`."""
    leave = Month.of(agent.leave_date) if agent.leave_date else None
    return [str(agent.first_month) if agent.first_month else None,
            agent.hire_date.isoformat() if agent.hire_date else None, agent.start_level,
            str(leave) if leave is not None and leave <= month else None]


def load(history: History, scheme: Scheme, window: int, agents: dict[str, Agent],
         needed: Month, corrections: str = "") -> tuple[Month, dict[str, Checkpoint]] | None:
    """(their month, the checkpoints to start from by agent: an agent without one starts
    after that month), or None when they are missing or do not hold (then every month is
    replayed)."""
    kept = history.checkpoints()
    if kept is None or not usable(scheme):
        return None
    month, text = kept
    promoted = history.setting("promoted_through")
    if month + 1 > needed or promoted is None or Month.parse(promoted) < month:
        return None
    try:
        saved = json.loads(text)
    except ValueError:
        return None
    if not isinstance(saved, dict) or saved.get("key") != fingerprint(scheme, window,
                                                                      corrections):
        return None
    carried = saved.get("agents")
    if not isinstance(carried, dict):
        return None
    out = {}
    for agent_id, agent in agents.items():
        entry = carried.get(agent_id)
        if entry is None:
            if agent.first_month is not None and agent.first_month <= month:
                return None  # scored by then, but not carried: replay everything
            continue
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list)):
            return None  # not as cslevel writes them (edited by hand?): replay everything
        if entry[0] != _record(agent, month):
            return None
        out[agent_id] = Checkpoint(month, entry[1])
    return month, out


def keep_month(history: History, scheme: Scheme, through: Month) -> Month | None:
    """The month whose close a derivation up to `through` should make checkpoints of (the
    month before `through`; `record` them once its decisions are recorded), or None when
    none should be kept: a transaction that is rolled back, a rule kind that cannot use
    them, or newer ones already kept."""
    if not history.writable or not usable(scheme):
        return None
    month = through - 1
    kept = history.checkpoint_month()
    if kept is not None and kept > month:  # (of the same month: made again, in case the
        return None  # ones kept no longer hold)
    return month


def record(history: History, scheme: Scheme, window: int, agents: Mapping[str, Agent],
           month: Month, made: Mapping[str, Checkpoint], corrections: str = "") -> None:
    """Keep the checkpoints a replay made at the close of `month` (replacing any kept), under
    the adjustments `corrections` names."""
    carried = {agent_id: [_record(agents[agent_id], month), point.carry]
               for agent_id, point in made.items() if point.carry is not None}
    history.set_checkpoints(month, json.dumps(
        {"key": fingerprint(scheme, window, corrections), "agents": carried}, ensure_ascii=False,
        separators=(",", ":")))
