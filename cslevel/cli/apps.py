"""The Typer applications: `cslevel` and its `payroll`, `adjust` and `templates` groups.

Kept apart so that the command modules can register on them without importing the package
(which imports the command modules)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="cslevel — 客服定级: grade customer-service agents from monthly KPI workbooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # plain click help: no rich/markdown import, fast --help
    context_settings={"terminal_width": 100, "max_content_width": 100},
)
payroll_app = typer.Typer(help="工资 Payroll: the pay file finance pays from.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(payroll_app, name="payroll")
adjust_app = typer.Typer(help="调整 Adjustments: a score or a level set by hand, with a reason.",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(adjust_app, name="adjust")
templates_app = typer.Typer(help="模板 Templates: the grading schemes, as data.",
                            no_args_is_help=True, rich_markup_mode=None)
app.add_typer(templates_app, name="templates")
signoff_app = typer.Typer(help="审批 Sign-off: the signed sign-off list (晋升降级申请表) read back.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(signoff_app, name="signoff")
