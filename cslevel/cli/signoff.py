"""The signed sign-off list read back: `cslevel signoff import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .apps import signoff_app
from .report import DbOption, JsonOption, _report


@signoff_app.command("import")
def signoff_import(
    file: Annotated[Path, typer.Argument(
        help="The signed copy of the sign-off list (晋升降级申请表) cslevel wrote, with 审批结果 "
             "(同意 / 不同意), 审批人 and 备注 filled in.", show_default=False)],
    by: Annotated[str | None, typer.Option(
        "--by", help="Who imports it (default: the user logged in).",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read a signed sign-off list: approved moves are confirmed, refused ones do not take
    effect, blank ones stay pending.

    Approval words: 同意, 批准, approve, Y; refusal: 不同意, 驳回, reject, N; blank: pending.
    Anything else is an error naming its cell, and nothing is kept. Refusing a move of a
    locked month is refused (exit code 3) until the month is reopened.

    \b
    Example:
      cslevel signoff import 晋升降级申请表-已签.xlsx
    """
    from ..export import console_admin
    from ..pipeline import signoff_import as import_list

    _report(lambda: import_list(file, db=db, by=by), console_admin.signoff_json,
            console_admin.print_signoff, as_json)
