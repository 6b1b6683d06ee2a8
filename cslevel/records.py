"""Typed records that flow between the stages.

Every value read from a workbook keeps its `Source` (file, sheet, row, column) so any later
stage can name the exact cell behind a problem. Records are frozen: stages return new ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, NamedTuple, overload

from .i18n import _

Severity = Literal["error", "warning"]


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_MONTH_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?\s*$")


class Month(NamedTuple):
    """A calendar month, the unit of scoring and of level changes. A named tuple: months
    are dictionary keys everywhere (scores by month), and tuples hash and compare in C."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        return _parse_month(str(text))

    @classmethod
    def of(cls, day: date) -> Month:
        return _month_at(day.year * 12 + day.month - 1)

    def __add__(self, months: int) -> Month:  # type: ignore[override]
        return _month_at(self.year * 12 + self.month - 1 + months)

    @overload  # type: ignore[override]
    def __sub__(self, other: Month) -> int: ...

    @overload
    def __sub__(self, other: int) -> Month: ...

    def __sub__(self, other: Month | int) -> int | Month:
        """Month - Month: months between them; Month - n: the month n months earlier."""
        if isinstance(other, int):
            return self + (-other)
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"


@functools.lru_cache(maxsize=4096)
def _month_at(index: int) -> Month:
    """The month `index` months after January of year 0 (cached: few distinct months)."""
    return tuple.__new__(Month, (index // 12, index % 12 + 1))


@functools.lru_cache(maxsize=1024)
def _parse_month(text: str) -> Month:
    m = _MONTH_PATTERN.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(_("not a month: {text} (expected YYYY-MM, e.g. 2026-10)").format(
            text=repr(text)))
    return _month_at(int(m.group(1)) * 12 + int(m.group(2)) - 1)


def month_range(start: Month, end: Month) -> list[Month]:
    return [start + i for i in range(end - start + 1)] if end >= start else []


class Source(NamedTuple):
    """Where a value came from: file › sheet › cell. (A named tuple: one is made per row
    read, so it must be cheap.)"""

    file: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as Excel shows it
    column: int | None = None  # 0-based index

    @property
    def cell(self) -> str | None:
        if self.row is None:
            return None
        if self.column is None:
            return f"row {self.row}"
        return f"{column_letter(self.column)}{self.row}"

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.cell:
            parts.append(self.cell)
        return " › ".join(parts)


@dataclass(frozen=True)
class Problem:
    """A data problem: an error stops the run before anything is written; a warning is
    something that was tolerated and is reported in the run's problems list."""

    message: str
    source: Source | None = None
    severity: Severity = "error"
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}{self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        s = self.source
        return {
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "file": s.file if s else None,
            "sheet": s.sheet if s else None,
            "cell": s.cell if s else None,
            "text": str(self),
        }


class CslevelError(Exception):
    """Raised by a stage when input problems stop the run; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem, *, exit_code: int = 1,
                 saved: bool = False):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.exit_code = exit_code  # 1 input problems; 2 usage; 3 busy or locked
        # True: the history was saved, only putting files in place failed (cslevel.finish)
        self.saved = saved
        super().__init__("\n".join(str(p) for p in self.problems))


class AgentRow(NamedTuple):
    """One agent's line in one month's KPI workbook (or one agent-month of raw rows), as
    read. A named tuple: one is made per row of a workbook that may have 100,000 rows."""

    agent_id: str
    month: Month
    source: Source
    name: str = ""
    team: str = ""
    role: str = ""
    hire_date: date | None = None
    current_level: str | None = None
    ready_score: Decimal | None = None
    metrics: Mapping[str, Decimal] = MappingProxyType({})
    discipline_block: bool = False


@dataclass(frozen=True)
class AttendanceRow:
    """One agent's monthly attendance totals (考勤)."""

    agent_id: str
    month: Month
    source: Source
    name: str = ""
    totals: dict[str, Decimal] = field(default_factory=dict)
    by_name: bool = False  # agent_id is the name (no 工号 given): joined by name at intake


@dataclass(frozen=True)
class RosterRow:
    """One line of the roster (花名册)."""

    agent_id: str
    source: Source
    name: str = ""
    team: str = ""
    role: str = ""
    hire_date: date | None = None
    leave_date: date | None = None
    current_level: str | None = None
    supervisor_tier: str | None = None
    team_lead: bool = False
    experience_months: int = 0  # relevant experience before joining (从业经验), in months
    excellent_months: tuple[Month, ...] = ()  # months named 优秀员工 (employee of the month)


NO_METRICS: Mapping[str, Decimal] = MappingProxyType({})  # a read-only, shared empty


class Score(NamedTuple):
    """An agent's score for one month, as % of target (110 means 110%). A named tuple: one
    is made per agent and month of the history (hundreds of thousands), built in C."""

    agent_id: str
    month: Month
    value: Decimal
    metrics: Mapping[str, Decimal] = NO_METRICS
    source: Source | None = None
    discipline_block: bool = False
    explanation: str = ""
    team_rank: int | None = None  # place within the team that month (rules that rank)
    team_size: int | None = None  # agents ranked in the team that month
    team_average: Decimal | None = None  # the team's average over the same window


@dataclass(frozen=True)
class Agent:
    """What the history knows of an agent apart from scores."""

    agent_id: str
    name: str = ""
    team: str = ""
    role: str = ""
    hire_date: date | None = None
    leave_date: date | None = None
    start_level: str | None = None  # level held when first seen (roster), None = derive
    first_month: Month | None = None  # first month the agent appears in the history
    in_roster: bool = False
    supervisor_tier: str | None = None  # supervisor allowance tier (roster)
    team_lead: bool = False  # leads a team (roster)
    # months of relevant experience before joining (roster), counted as months in post by
    # the tenure gates (grade variant C/B/A, 从业经验)
    experience_months: int = 0
    # months the roster says the agent was named 优秀员工 (employee of the month), oldest
    # first: every month any roster named is kept (grade variant D→C)
    excellent_months: tuple[Month, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A level change decided at the close of `decided` and in force from `effective`."""

    agent_id: str
    decided: Month
    effective: Month
    from_level: str
    to_level: str
    kind: Literal["promote", "demote", "trial_end"]
    rule: str
    reason: str
    trigger_months: tuple[Month, ...] = ()


@dataclass(frozen=True)
class SignoffResult:
    """What the signed sign-off list says of one move: `approved` or `rejected` (a blank
    result is pending and not kept), who signed it off (`approver`) and the note; `at` and
    `user`: when and by whom the list was imported."""

    agent_id: str
    effective: Month
    from_level: str
    to_level: str
    result: Literal["approved", "rejected"]
    approver: str = ""
    note: str = ""
    at: str = ""
    user: str = ""

    @property
    def move(self) -> tuple[str, Month, str, str]:
        return (self.agent_id, self.effective, self.from_level, self.to_level)


@dataclass(slots=True)  # not frozen: one is made per agent and month, and frozen init is slow
class MonthState:
    """One agent in one month after the rules ran: what a clerk sees per row."""

    agent_id: str
    month: Month
    level: str  # level in force (paid) this month
    score: Decimal | None
    counted: bool  # did this month's score count towards streaks
    up_streak: int
    down_streak: int
    in_trial: bool
    decision: Decision | None = None
    note: str = ""  # why no move although a streak completed, etc.
    probation: bool = False  # a probation month after a low review (weighted scheme)
    flags: tuple[str, ...] = ()  # for a person to decide: dismissal review, …
    adjustment: int | None = None  # the adjustment (its id) that set this month's level


@dataclass(slots=True)  # not frozen: one is made per agent and pay month (see MonthState)
class PayLine:
    """One agent's pay for one month; amounts are Decimal rounded half-up to the fen."""

    agent_id: str
    name: str
    team: str
    month: Month
    level: str
    components: dict[str, Decimal]
    total: Decimal
    note: str = ""  # how the amounts were worked out
    change: str = ""  # why the pay differs from the month before, the reasons in one text
    previous_total: Decimal | None = None  # the month before, if paid then
    reasons: tuple[str, ...] = ()  # the reasons of `change`, one by one


@dataclass(frozen=True)
class PayInputsRow:
    """One agent's row of the month's pay-inputs workbook (加班、六险一金、福利、一次性款项):
    overtime hours and amounts by the payroll column they go to, the one-off amount and its
    reason, and the row it was read from."""

    agent_id: str
    source: Source
    hours: Mapping[str, Decimal] = field(default_factory=dict)  # overtime, by column name
    amounts: Mapping[str, Decimal] = field(default_factory=dict)  # benefits and deductions
    one_off: Decimal | None = None
    reason: str = ""


AdjustmentKind = Literal["score", "level"]


@dataclass(frozen=True)
class Adjustment:
    """A person's correction of the history, kept apart from the imported scores (which are
    never edited): the score the rules use for an agent's month (an upheld appeal, a
    recount), or the level in force from a month on (a placement, an overturned decision).
    An undone adjustment keeps its row, with who undid it, when and why."""

    id: int
    agent_id: str
    month: Month  # score: the month scored; level: the first month at `value`
    kind: AdjustmentKind
    value: str  # the score (a Decimal's text) or the level's name
    was: str  # what was in force before it: the score in use, or the level in force
    reason: str
    by: str  # the OS user, or `--by NAME`
    at: str  # UTC, ISO
    undone_at: str | None = None
    undone_by: str | None = None
    undo_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None


class AgentCorrections(NamedTuple):
    """One agent's active adjustments by month, as the rules apply them (the latest of a
    month wins)."""

    levels: Mapping[Month, Adjustment]
    scores: Mapping[Month, Adjustment]


class Corrections:
    """The active adjustments, as the derivation takes them: score adjustments replace the
    values the rules read, level adjustments are placements (cslevel.rules.driver). `key`
    names them (empty when there are none): derived states and checkpoints made under other
    adjustments are never reused."""

    __slots__ = ("adjustments", "by_agent", "key")

    def __init__(self, adjustments: Iterable[Adjustment] = ()) -> None:
        self.adjustments = tuple(sorted((a for a in adjustments if a.active),
                                        key=lambda a: a.id))
        by_agent: dict[str, AgentCorrections] = {}
        for a in self.adjustments:  # by id: a later one of the same month replaces it
            fix = by_agent.setdefault(a.agent_id, AgentCorrections({}, {}))
            (fix.scores if a.kind == "score" else fix.levels)[a.month] = a  # type: ignore[index]
        self.by_agent = by_agent
        self.key = "" if not self.adjustments else hashlib.sha256(json.dumps(
            [[a.id, a.agent_id, str(a.month), a.kind, a.value] for a in self.adjustments],
            ensure_ascii=False).encode("utf-8")).hexdigest()[:32]

    def __bool__(self) -> bool:
        return bool(self.adjustments)

    def of(self, agent_id: str) -> AgentCorrections | None:
        return self.by_agent.get(agent_id)

    def applied(self, scores: dict[str, dict[Month, Score]]) -> dict[str, dict[Month, Score]]:
        """`scores` with each adjusted score's value replaced (a copy where one is; the
        scores given are not changed)."""
        adjusted = {a: fix.scores for a, fix in self.by_agent.items() if fix.scores}
        if not adjusted:
            return scores
        out = dict(scores)
        for agent_id, months in adjusted.items():
            own = out.get(agent_id)
            if own is None:
                continue
            replaced = dict(own)
            for month, adjustment in months.items():
                score = replaced.get(month)
                if score is not None:
                    replaced[month] = score._replace(value=Decimal(adjustment.value))
            out[agent_id] = replaced
        return out


NO_CORRECTIONS = Corrections()


@dataclass(frozen=True)
class Correction:
    """What a paid pay month owes one agent now (补发/扣回): what is due minus what was paid,
    at the fen. `paid_level`/`due_level` None: nothing paid / nothing due; `components`:
    the difference of each pay component (what the ledger keeps once it is settled)."""

    agent_id: str
    name: str
    team: str
    month: Month  # the paid pay month it corrects
    paid_level: str | None
    due_level: str | None
    paid: Decimal
    due: Decimal
    difference: Decimal
    components: dict[str, Decimal] = field(default_factory=dict)
