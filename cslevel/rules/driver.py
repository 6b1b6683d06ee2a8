"""The driver of every rule kind: one agent's months in order, from the opening (or from a
checkpoint) to the last month the agent is followed, with a rule kind's step taking each
month's decision.

What every rule kind shares is written here once (DOMAIN.md, "Time semantics"):

- the opening: the level in force in the agent's first month — trial (the hire month and
  the next `trial_months` − 1 are trial months), the level the agent came with (roster, 当前
  级别), or the entry level;
- trial months: not counted; at the close of the last one, for the rule kinds that say so,
  the move to the entry level (the first regular month is at the entry level);
- a month without a score: for the rule kinds that say so, it breaks every streak (the rule's
  state starts again at the next scored month), or, where the template says
  `missing_month: skip`, it is passed over;
- a decision taken at the close of month M changes the level in force from M + 1 (its
  effective month); after a move the rule kinds that say so start their streaks again;
- the leave month is the last month followed: a move decided at its close is dropped, since
  the agent is gone when it would take effect;
- checkpoints: the rule's state at the close of a month, as JSON-able values, to go on from
  there instead of replaying every month (cslevel.checkpoints);
- adjustments (`records.AgentCorrections`): a level set by a person from month M is a
  placement — the level in force in M is that level, the rule's state starts again as after
  a move, a trial ends, and a move decided at the close of M − 1 is replaced by it; a score
  set by a person is the value the step reads (the caller replaces it), and the notes and the
  reasons of the decisions that read it say so.

A rule kind (`RuleKind`) says how it wants each of these and gives a pure step over one
month: `step(rule, who, level, state, month, score) -> (state, decision, note, flags,
probation)`. `rule` is what the kind's `prepare(scheme, window)` worked out once per replay,
`who` the agent (`Who`), `level` the level in force that month, `state` the rule's state at
the close of the month before. A state is a tuple that starts with the lengths of the agent's
up and down streaks as the month's row shows them (0, 0 for a rule without streaks); it is
never changed in place: the step returns the state at the close of the month (before a move
restarts it). `decision` is a move made with `move`, or None; `note` and `flags` are what a
person reads; `probation`: the month is a probation month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ..i18n import _, translated
from ..records import (
    Adjustment,
    Agent,
    AgentCorrections,
    Corrections,
    Decision,
    Month,
    MonthState,
    Score,
    month_range,
)
from .common import EXAM_FAILED, exam_failures, last_month

if TYPE_CHECKING:
    from ..scheme import Scheme

State = tuple[Any, ...]  # (up streak's length, down streak's length, whatever else the rule keeps)
Step = tuple[State, Decision | None, str, tuple[str, ...], bool]
StepFn = Callable[[Any, "Who", str, State, Month, Score | None], Step]
Derived = dict[str, tuple[Agent, list[MonthState], str]]
NO_STREAKS: State = (0, 0)
MoveKind = Literal["promote", "demote", "trial_end"]


class Who(NamedTuple):
    """One agent as a rule kind's step reads it: the same in every month."""

    agent_id: str
    agent: Agent
    scores: Mapping[Month, Score]  # every scored month (a step cites and averages earlier ones)
    trial_end: Month | None  # the last trial month; None: the agent starts as a regular
    regular_from: Month  # the first regular month (rolling reviews count from it)
    hired: Month  # the month tenure counts from: the hire month, else the first month


class Trial(NamedTuple):
    """How a rule kind treats trial months: the note each one gets, and the reason of the move
    to the entry level at the close of the last one (None: no move; the level stays the trial
    level until the rule moves the agent)."""

    note: str  # msgid, or ""
    ends: str | None = None  # msgid, formatted with months, month, level and effective


class Missing(NamedTuple):
    """How a rule kind treats a regular month without a score (not handed to its step): the
    state starts again, with this note; with `skipped`, the template's `missing_month: skip`
    passes such a month over instead (the state kept), with that note."""

    note: str  # msgid
    counted: bool  # the month row's `counted`
    skipped: str | None = None  # msgid; None: such a month always breaks the streaks


@dataclass(frozen=True)
class RuleKind:
    """What the driver needs of a rule kind (its registry entry)."""

    step: StepFn
    prepare: Callable[[Scheme, int], Any]  # the rule's constants, once per replay
    # None: the step decides when the trial ends (the agent is in trial while at the trial
    # level) and sees trial months
    trial: Trial | None
    # None: the step sees months without a score too (score None)
    missing: Missing | None
    initial: State = NO_STREAKS  # the state before the first month, and after a restart
    restart_after_move: bool = False  # after any move the streaks start again from zero
    left_note: str | None = None  # msgid ({date}): the note of a move dropped at leaving
    # a decision kept even in the leave month (None: none is)
    kept_at_leave: Callable[[Decision], bool] | None = None
    # checkpoints: the state at a month's close as JSON-able values, and back (resumable
    # rule kinds only)
    carry: Callable[[str, State], list[Any]] | None = None
    resume: Callable[[list[Any]], tuple[str, State]] | None = None
    ranked: bool = False  # needs each month's place within the team (Score.team_rank)
    metrics: bool = False  # reads the scores' metrics, not only the score
    # a pass over every agent's states at once (comparing agents after their levels are known)
    cohort: Callable[[Derived, Scheme, int], Derived] | None = None


@dataclass(frozen=True)
class Checkpoint:
    """One agent's rule state at the close of `month`, as JSON-able values (`carry`): what a
    resumable rule kind needs to go on from the month after. Made by the driver, never
    changed."""

    month: Month
    carry: Any = None


def move(who: Who, month: Month, level: str, to_level: str,
         kind: MoveKind, rule: str, reason: str,
         trigger: tuple[Month, ...] = (), /, **values: Any) -> Decision:
    """A move decided at the close of `month`, in force from the month after; `reason` is
    worded with `values`, the new level and its effective month."""
    effective = month + 1
    return Decision(who.agent_id, month, effective, level, to_level, kind, rule,
                    reason.format(**values, level=to_level, effective=effective), trigger)


# --- the opening ------------------------------------------------------------------------------
def _trial_end(agent: Agent, trial_level: str | None, trial_months: int) -> Month | None:
    if trial_level is None or trial_months == 0 or agent.first_month is None:
        return None
    if agent.start_level is not None and agent.start_level != trial_level:
        return None
    if agent.hire_date is not None:
        end = Month.of(agent.hire_date) + (trial_months - 1)
    elif agent.start_level == trial_level:
        end = agent.first_month + (trial_months - 1)
    else:
        return None
    return end if end >= agent.first_month else None


def _starting_level(agent: Agent, trial_level: str | None, entry_level: str,
                    trial_end: Month | None) -> str:
    if trial_end is not None:
        return trial_level or entry_level
    start = agent.start_level
    return start if start and start != trial_level else entry_level


def trial_end_month(agent: Agent, scheme: Scheme) -> Month | None:
    """Last trial month of the agent, or None when the agent starts as a regular."""
    return _trial_end(agent, scheme.trial_level, scheme.trial_months)


def starting_level(agent: Agent, scheme: Scheme, trial_end: Month | None) -> str:
    """The level in force in the agent's first month: trial, the level they came with, or
    the entry level."""
    return _starting_level(agent, scheme.trial_level, scheme.entry_level, trial_end)


def opening(agent: Agent, scheme: Scheme) -> tuple[Month | None, str]:
    """(last trial month or None, level in force in the agent's first month)."""
    trial_end = trial_end_month(agent, scheme)
    return trial_end, starting_level(agent, scheme, trial_end)


# --- one replay -------------------------------------------------------------------------------
class _Setting(NamedTuple):
    """A replay's constants: the scheme's and the rule kind's, worked out and worded once."""

    kind: RuleKind
    rule: Any  # the kind's own (kind.prepare)
    trial_level: str | None
    trial_months: int
    entry_level: str
    trial_note: str
    trial_ends: str | None
    breaks: bool  # a month without a score is the driver's (not the step's)
    restarts: bool  # …and starts the state again (else: passed over)
    missing_note: str
    missing_counted: bool
    # a template with tracks: each regular level -> the replay's constants on its track
    # (whose ladder is that track); None: one ladder
    tracks: Mapping[str, _Setting] | None = None
    track: str = ""  # the track's name, with tracks
    # the probation exam's floors, for a rule kind whose trial is the driver's (None: no
    # exam), and the level a pass gives from the month after
    exam: Mapping[str, Decimal] | None = None
    exam_level: str = ""
    exam_names: Mapping[str, str] | None = None  # the exam's parts' names, by metric key


def setting(kind: RuleKind, scheme: Scheme, window: int) -> _Setting:
    """A replay's constants. With tracks, the setting of the entry level's track, which
    knows every track's: the rules then move an agent along the track of the level held."""
    if not scheme.tracks:
        return _one_setting(kind, scheme, window)
    by_level: dict[str, _Setting] = {}
    for track in scheme.tracks:
        on_track = _one_setting(kind, scheme.track_scheme(track), window)._replace(
            tracks=by_level, track=track.name)
        by_level.update(dict.fromkeys(track.levels, on_track))
    return by_level[scheme.entry_level]


def _one_setting(kind: RuleKind, scheme: Scheme, window: int) -> _Setting:
    trial, missing = kind.trial, kind.missing
    skip = missing is not None and missing.skipped is not None and (
        scheme.promotion.missing_month == "skip")
    missing_note = "" if missing is None else translated(
        missing.skipped if skip and missing.skipped else missing.note)
    rule = scheme.promotion
    exam = rule.exam_floors if trial is not None and rule.exam_floors and (
        scheme.trial_level is not None) else None
    return _Setting(
        kind, kind.prepare(scheme, window), scheme.trial_level, scheme.trial_months,
        scheme.entry_level, translated(trial.note) if trial is not None and trial.note else "",
        translated(trial.ends) if trial is not None and trial.ends else None, missing is not None,
        not skip, missing_note, missing is not None and missing.counted, exam=exam,
        exam_level=rule.exam_passed_level or scheme.entry_level,
        exam_names={m.key: m.name for m in scheme.score.metrics if m.key in rule.exam_floors})


def replay_agent(run: _Setting, agent: Agent, scores: Mapping[Month, Score], through: Month,
                 start: Checkpoint | None = None, keep: Month | None = None,
                 fix: AgentCorrections | None = None) -> tuple[list[MonthState], str, Any]:
    """The agent's month states up to `through` (or its leave month), its level in force the
    month after, and, with `keep`, the carry of its state at the close of that month (None
    when the agent's months start after the month after it). With `start`, the months after
    the checkpoint's only, from its state. `fix`: the agent's adjustments (its `scores` are
    already the adjusted ones)."""
    kind = run.kind
    if agent.first_month is None:  # known from the roster only, never scored yet
        return [], agent.start_level or run.entry_level, None
    trial_end = _trial_end(agent, run.trial_level, run.trial_months)
    level = _starting_level(agent, run.trial_level, run.entry_level, trial_end)
    first = agent.first_month
    last = last_month(agent, through)
    if fix is not None and fix.levels and trial_end is not None and min(fix.levels) <= trial_end:
        # a placement during the trial ends it: the months before it are the trial
        trial_end = min(fix.levels) - 1
        if trial_end < first:
            trial_end = None
    state = kind.initial
    if start is not None:
        assert kind.resume is not None
        level, state = kind.resume(start.carry)
        first = start.month + 1
    who = Who(agent.agent_id, agent, scores, trial_end,
              trial_end + 1 if trial_end is not None else agent.first_month,
              Month.of(agent.hire_date) if agent.hire_date else agent.first_month)
    states: list[MonthState] = []
    months = month_range(first, last)
    carry = None
    follow = _follow if fix is None else partial(_follow_fixed, fix=fix)
    if keep is not None and (last <= keep or first <= keep + 1):
        assert kind.carry is not None
        before = (keep + 1) - first  # the months up to the checkpoint's
        level, state = follow(run, who, states, months[:before], level, state)
        carry = kind.carry(level, state)
        months = months[before:]
    level, state = follow(run, who, states, months, level, state)
    if fix is not None:
        placed = fix.levels.get(last + 1)
        if placed is not None:  # the level of the month after is set by a person
            _overturn(states, placed)
            level = placed.value
        if fix.scores:
            _cite_adjusted_scores(states, fix.scores)
    return states, level, carry


def _follow_fixed(run: _Setting, who: Who, states: list[MonthState], months: list[Month],
                  level: str, state: State, *, fix: AgentCorrections) -> tuple[str, State]:
    """`_follow`, with the agent's placements: at each, the level in force becomes the one
    set, the rule's state starts again, and the month's note says so."""
    if not fix.levels or not months:
        return _follow(run, who, states, months, level, state)
    first, last = months[0], months[-1]
    # (index of the month's state, placement, (track left, track joined) or None)
    placed: list[tuple[int, Adjustment, tuple[str, str] | None]] = []
    done = 0
    for month, adjustment in sorted(fix.levels.items()):
        if not first <= month <= last:
            continue  # before: in the state resumed; after: the month after's
        cut = month - first
        level, state = _follow(run, who, states, months[done:cut], level, state)
        _overturn(states, adjustment)
        moved = _track_change(run, level, adjustment.value)
        level, state = adjustment.value, run.kind.initial
        placed.append((len(states), adjustment, moved))
        done = cut
    level, state = _follow(run, who, states, months[done:], level, state)
    for index, adjustment, moved in placed:
        month_state = states[index]
        month_state.adjustment = adjustment.id
        if moved is None:
            said = _("level set to {level} by adjustment #{id}: {reason}").format(
                level=adjustment.value, id=adjustment.id, reason=adjustment.reason)
        else:
            said = _("level set to {level} by adjustment #{id}, from {was} to {track}: "
                     "{reason}").format(level=adjustment.value, id=adjustment.id, was=moved[0],
                                        track=moved[1], reason=adjustment.reason)
        month_state.note = _joined(said, month_state.note)
    return level, state


def _track_change(run: _Setting, level: str, placed: str) -> tuple[str, str] | None:
    """(track left, track joined) when a placement moves an agent to another track."""
    if run.tracks is None:
        return None
    was, now = run.tracks.get(level), run.tracks.get(placed)
    if was is None or now is None or was.track == now.track:
        return None
    return was.track, now.track


def _overturn(states: list[MonthState], placement: Adjustment) -> None:
    """A move decided at the close of the month before a placement is replaced by it."""
    if not states or states[-1].month != placement.month - 1:
        return
    before = states[-1]
    if before.decision is not None:
        before.note = _joined(
            _("the move to {to} decided here is replaced by adjustment #{id}: {level} from "
              "{month}").format(to=before.decision.to_level, id=placement.id,
                                level=placement.value, month=placement.month), before.note)
        before.decision = None


def _cite_adjusted_scores(states: list[MonthState], adjusted: Mapping[Month, Adjustment]
                          ) -> None:
    """A month whose score a person set says so in its note; a decision that read such a
    month, in its reason."""
    for month_state in states:
        adjustment = adjusted.get(month_state.month)
        if adjustment is not None:
            month_state.note = _joined(month_state.note, _(
                "score {was} → {value} by adjustment #{id}: {reason}").format(
                was=adjustment.was, value=adjustment.value, id=adjustment.id,
                reason=adjustment.reason))
        decision = month_state.decision
        if decision is None:
            continue
        read = sorted({*decision.trigger_months, decision.decided} & adjusted.keys())
        if read:
            cited = [_("{month} score {was} → {value} by adjustment #{id}").format(
                month=m, was=adjusted[m].was, value=adjusted[m].value, id=adjusted[m].id)
                for m in read]
            month_state.decision = dataclasses.replace(
                decision, reason=_("; ").join([decision.reason, *cited]))


def _joined(*notes: str) -> str:
    return _("; ").join(n for n in notes if n)


def _follow(run: _Setting, who: Who, states: list[MonthState], months: list[Month],
            level: str, state: State, *, examined: bool = False) -> tuple[str, State]:
    """Take `months` (in order, the agent's), appending their states; the level and the rule's
    state at the close of the last. `examined`: the trial months with a probation exam are
    taken (`_follow_examined`)."""
    if not months:
        return level, state
    if run.tracks is not None:  # the track of the level held (a placement may change it)
        run = run.tracks.get(level, run)
    kind = run.kind
    agent_id, agent, trial_end = who.agent_id, who.agent, who.trial_end
    get, append = who.scores.get, states.append
    leave = Month.of(agent.leave_date) if agent.leave_date else None
    if run.exam is not None and kind.trial is not None and not examined:
        return _follow_examined(run, who, states, months, level, state)
    if kind.trial is not None and trial_end is not None and months[0] <= trial_end:
        in_trial = months[:(trial_end + 1) - months[0]]
        months = months[len(in_trial):]
        note = run.trial_note
        for month in in_trial:
            score = get(month)
            decision = None
            if month == trial_end and run.trial_ends is not None:
                decision = move(who, month, level, run.entry_level, "trial_end", "trial_end",
                                run.trial_ends, months=run.trial_months, month=month)
                if month == leave:
                    decision, note = None, _left(kind, agent, note)
            append(MonthState(agent_id, month, level, score.value if score is not None else None,
                              False, 0, 0, True, decision, note))
            if decision is not None:
                level = decision.to_level

    step, rule = kind.step, run.rule
    breaks, restarts = run.breaks, run.restarts
    missing_note, missing_counted = run.missing_note, run.missing_counted
    initial, restart_after_move = kind.initial, kind.restart_after_move
    by_level = kind.trial is None  # in trial while at the trial level
    trial = by_level and level == run.trial_level
    for month in months:
        score = get(month)
        if score is None and breaks:
            if restarts:
                state = initial
            append(MonthState(agent_id, month, level, None, missing_counted, state[0], state[1],
                              False, None, missing_note))
            continue
        state, decision, note, flags, probation = step(rule, who, level, state, month, score)
        if decision is not None and month == leave and not (
                kind.kept_at_leave is not None and kind.kept_at_leave(decision)):
            decision, note = None, _left(kind, agent, note)
        append(MonthState(agent_id, month, level, score.value if score is not None else None,
                          not trial, state[0], state[1], trial, decision, note, probation,
                          flags))
        if decision is not None:
            level = decision.to_level
            if restart_after_move:
                state = initial
            if by_level:
                trial = level == run.trial_level
    return level, state


def _follow_examined(run: _Setting, who: Who, states: list[MonthState], months: list[Month],
                     level: str, state: State) -> tuple[str, State]:
    """`_follow` for a rule kind whose trial is the driver's, with a probation exam (004
    试用考核; the D→C variant): a month of trial whose score holds the exam passes (every
    part at its floor: the exam's level from the month after, 次月薪资调整为正式岗位薪资) or
    fails (flagged; the trial goes on past its months until an exam is passed: 延长试用期,
    a person decides). Without an exam on record the trial ends after its months."""
    assert run.exam is not None
    trial_level, trial_end = run.trial_level, who.trial_end
    agent, get = who.agent, who.scores.get
    leave = Month.of(agent.leave_date) if agent.leave_date else None
    # a fail on record (months taken before, e.g. up to a checkpoint): still in trial since
    failed_before = any(EXAM_FAILED in s.flags for s in states)
    done = 0
    for month in months:
        # past its months, the trial level means a trial extended after a failed exam
        if level != trial_level or trial_end is None:
            break
        done += 1
        score = get(month)
        decision, note = None, run.trial_note
        flags: tuple[str, ...] = ()
        failed = exam_failures(run.exam, score, run.exam_names)
        if failed == []:
            failed_before = False
            decision = move(who, month, level, run.exam_level, "trial_end", "probation_exam",
                            _("probation exam passed: regular ({level}) from {effective}"),
                            (month,))
        elif failed:
            failed_before = True
            flags = (EXAM_FAILED,)
            note = _joined(note, _("probation exam failed ({parts}): extend the trial or "
                                   "dismiss, for a person to decide").format(
                parts=_("; ").join(failed)))
        elif month > trial_end or (month == trial_end and failed_before):
            note = _joined(note, _("trial extended after a failed probation exam"))
        elif month == trial_end:
            decision = move(who, month, level, run.entry_level, "trial_end", "trial_end",
                            run.trial_ends or _("{months} trial months over: {level} from "
                                                "{effective}"), months=run.trial_months)
        if decision is not None and month == leave:
            decision, note = None, _left(run.kind, agent, note)
        states.append(MonthState(who.agent_id, month, level,
                                 score.value if score is not None else None, False, 0, 0, True,
                                 decision, note, False, flags))
        if decision is not None:
            level = decision.to_level
    if done == len(months):
        return level, state
    if done:  # the trial ended with the last month examined
        who = who._replace(trial_end=months[done - 1])
    return _follow(run, who, states, months[done:], level, state, examined=True)


def _left(kind: RuleKind, agent: Agent, note: str) -> str:
    """The note of a month whose move is dropped because the agent left in it."""
    if kind.left_note is None:
        return note
    return translated(kind.left_note).format(date=agent.leave_date)


def replay_agents(
    kind: RuleKind, agents: Mapping[str, Agent], scores: Mapping[str, Mapping[Month, Score]],
    scheme: Scheme, through: Month, window: int,
    start: Mapping[str, Checkpoint] | None = None, keep: Month | None = None,
    corrections: Corrections | None = None,
) -> tuple[Derived, dict[str, Checkpoint]]:
    """Every agent's states up to `through` and level the month after (by agent id, in id
    order), with the rule kind's cohort pass applied; and, with `keep`, the checkpoints at
    the close of that month of the agents followed by then. `corrections`: the adjustments
    in force (the scores given are already the adjusted ones)."""
    run = setting(kind, scheme, window)
    out: Derived = {}
    kept: dict[str, Checkpoint] = {}
    begin = start or {}
    no_scores: Mapping[Month, Score] = {}
    fixes = corrections.by_agent if corrections else {}
    for agent_id, agent in sorted(agents.items()):
        states, level, carry = replay_agent(run, agent, scores.get(agent_id, no_scores),
                                            through, begin.get(agent_id), keep,
                                            fixes.get(agent_id))
        out[agent_id] = (agent, states, level)
        if carry is not None:
            kept[agent_id] = Checkpoint(keep, carry)  # type: ignore[arg-type]
    if kind.cohort is not None:
        out = kind.cohort(out, scheme, window)
    return out, kept
