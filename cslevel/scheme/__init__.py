"""Templates: a template file -> a validated `Scheme` (the package behind `cslevel.templates`,
which names what the other stages use; not called `templates`, the folder of the shipped
template files in the installed package).

- `names`: labels compared as a clerk means them (normalize_label);
- `fields`: the numbers a template may hold (figures, counts, money, bounds);
- `models`: the `Scheme` and its levels and columns, made of `promotion`, `score`
  (metrics, raw rows, the points scheme's profile), `attendance` and `pay`;
- `messages`: pydantic's complaints about a template, in the language in force;
- `load`: YAML read safely (numbers as Decimals) and validated, the shipped templates.

The stages below the pipeline (read, score, rules, store, export, payroll) import the
template from here. A pay table workbook a template names is applied one layer up, by
`cslevel.templates.load_scheme`, since reading a workbook is `cslevel.read`'s job.
"""

from __future__ import annotations

from .attendance import (
    TIMES_A_MONTH,
    Attendance,
    AttendanceFlag,
    AttendanceItem,
    AttendanceScore,
    AttendanceUnit,
)
from .fields import Bounds, Count, Figure, Money, Weight
from .load import (
    note_template_file,
    parse_scheme,
    read_template,
    shipped_template_names,
    shipped_templates_dir,
    template_file,
    template_hash,
)
from .models import TRACK_RULES, Application, Columns, Level, Scheme, Track
from .names import normalize_label
from .pay import (
    AttendanceDeduction,
    LeadBand,
    Pay,
    PerformancePay,
    SeniorityPay,
    SupervisorAllowance,
    TeamLeadPay,
)
from .promotion import (
    RULE_KINDS,
    Band,
    GradeBand,
    Promotion,
    Standard,
    TenureBand,
    TierFloors,
)
from .score import (
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
    "RULE_KINDS", "TIMES_A_MONTH", "TRACK_RULES", "Aggregate", "AggregateMetric", "Application",
    "Attendance", "AttendanceDeduction", "AttendanceFlag", "AttendanceItem", "AttendanceScore",
    "AttendanceUnit", "Band", "Bounds", "Columns", "Count", "Figure", "GradeBand", "LeadBand",
    "Level", "Metric", "Money", "Pay", "PerformancePay", "Profile", "ProfileItem", "Promotion",
    "RoleWeights", "Scheme", "ScoreRule", "SeniorityPay", "Standard", "Step",
    "SupervisorAllowance", "TeamLeadPay", "TenureBand", "TierFloors", "Track", "Weight",
    "normalize_label", "note_template_file", "parse_scheme", "read_template",
    "shipped_template_names", "shipped_templates_dir", "template_file", "template_hash",
]
