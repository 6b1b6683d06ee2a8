"""Template file -> validated `Scheme`.

Templates are data: YAML read with a safe loader (numbers with a decimal point become
`Decimal`, never float), checked by pydantic models that forbid unknown keys, so a typo
names the file, the field path and what is allowed. Nothing in a template is ever evaluated.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .i18n import N_, Labels, _, ngettext
from .limits import FIGURE_LIMIT, MONEY_CEILING
from .records import CslevelError, Problem, Source
from .scheme.fields import Bounds, Count, Figure, Money, Weight, _Model
from .scheme.names import normalize_label
from .scheme.attendance import TIMES_A_MONTH, Attendance, AttendanceFlag, AttendanceItem, AttendanceScore, AttendanceUnit
from .scheme.score import Aggregate, AggregateMetric, Metric, Profile, ProfileItem, RoleWeights, ScoreRule, Step
from .scheme.pay import AttendanceDeduction, LeadBand, Pay, PerformancePay, SeniorityPay, SupervisorAllowance, TeamLeadPay
from .scheme.promotion import RULE_KINDS, Band, GradeBand, Promotion, Standard, TenureBand, TierFloors


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
        clean = self.promotion.clean_metric
        if clean is not None and clean not in metric_keys:
            raise ValueError(_("promotion.clean_metric {metric} is not a metric; "
                               "allowed: {keys}").format(metric=repr(clean), keys=metric_keys))
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
        lead = self.pay.team_lead
        if lead is not None and lead.min_level is not None and lead.min_level not in names:
            raise ValueError(_("pay.team_lead.min_level {level} is not a level; "
                               "allowed: {names}").format(level=repr(lead.min_level), names=names))
        for band in self.promotion.grade_bands:
            if band.level not in names:
                raise ValueError(_("promotion.grade_bands: unknown level {level}; "
                                   "allowed: {names}").format(level=repr(band.level), names=names))
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
        return self

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

    def level(self, name: str) -> Level:
        return self._index()[2][name]

    def resolve_level(self, label: object) -> str | None:
        """A level label from any input (name, title or alias) -> the level's name."""
        return self._index()[3].get(normalize_label(label))


# ------------------------------------------------------------------------------------------
class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader whose floats are Decimals built from the text as written."""


# YAML's spellings of NaN and infinity (.nan, .inf, -.Inf…): made the Decimals they mean, so
# that the field they are given to refuses them with its path (Decimal('.nan') itself fails)
_SPECIAL_FLOATS = {".nan": Decimal("NaN"), ".inf": Decimal("Infinity"),
                   "+.inf": Decimal("Infinity"), "-.inf": Decimal("-Infinity")}


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    special = _SPECIAL_FLOATS.get(text.lower())
    if special is not None:
        return special
    try:
        return Decimal(text)
    except InvalidOperation:  # what YAML 1.1 calls a float but is no number (1.2.3, 1:30.5):
        return text  # the text, which the field refuses with its path


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def shipped_templates_dir() -> Path:
    """Templates installed with the package, or the repository's `templates/` folder."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def shipped_template_names() -> list[str]:
    return sorted(p.stem for p in shipped_templates_dir().glob("*.yaml"))


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# pydantic's own messages for the mistakes a hand-edited template commonly has, as msgids:
# each English msgid is pydantic's wording, checked against the message pydantic gave (a
# pydantic that words one differently is shown as it words it, in English)
_PYDANTIC_MESSAGES = Labels({
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "decimal_type": N_("Decimal input should be an integer, float, string or Decimal object"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "finite_number": N_("Input should be a finite number"),
    "string_type": N_("Input should be a valid string"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "literal_error": N_("Input should be {expected}"),
})
_LIST_LENGTH = re.compile(r"List should have at (least|most) \d+ items? after validation, not \d+")


def _error_message(err: Any) -> str:
    """One pydantic error of a template, in the language in force."""
    kind, english = err["type"], err["msg"]
    ctx = dict(err.get("ctx") or {})
    if kind == "extra_forbidden":
        return _("unknown field (typo?); check the spelling against the shipped templates")
    if kind == "missing":
        return _("required field is missing")
    if kind == "value_error" and "error" in ctx:  # our validators' ValueError, translated
        if english != f"Value error, {ctx['error']}":
            return english
        return _("Value error, {error}").format(error=ctx["error"])
    if kind in ("too_short", "too_long") and _LIST_LENGTH.fullmatch(english):
        if kind == "too_short":
            return ngettext("List should have at least {min_length} item after validation, "
                            "not {actual_length}",
                            "List should have at least {min_length} items after validation, "
                            "not {actual_length}", ctx["min_length"]).format(**ctx)
        return ngettext("List should have at most {max_length} item after validation, "
                        "not {actual_length}",
                        "List should have at most {max_length} items after validation, "
                        "not {actual_length}", ctx["max_length"]).format(**ctx)
    template = _PYDANTIC_MESSAGES.msgids.get(kind)
    try:
        if template is None or template.format(**ctx) != english:
            return english
    except (KeyError, IndexError, ValueError):
        return english
    if kind == "literal_error":  # "'a', 'b' or 'c'": the "or" in the language in force
        ctx["expected"] = str(ctx["expected"]).replace(" or ", _(" or "))
    return _PYDANTIC_MESSAGES[kind].format(**ctx)


_PARSED: dict[str, Scheme] = {}  # template text -> its Scheme (frozen: safe to share)


def parse_scheme(text: str, origin: str) -> Scheme:
    """Template text -> Scheme, or CslevelError naming origin, field path and what is allowed.
    A text parsed before gives the same Scheme again (`cslevel run` reads its template, then
    the copy stored with the history, twice)."""
    known = _PARSED.get(text)
    if known is not None:
        return known
    scheme = _parse_scheme(text, origin)
    _PARSED[text] = scheme
    return scheme


def _parse_scheme(text: str, origin: str) -> Scheme:
    try:
        data = yaml.load(text, Loader=_DecimalLoader)  # (a SafeLoader: plain data only)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", exc)
        message = (_("not valid YAML line {line}: {problem}").format(line=mark.line + 1,
                                                                     problem=problem)
                   if mark else _("not valid YAML: {problem}").format(problem=problem))
        raise CslevelError(
            Problem(message, Source(origin), hint=_("Fix the template's indentation or quoting."))
        ) from None
    if not isinstance(data, dict):
        raise CslevelError(Problem(_("a template must be a mapping of fields"), Source(origin)))
    try:
        return Scheme.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _format_loc(tuple(err["loc"]))
            msg = _error_message(err)
            problems.append(Problem(f"{path}: {msg}" if path else msg, Source(origin)))
        raise CslevelError(problems) from None


def load_scheme(name_or_path: str) -> tuple[Scheme, str]:
    """`star` or `path/to/template.yaml` -> (Scheme, template text)."""
    path = Path(name_or_path)
    if not (path.suffix in {".yaml", ".yml"} or path.exists()):
        path = shipped_templates_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(shipped_template_names())
            raise CslevelError(Problem(
                _("unknown scheme {name}").format(name=repr(name_or_path)),
                hint=_("Use one of: {known}, or give the path of a template file (.yaml).")
                .format(known=known)))
    if not path.is_file():
        raise CslevelError(Problem(_("template file not found: {path}").format(path=path),
                                   hint=_("Check the path given to --scheme.")))
    text = path.read_text(encoding="utf-8-sig")
    scheme = parse_scheme(text, str(path))
    if scheme.pay.table is not None:
        from .paytable import apply_pay_table, read_pay_table, table_path

        source = table_path(scheme, path)
        assert source is not None
        scheme = apply_pay_table(scheme, read_pay_table(source, scheme))
    return scheme, text


def template_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
