"""Templates, the whole template: the `Scheme` (its levels with their names, titles,
aliases and pay, the entry and trial levels, the workbooks' column names, and the
`promotion`, `score`, `attendance`, `aggregate`, `profile` and `pay` sections), checked as a
whole (every level, metric and item a section names exists), and the look-ups the stages
make of it (a level by any of its labels).

Input: a template's YAML mapping (`load`). Output: a validated, frozen `Scheme` (or
pydantic's errors, naming the field path).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from ..i18n import _
from ..limits import MONEY_CEILING
from .attendance import Attendance
from .fields import _Model
from .names import normalize_label
from .pay import Pay
from .promotion import Promotion
from .score import Aggregate, Profile, ScoreRule, Training

if TYPE_CHECKING:
    from ..records import Decision


class Level(_Model):
    name: str
    title: str = ""
    aliases: list[str] = Field(default_factory=list)
    trial: bool = False
    color: str = "#FFFFFF"
    pay: dict[str, Decimal] = Field(default_factory=dict)

    @field_validator("pay")
    @classmethod
    def _money_non_negative(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for key, amount in value.items():
            if amount < 0:
                raise ValueError(_("{key} must be ≥ 0, got {amount}").format(key=key,
                                                                             amount=amount))
            if amount > MONEY_CEILING:
                raise ValueError(_("{key} must be at most {ceiling} (yuan a month), got "
                                   "{amount}").format(key=key, amount=amount,
                                                      ceiling=MONEY_CEILING))
        return value


class Columns(_Model):
    agent_id: list[str] = Field(default_factory=lambda: ["工号", "员工编号", "坐席工号", "Agent ID"])
    name: list[str] = Field(default_factory=lambda: ["姓名", "Name"])
    team: list[str] = Field(default_factory=lambda: ["组别", "班组", "Team"])
    role: list[str] = Field(default_factory=lambda: ["岗位", "Role"])
    hire_date: list[str] = Field(default_factory=lambda: ["入职日期", "Hire Date"])
    leave_date: list[str] = Field(default_factory=lambda: ["离职日期", "Leave Date"])
    current_level: list[str] = Field(default_factory=lambda: ["当前级别", "Current Level"])
    discipline_block: list[str] = Field(default_factory=lambda: ["违纪", "不服从管理"])
    month: list[str] = Field(default_factory=lambda: ["月份", "考核月份", "Month"])
    # the roster's track (通道), read only when the template has `tracks`
    track: list[str] = Field(default_factory=lambda: ["通道", "序列", "发展通道", "晋升通道",
                                                      "Track"])
    # the roster's months of relevant experience before joining (从业经验), added to the
    # months in post by the tenure gates; read only when the template names the column
    experience: list[str] = Field(default_factory=list)
    # the roster's months an agent was named 优秀员工 (employee of the month: 2026-09、2026-11),
    # counted by the rank_streak rule as the KPI's `excellent_metric` is; read only when the
    # template names the column
    excellent: list[str] = Field(default_factory=list)
    fill_down: list[str] = Field(default_factory=list)  # fields whose merged cells may be filled

    @field_validator("fill_down")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        allowed = ["name", "team", "role"]
        for fld in value:
            if fld not in allowed:
                raise ValueError(_("{field} cannot be filled down; allowed: {allowed}")
                                 .format(field=repr(fld), allowed=allowed))
        return value


# Scheme._index's look-up tables by id(scheme); each entry holds its scheme, so the id stays
# its own (a process loads a handful of schemes)
_LEVEL_LOOKUPS: dict[int, tuple[Any, list[Any], dict[str, Any], dict[str, str]]] = {}


class Track(_Model):
    """One ladder of a template with several: the dual ladder's tracks of equal standing
    (DOMAIN.md scheme 6: 管理通道 员工 → 组长 → 主管 → 经理, 专业通道 初级 → 中级 → 高级 → 专家),
    or the weighted scheme's posts (岗位), each with its own ladder (技术支持 中级 → 高级, 审核员
    一级 → 四级, …). Its `levels` go lowest first; a level's rank is its place on its track
    (1 = the lowest); with the template's `equal_rank_pay`, levels of equal rank are paid the
    same. The rules move an agent only along the track of the level held; a change of track
    (of post) is a placement by a person (`cslevel adjust level`)."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    levels: list[str] = Field(min_length=1)


# the rule kinds whose moves are one step along a ladder of regular levels: the ones a
# template with tracks may use (each track is then that ladder)
TRACK_RULES = ("streak", "window_average", "rank_streak")


class TrialLetter(_Model):
    """The target-responsibility letter (目标责任书) a trial agent signs from the `month`th
    trial month on (1 = the hire month; star, 004: 第三个月起签定目标责任书): a line
    of the sign-off list made at the close of that month, with the same signature columns
    as a move. It moves nothing: `cslevel signoff import` passes over it."""

    name: str = "目标责任书"
    month: int = Field(3, ge=1, le=12)


class Application(_Model):
    """The agent's own application (本人申请) for a promotion, on the sign-off list: a column
    headed `label`, left empty on each promotion's row for the agent to sign and date (grade
    D→C, 004 "客服部岗位晋升标准": passing is applied for by the agent and takes effect in pay
    the next month). `to_levels`: only promotions to these levels need it (empty: every
    promotion); the other rows say it is not needed. Like the signatures, it is read by a
    person: `cslevel signoff import` reads the approval column only."""

    label: str = Field("本人申请（签名、日期）", min_length=1, max_length=100)
    to_levels: list[str] = Field(default_factory=list)

    def needed(self, decision: Decision) -> bool:
        return decision.kind == "promote" and (
            not self.to_levels or decision.to_level in self.to_levels)


class Signoff(_Model):
    """The signed sign-off list (晋升降级申请表): with `required`, the payroll pays a move
    only once the signed list says it was approved (`cslevel signoff import`); until then
    the agent is paid at the level before it, and the move is listed as pending.
    `trial_letter`: a line for each trial agent's target-responsibility letter.
    `application`: a column for the agent's own application for a promotion (本人申请)."""

    required: bool = False
    trial_letter: TrialLetter | None = None
    application: Application | None = None


class Scheme(_Model):
    scheme: str
    title: str = ""
    levels: list[Level] = Field(min_length=2)
    entry_level: str
    trial_months: int = Field(3, ge=0, le=12)
    promotion: Promotion = Promotion()
    score: ScoreRule = ScoreRule()
    columns: Columns = Columns()
    attendance: Attendance = Attendance()
    aggregate: Aggregate | None = None
    profile: Profile | None = None
    pay: Pay
    signoff: Signoff = Signoff()
    training: Training | None = None  # trainings a year, flagged at the year's close
    tracks: list[Track] = Field(default_factory=list)
    # with tracks: levels of equal rank on different tracks must be paid the same (the dual
    # ladder's tracks are of equal standing); false: each track (a post with its own ladder,
    # the weighted scheme's 岗位) has its own pay table
    equal_rank_pay: bool = True

    @model_validator(mode="after")
    def _levels_consistent(self) -> Scheme:
        seen: dict[str, str] = {}
        for level in self.levels:
            for label in [level.name, level.title, *level.aliases]:
                if not label:
                    continue
                key = normalize_label(label)
                if key in seen and seen[key] != level.name:
                    raise ValueError(
                        _("level label {label} is used by both {first} and {second}").format(
                            label=repr(label), first=seen[key], second=level.name))
                seen[key] = level.name
        names = [lv.name for lv in self.levels]
        trial = [lv.name for lv in self.levels if lv.trial]
        if len(trial) > 1:
            raise ValueError(_("only one level may be the trial level, got {trial}")
                             .format(trial=trial))
        if self.entry_level not in names:
            raise ValueError(_("entry_level {level} is not a level; allowed: {names}").format(
                level=repr(self.entry_level), names=names))
        if self.entry_level in trial:
            raise ValueError(_("entry_level must be a regular level, not the trial level"))
        floor = self.promotion.floor_level
        if floor is not None and floor not in names:
            raise ValueError(_("promotion.floor_level {level} is not a level; allowed: {names}")
                             .format(level=repr(floor), names=names))
        metric_keys = [m.key for m in self.score.metrics]
        for tier in self.promotion.tiers:
            if tier.level not in names:
                raise ValueError(_("promotion.tiers: unknown level {level}; allowed: {names}")
                                 .format(level=repr(tier.level), names=names))
            unknown = [k for k in tier.floors if k not in metric_keys]
            if unknown:
                raise ValueError(_("promotion.tiers ({level}): unknown metrics {unknown}; "
                                   "allowed: {keys}").format(level=tier.level, unknown=unknown,
                                                             keys=metric_keys))
        if self.promotion.rule == "tier_floors" and [t.level for t in self.promotion.tiers] != [
                n for n in self.regular_levels]:
            raise ValueError(_("promotion.tiers must list every regular level, lowest first"))
        tenure = [b.min_months for b in self.promotion.tenure_bands]
        if tenure != sorted(tenure) or len(set(tenure)) != len(tenure):
            raise ValueError(_("promotion.tenure_bands must go up in months: {months}")
                             .format(months=tenure))
        for band in self.promotion.tenure_bands:
            for level in band.levels:
                if level not in names:
                    raise ValueError(_("promotion.tenure_bands: unknown level {level}; "
                                       "allowed: {names}").format(level=repr(level), names=names))
        for standard in self.promotion.standards:
            if standard.level not in names:
                raise ValueError(_("promotion.standards: unknown level {level}; allowed: {names}")
                                 .format(level=repr(standard.level), names=names))
            unknown = [k for k in [*standard.below, *standard.at_least] if k not in metric_keys]
            if unknown:
                raise ValueError(_("promotion.standards ({level}): unknown metrics {unknown}; "
                                   "allowed: {keys}").format(level=standard.level,
                                                             unknown=unknown, keys=metric_keys))
        for level in [*self.promotion.bottom_levels, *self.promotion.exemption_levels]:
            if level not in names:
                raise ValueError(_("promotion: unknown level {level}; allowed: {names}")
                                 .format(level=repr(level), names=names))
        unknown_exam = [k for k in self.promotion.exam_floors if k not in metric_keys]
        if unknown_exam:
            raise ValueError(_("promotion.exam_floors: unknown metrics {unknown}; "
                               "allowed: {keys}").format(unknown=unknown_exam, keys=metric_keys))
        letter = self.signoff.trial_letter
        if letter is not None and (self.trial_level is None or letter.month > self.trial_months):
            raise ValueError(_("signoff.trial_letter.month {month} is not a trial month: the "
                               "template has {months} trial month(s)").format(
                month=letter.month, months=self.trial_months if self.trial_level else 0))
        application = self.signoff.application
        for level in application.to_levels if application is not None else ():
            if level not in names:
                raise ValueError(_("signoff.application.to_levels: unknown level {level}; "
                                   "allowed: {names}").format(level=repr(level), names=names))
        training = self.training
        if training is not None and training.metric is not None and (
                training.metric not in metric_keys):
            raise ValueError(_("training.metric {metric} is not a metric; allowed: {keys}")
                             .format(metric=repr(training.metric), keys=metric_keys))
        items = [i.key for i in self.attendance.items]
        if training is not None and training.attendance_item is not None and (
                training.attendance_item not in items):
            raise ValueError(_("training.attendance_item {item} is not an attendance item; "
                               "allowed: {items}").format(item=repr(training.attendance_item),
                                                          items=items))
        clean = self.promotion.clean_metric
        if clean is not None and clean not in metric_keys:
            raise ValueError(_("promotion.clean_metric {metric} is not a metric; "
                               "allowed: {keys}").format(metric=repr(clean), keys=metric_keys))
        passed = self.promotion.exam_passed_level
        if passed is not None and (passed not in names or passed in trial):
            raise ValueError(_("promotion.exam_passed_level {level} is not a regular level; "
                               "allowed: {names}").format(level=repr(passed),
                                                          names=self.regular_levels))
        if passed is not None and not self.promotion.exam_floors:
            raise ValueError(_("promotion.exam_passed_level needs exam_floors"))
        excellent = self.promotion.excellent_metric
        if excellent is not None and excellent not in metric_keys:
            raise ValueError(_("promotion.excellent_metric {metric} is not a metric; "
                               "allowed: {keys}").format(metric=repr(excellent), keys=metric_keys))
        if self.promotion.rule == "tenure_grade" and (
                not tenure or self.promotion.upper_grade_at_least is None):
            raise ValueError(_("tenure_grade needs tenure_bands and upper_grade_at_least"))
        deduction = self.pay.attendance_deduction
        if deduction is not None:
            items = [i.key for i in self.attendance.items]
            unknown = [k for k in [*deduction.days, *deduction.amounts] if k not in items]
            if unknown:
                raise ValueError(_("pay.attendance_deduction: unknown attendance items "
                                   "{unknown}; allowed: {items}").format(unknown=unknown,
                                                                         items=items))
        if self.score.attendance_metric is not None and self.attendance.score is None:
            raise ValueError(_("score.attendance_metric needs attendance.score (how the "
                               "attendance score is made)"))
        lead = self.pay.team_lead
        if lead is not None and lead.min_level is not None and lead.min_level not in names:
            raise ValueError(_("pay.team_lead.min_level {level} is not a level; "
                               "allowed: {names}").format(level=repr(lead.min_level), names=names))
        managers = self.pay.management_bonus
        if managers is not None and (unknown := [n for n in managers.levels if n not in names]):
            raise ValueError(_("pay.management_bonus.levels: unknown levels {unknown}; allowed: "
                               "{names}").format(unknown=unknown, names=names))
        ranges = self.pay.ranges
        if ranges is not None and (unknown := [n for n in ranges.totals if n not in names]):
            raise ValueError(_("pay.ranges.totals: unknown levels {unknown}; allowed: {names}"
                               ).format(unknown=unknown, names=names))
        items = [i.key for i in self.profile.items] if self.profile is not None else []
        for band in self.promotion.grade_bands:
            if band.level not in names:
                raise ValueError(_("promotion.grade_bands: unknown level {level}; "
                                   "allowed: {names}").format(level=repr(band.level), names=names))
            unknown = [k for k in band.minimums if k not in items]
            if unknown:
                raise ValueError(_("promotion.grade_bands ({level}): minimums name unknown "
                                   "profile items {unknown}; allowed: {items}").format(
                    level=band.level, unknown=unknown, items=items))
        ungraded = self.promotion.ungraded_level
        if ungraded is not None and ungraded not in names:
            raise ValueError(_("promotion.ungraded_level {level} is not a level; "
                               "allowed: {names}").format(level=repr(ungraded), names=names))
        for level in self.levels:
            if self.pay.table is not None:
                if level.pay:
                    raise ValueError(_("level {level}: the amounts come from pay.table "
                                       "({table}); remove this level's pay").format(
                        level=level.name, table=self.pay.table))
                continue
            missing = [c for c in self.pay.components if c not in level.pay]
            extra = [c for c in level.pay if c not in self.pay.components]
            if missing or extra:
                raise ValueError(
                    _("level {level}: pay must list exactly the components {components}; "
                      "missing {missing}, unknown {extra}").format(
                        level=level.name, components=self.pay.components, missing=missing,
                        extra=extra))
        self._tracks_consistent()
        return self

    def _tracks_consistent(self) -> None:
        """Every regular level on exactly one track, the trial level on none, track labels
        unique, a rule kind that moves along a ladder, and (with `equal_rank_pay`) equal pay
        for equal ranks."""
        if not self.tracks:
            return
        if self.promotion.rule not in TRACK_RULES:
            raise ValueError(_("tracks need a rule that moves one step along a ladder "
                               "({rules}), not {rule}").format(
                rules=", ".join(TRACK_RULES), rule=self.promotion.rule))
        if self.promotion.floor_level is not None:
            raise ValueError(_("promotion.floor_level cannot be used with tracks: each "
                               "track's lowest level is its floor; remove floor_level"))
        labels: dict[str, str] = {}
        for track in self.tracks:
            for label in [track.name, *track.aliases]:
                key = normalize_label(label)
                if key in labels:
                    raise ValueError(_("track label {label} is used twice").format(
                        label=repr(label)))
                labels[key] = track.name
        on: dict[str, str] = {}
        regular = self.regular_levels
        for track in self.tracks:
            for level in track.levels:
                if level not in regular:
                    raise ValueError(_("tracks ({track}): {level} is not a regular level; "
                                       "allowed: {names}").format(
                        track=track.name, level=repr(level), names=regular))
                if level in on:
                    raise ValueError(_("level {level} is on two tracks: {first} and "
                                       "{second}").format(level=level, first=on[level],
                                                          second=track.name))
                on[level] = track.name
        off = [level for level in regular if level not in on]
        if off:
            raise ValueError(_("levels on no track: {levels}; put every regular level on "
                               "one track").format(levels=off))
        if self.pay.table is None and self.equal_rank_pay:
            for problem in self.rank_pay_differences():
                raise ValueError(problem)

    def rank_pay_differences(self) -> list[str]:
        """Levels of equal rank on different tracks whose pay differs (pay follows the rank;
        none when the template gives each track its own pay: `equal_rank_pay: false`)."""
        out: list[str] = []
        if not self.equal_rank_pay:
            return out
        by_rank: dict[int, str] = {}
        for track in self.tracks:
            for rank, name in enumerate(track.levels, start=1):
                first = by_rank.setdefault(rank, name)
                if self.level(first).pay != self.level(name).pay:
                    out.append(_("levels {first} and {second} have the same rank ({rank}) but "
                                 "different pay; give them the same pay (equal ranks are paid "
                                 "the same)").format(
                        first=first, second=name, rank=rank))
        return out

    def pay_range_warnings(self) -> list[str]:
        """Each standard amount outside the ranges the template declares (`pay.ranges`): a
        component of a level, or a level's monthly total (the sum of its components). Levels
        whose amounts come from a pay table are checked once the table is applied."""
        ranges = self.pay.ranges
        if ranges is None:
            return []
        out = []
        for level in self.levels:
            if not level.pay:
                continue
            # (the trial level is paid its basic pay only: component ranges are not its)
            for name, (low, high) in ranges.components.items() if not level.trial else ():
                amount = level.pay.get(name)
                if amount is not None and not low <= amount <= high:
                    out.append(_("level {level}: {component} {amount} is outside {low}–{high}"
                                 ).format(level=level.name, component=name, amount=amount,
                                          low=low, high=high))
            bounds = ranges.totals.get(level.name)
            if bounds is not None:
                total = sum(level.pay.values(), Decimal(0))
                if not bounds[0] <= total <= bounds[1]:
                    out.append(_("level {level}: monthly total {total} is outside {low}–{high}"
                                 ).format(level=level.name, total=total, low=bounds[0],
                                          high=bounds[1]))
        return out

    # --- lookups used by the stages -------------------------------------------------
    @property
    def level_names(self) -> list[str]:
        return [lv.name for lv in self.levels]

    @property
    def trial_level(self) -> str | None:
        return next((lv.name for lv in self.levels if lv.trial), None)

    @property
    def regular_levels(self) -> list[str]:
        return [lv.name for lv in self.levels if not lv.trial]

    @property
    def floor_level(self) -> str:
        return self.promotion.floor_level or self.regular_levels[0]

    def _index(self) -> tuple[Scheme, list[Level], dict[str, Level], dict[str, str]]:
        """(this scheme, the levels, level by name, level name by normalised label): the
        stages look levels up once per agent and month. Kept outside the model (a pydantic
        private attribute costs more to read than the search it saves), by the scheme's id
        and checked against the scheme and its levels."""
        lookups = _LEVEL_LOOKUPS.get(id(self))
        if lookups is None or lookups[0] is not self or lookups[1] is not self.levels:
            by_label: dict[str, str] = {}
            for level in self.levels:  # the first level a label names wins
                for candidate in [level.name, level.title, *level.aliases]:
                    if candidate:
                        by_label.setdefault(normalize_label(candidate), level.name)
            lookups = (self, self.levels, {lv.name: lv for lv in reversed(self.levels)},
                       by_label)
            _LEVEL_LOOKUPS[id(self)] = lookups
        return lookups

    def track_of(self, level: str) -> Track | None:
        """The track a level is on (None: no tracks, or the trial level)."""
        return next((t for t in self.tracks if level in t.levels), None)

    def resolve_track(self, label: object) -> Track | None:
        """A track label from any input (name or alias) -> the track."""
        key = normalize_label(label)
        return next((t for t in self.tracks
                     if key in {normalize_label(x) for x in [t.name, *t.aliases]}), None)

    def track_scheme(self, track: Track) -> Scheme:
        """The scheme as one track's rules see it: the trial level and the track's levels,
        lowest first, the track's lowest as its floor (and as its entry level unless the
        template's entry level is on it), and that track alone as its `tracks` (so that a
        rule can name it). Not validated again: a view for the rules."""
        levels = [lv for lv in self.levels if lv.trial] + [self.level(n) for n in track.levels]
        entry = self.entry_level if self.entry_level in track.levels else track.levels[0]
        return self.model_copy(update={"levels": levels, "entry_level": entry, "tracks": [track]})

    def level(self, name: str) -> Level:
        return self._index()[2][name]

    def resolve_level(self, label: object) -> str | None:
        """A level label from any input (name, title or alias) -> the level's name."""
        return self._index()[3].get(normalize_label(label))
