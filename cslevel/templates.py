"""A template as the commands load it: the `Scheme` of a shipped template or a template
file, with its levels' pay taken from the pay table workbook it names (`pay.table`).

The template's models, its YAML loading and validation live in the package `cslevel/scheme/`
(not `cslevel/templates/`: that is the folder of the shipped template files in the installed
package), which the stages below the pipeline import. This module sits above `cslevel.read`
(a pay table is a workbook) and re-exports the scheme package's names for the commands.
"""

from __future__ import annotations

from .paytable import apply_pay_table, read_pay_table, table_path
from .records import CslevelError, Problem, Source
from .scheme import *
from .scheme import Scheme, note_template_file, read_template, template_file
from .scheme import __all__ as _SCHEME_NAMES

__all__ = [*_SCHEME_NAMES, "load_scheme"]  # noqa: PLE0604


def load_scheme(name_or_path: str) -> tuple[Scheme, str]:
    """`star` or `path/to/template.yaml` -> (Scheme, template text), with the levels' pay
    from the pay table workbook the template names, if it names one."""
    scheme, text, path = read_template(name_or_path)
    if scheme.pay.table is not None:
        source = table_path(scheme, path)
        assert source is not None
        shown = template_file(scheme)
        scheme = apply_pay_table(scheme, read_pay_table(source, scheme))
        if scheme.tracks:  # pay follows the rank (checked by the template when it lists pay)
            unequal = scheme.rank_pay_differences()
            if unequal:
                raise CslevelError([Problem(m, Source(str(source))) for m in unequal])
        note_template_file(scheme, shown)  # (hints name the file given, not the pay table)
    return scheme, text
