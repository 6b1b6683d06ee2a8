"""Read stage: KPI, attendance and roster workbooks -> typed rows with their sources.

Every problem found in a file is collected (errors and tolerated oddities alike) and
returned with the rows; the pipeline stops before writing anything if one is an error.

This module is the stage's face: it names what the other stages use. The work is done in

- `workbook` (and `formats/`): a file -> its sheets of raw cell values, whatever its format;
- `table`: sheets -> the table holding the data (header, columns, data rows);
- `kpi`, `attendance`, `roster`, `profile`: each kind of workbook -> its typed rows;
- `columns`: the conversion of a table's columns (ids, texts, numbers, dates), shared by
  those; `common`: what every sheet shares (ids, months of rows, levels, duplicates);
- `aggregate`: raw rows (one per call or ticket) -> monthly figures; `values`: one cell.

Reading the next workbooks in a worker process is `cslevel.parallel`'s, not this package's.
"""

from __future__ import annotations

from ..bulk import bulk_load
from .attendance import (
    _attendance_columns,
    _read_attendance,
    attendance_fields,
    attendance_table,
    read_attendance,
)
from .columns import Limits, _convert_one, _decimal, _distinct, _scaled_column, states_percent
from .common import _months_of_rows, duplicates, spaced_ids
from .kpi import READY, KpiPlan, kpi_fields, read_kpi, understand_kpi
from .profile import read_profile
from .roster import read_roster, roster_fields

__all__ = [
    "READY", "KpiPlan", "Limits", "_attendance_columns", "_convert_one", "_decimal",
    "_distinct", "_months_of_rows", "_read_attendance", "_scaled_column", "attendance_fields",
    "attendance_table", "bulk_load", "duplicates", "kpi_fields", "read_attendance", "read_kpi",
    "read_profile", "read_roster", "roster_fields", "spaced_ids", "states_percent",
    "understand_kpi",
]
