"""What each command returns: plain records, made by the pipeline and read by the exports
(workbooks, console, JSON) and the CLI. Nothing here computes anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .records import (
    Adjustment,
    Agent,
    Correction,
    Decision,
    Month,
    MonthState,
    PayLine,
    Problem,
    Score,
    SignoffResult,
)

if TYPE_CHECKING:
    from .scheme import Scheme


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


@dataclass(frozen=True)
class LetterDue:
    """A trial agent's target-responsibility letter (目标责任书) due in `month`, its
    `trial_month`th trial month: a line of the sign-off list (`signoff.trial_letter`)."""

    agent_id: str
    level: str
    month: Month
    trial_month: int
    trial_months: int
    letter: str  # the letter's name, as the template gives it


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
    letters: list[LetterDue] = field(default_factory=list)  # letters due in as_of


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
    # corrections of paid months this payroll carries (补发/扣回): each agent's sum is a
    # component of its line (cslevel.labels.correction_component)
    corrections: list[Correction] = field(default_factory=list)


@dataclass
class CorrectionsResult:
    """What paid pay months owe now, not yet carried by a paid payroll."""

    rows: list[Correction]
    problems: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((c.difference for c in self.rows), Decimal("0.00"))


@dataclass
class HistoryResult:
    agent: Agent
    scheme: Scheme
    states: list[MonthState]
    next_level: str | None  # None once the agent has left
    latest: Month
    promoted_through: Month | None = None
    adjustments: list[Adjustment] = field(default_factory=list)  # the agent's, undone too
    imported: dict[Month, Decimal] = field(default_factory=dict)  # where a score is adjusted
    # what signed sign-off lists said of the agent's moves (agent, effective, from, to)
    signoffs: dict[tuple[str, Month, str, str], SignoffResult] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthMoves:
    """The moves taking effect in a month of the manager's report, and the agents paid then."""

    month: Month
    headcount: int  # agents on the month's payroll (in the report's scope)
    promotions: int  # moves up in force from this month
    demotions: int  # moves down in force from this month
    promotion_rate: Decimal  # promotions / headcount, a fraction at 4 places (0.0125)
    demotion_rate: Decimal


@dataclass(frozen=True)
class ScoreSpread:
    """One team's (or, with `team` "", the centre's) scores over the report's months:
    quartiles inclusive of the ends (Excel's QUARTILE.INC), and the calibration flags."""

    team: str
    agents: int
    scores: int
    minimum: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    maximum: Decimal
    at_top: int  # agents at a top level in the last month
    paid: int  # agents paid in the last month
    far: bool = False  # the median lies far from the other teams' (ReportResult.far_factor)
    all_top: bool = False  # every agent paid in the last month is at a top level


@dataclass(frozen=True)
class Mover:
    """An agent who moved in the report's months: how often, and from where to where."""

    agent_id: str
    name: str
    team: str
    promotions: int
    demotions: int
    level_from: str  # the level in force in the first month (or the agent's first month)
    level_to: str  # the level in force in the last month

    @property
    def moves(self) -> int:
        return self.promotions + self.demotions


@dataclass
class ReportResult:
    """The manager's report (`cslevel report`): levels, moves, pay and scores over months."""

    scheme: Scheme
    first: Month
    last: Month
    team: str | None  # the one team reported on, None for the whole centre
    months: list[Month]
    levels: list[str]  # ladder order, lowest first (levels nobody held left out)
    top_levels: list[str]
    counts: list[dict[str, int]]  # per month: agents paid at each level
    team_counts: dict[str, list[dict[str, int]]]  # per team, per month
    pay: list[dict[str, Decimal]]  # per month: the pay of the agents at each level
    moves: list[MonthMoves]
    movers: list[Mover]
    centre: ScoreSpread | None
    teams: list[ScoreSpread]
    far_factor: Decimal
    problems: list[Problem] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


@dataclass
class AdjustResult:
    """An adjustment made or undone, and what it changed for the agent: the level in force
    before and after, for each month where they differ (the month after the latest scored
    one included)."""

    adjustment: Adjustment
    action: str  # "add" or "undo"
    changes: list[tuple[Month, str, str]]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class AdjustmentsResult:
    """The adjustments in force (of one agent, if asked)."""

    adjustments: list[Adjustment]
    agent_id: str | None = None


@dataclass
class LockResult:
    month: Month
    action: str  # "lock" or "reopen"
    at: str
    user: str
    reason: str = ""
    already: bool = False  # the month was locked before this command
    # lock: the pay month it is paid from; the lines and total of its payroll, recorded as
    # paid (None: it was paid before), and the corrections of earlier months it settled
    paid_month: Month | None = None
    paid_lines: int = 0
    paid_total: Decimal | None = None
    settled: list[Correction] = field(default_factory=list)


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
    adjustments: str = ""  # the key of the adjustments in force (none: empty)
    # outputs of later months written again because this month changed what they show
    rewritten: list[Path] = field(default_factory=list)


@dataclass
class MonthRun:
    """One month of `cslevel run --from`: run (done, unchanged), skipped (no workbooks,
    `reason`), failed (its `problems`; nothing of it written) or not run (after a failure)."""

    month: Month
    status: str  # done | unchanged | skipped | failed | not_run
    run: RunResult | None = None
    reason: str = ""
    problems: list[Problem] = field(default_factory=list)


@dataclass
class MonthsResult:
    """`cslevel run --from M1 --to M2`: each month in order; the first that failed stopped
    the rest (`exit_code`: its error's, else 0)."""

    first: Month
    last: Month
    months: list[MonthRun] = field(default_factory=list)
    exit_code: int = 0

    def landed(self) -> list[Month]:
        return [m.month for m in self.months if m.run is not None]

    def not_landed(self) -> list[Month]:
        return [m.month for m in self.months if m.status in ("failed", "not_run")]


@dataclass(frozen=True)
class SignedOff:
    """One move of an imported sign-off list and what was made of it."""

    agent_id: str
    from_level: str
    to_level: str
    effective: Month
    result: str  # approved | rejected | pending


@dataclass
class SignoffImportResult:
    file: str
    moves: list[SignedOff]
    problems: list[Problem] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for move in self.moves if move.result == result)


@dataclass(frozen=True)
class StaleMonth:
    """A month whose files, as its last run wrote them, may no longer show what the history
    now says: `why` (a command recorded since, or files missing or changed on disk)."""

    month: Month
    files: list[Path]
    why: str
    locked: bool  # kept as they were paid: not written again


@dataclass
class StatusResult:
    stale: list[StaleMonth]
    pending_signoff: list[Decision]
    corrections: list[Correction] = field(default_factory=list)  # what paid months owe now

    @property
    def corrections_total(self) -> Decimal:
        return sum((c.difference for c in self.corrections), Decimal("0.00"))


@dataclass(frozen=True)
class LevelChange:
    """One agent whose level in force in a month would differ under the other template
    (None: not paid that month under that template)."""

    agent_id: str
    name: str
    team: str
    level_now: str | None
    level_new: str | None
    pay_now: Decimal | None
    pay_new: Decimal | None


@dataclass(frozen=True)
class MoveChange:
    """A move that the other template would add ("gained") or take away ("lost")."""

    change: str  # "gained" | "lost"
    decision: Decision
    name: str
    team: str


@dataclass
class SimulatedMonth:
    """One pay month replayed under both templates."""

    month: Month
    cost_now: Decimal
    cost_new: Decimal
    changed: list[LevelChange] = field(default_factory=list)
    moves: list[MoveChange] = field(default_factory=list)  # taking effect this month

    @property
    def difference(self) -> Decimal:
        return self.cost_new - self.cost_now


@dataclass
class SimulateResult:
    """`cslevel simulate`: the stored history replayed under another template (nothing
    written to the history). `scheme_now`: the template stored with the history;
    `scheme_new`: the one given; `source`: how it was given (a name or a path)."""

    scheme_now: Scheme
    scheme_new: Scheme
    source: str
    first: Month
    last: Month
    window_now: int
    window_new: int
    months: list[SimulatedMonth]
    problems: list[Problem] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # level now -> its name in the new

    @property
    def cost_now(self) -> Decimal:
        return sum((m.cost_now for m in self.months), Decimal("0.00"))

    @property
    def cost_new(self) -> Decimal:
        return sum((m.cost_new for m in self.months), Decimal("0.00"))

    @property
    def total_difference(self) -> Decimal:
        return sum((m.difference for m in self.months), Decimal("0.00"))
