"""Template file -> validated `Scheme`.

Templates are data: YAML read with a safe loader (numbers with a decimal point become
`Decimal`, never float), checked by pydantic models that forbid unknown keys, so a typo
names the file, the field path and what is allowed. Nothing in a template is ever evaluated.

This module is the templates' face: it names what the other stages use. They live in the
package `cslevel/scheme/` (not `cslevel/templates/`: that is the folder of the shipped
template files in the installed package): `models` (the `Scheme`), its sections
`promotion`, `score`, `attendance` and `pay`, `fields` (the numbers a template may hold),
`names` (normalize_label), `messages` (pydantic's, translated) and `load`.
"""

from __future__ import annotations

from .scheme.attendance import (
    TIMES_A_MONTH,
    Attendance,
    AttendanceFlag,
    AttendanceItem,
    AttendanceScore,
    AttendanceUnit,
)
from .scheme.fields import Bounds, Count, Figure, Money, Weight
from .scheme.load import (
    load_scheme,
    parse_scheme,
    shipped_template_names,
    shipped_templates_dir,
    template_hash,
)
from .scheme.models import Columns, Level, Scheme
from .scheme.names import normalize_label
from .scheme.pay import (
    AttendanceDeduction,
    LeadBand,
    Pay,
    PerformancePay,
    SeniorityPay,
    SupervisorAllowance,
    TeamLeadPay,
)
from .scheme.promotion import (
    RULE_KINDS,
    Band,
    GradeBand,
    Promotion,
    Standard,
    TenureBand,
    TierFloors,
)
from .scheme.score import (
    Aggregate,
    AggregateMetric,
    Metric,
    Profile,
    ProfileItem,
    RoleWeights,
    ScoreRule,
    Step,
)

__all__ = [
    "RULE_KINDS", "TIMES_A_MONTH", "Aggregate", "AggregateMetric", "Attendance",
    "AttendanceDeduction", "AttendanceFlag", "AttendanceItem", "AttendanceScore",
    "AttendanceUnit", "Band", "Bounds", "Columns", "Count", "Figure", "GradeBand", "LeadBand",
    "Level", "Metric", "Money", "Pay", "PerformancePay", "Profile", "ProfileItem", "Promotion",
    "RoleWeights", "Scheme", "ScoreRule", "SeniorityPay", "Standard", "Step",
    "SupervisorAllowance", "TeamLeadPay", "TenureBand", "TierFloors", "Weight", "load_scheme",
    "normalize_label", "parse_scheme", "shipped_template_names", "shipped_templates_dir",
    "template_hash",
]
