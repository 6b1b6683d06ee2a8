"""The commands that look things up and change no month: an agent's history, how a file is
understood (inspect), and the templates (list, show, validate; new copies one to edit)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .apps import app, templates_app
from .report import DbOption, JsonOption, _month, _report


@app.command()
def history(
    agent_id: Annotated[str, typer.Argument(help="Agent id (工号), e.g. 0007.",
                                            show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an agent's months: score, level in force, decision and its reason.

    \b
    Example:
      cslevel history 0007
    """
    from ..export import console
    from ..pipeline import history as agent_months

    _report(lambda: agent_months(agent_id.strip(), db=db), console.history_json,
            console.print_history, as_json)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A KPI, attendance or roster file.",
                                         show_default=False)],
    scheme: Annotated[str, typer.Option(
        "--scheme", help="Template name or path whose column names to look for.")] = "star",
    month: Annotated[str | None, typer.Option(
        "--month", help="Month the file is for (YYYY-MM), as for score.",
        show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Show how a file is understood (sheet, header row, columns, months, agents, problems).

    Writes nothing: sheet used, header row, each column and its field, months, agent count,
    the first rows as read and every problem.

    \b
    Example:
      cslevel inspect kpi_2026-10.xlsx
    """
    from ..export import console_admin
    from ..inspect import inspect_file
    from ..templates import load_scheme

    chosen = _month(month)
    _report(lambda: inspect_file(file, load_scheme(scheme)[0], chosen), console_admin.inspect_json,
            console_admin.print_inspect, as_json, written=False)


@templates_app.command("list")
def templates_list(as_json: JsonOption = False) -> None:
    """List the shipped templates.

    \b
    Example:
      cslevel templates list
    """
    from ..export import console_admin
    from ..pipeline import shipped_schemes

    _report(shipped_schemes, console_admin.templates_json, console_admin.print_templates, as_json,
            written=False)


@templates_app.command("show")
def templates_show(
    name: Annotated[str, typer.Argument(help="Template name or path.", show_default=False)],
) -> None:
    """Print a template, with its comments, as the clerk would edit it.

    \b
    Example:
      cslevel templates show star
    """
    from ..templates import load_scheme

    _report(lambda: load_scheme(name)[1], lambda text: text,
            lambda _out, text: sys.stdout.write(text), False, written=False)


@templates_app.command("validate")
def templates_validate(
    path: Annotated[Path, typer.Argument(help="Template file (.yaml).", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Check a template: unknown fields, weights, bands, levels, thresholds.

    \b
    Example:
      cslevel templates validate my-star.yaml
    """
    from ..export import console_admin
    from ..templates import load_scheme

    _report(lambda: (path, load_scheme(str(path))[0]), console_admin.validated_json,
            console_admin.print_validated, as_json, written=False)


@templates_app.command("new")
def templates_new(
    name: Annotated[str, typer.Argument(help="Name of the new template (file NAME.yaml).",
                                        show_default=False)],
    base: Annotated[str, typer.Option("--from", help="Shipped template to copy.")] = "star",
    folder: Annotated[Path, typer.Option("--dir", help="Where to write it.")] = Path("."),
) -> None:
    """Copy a shipped template to NAME.yaml (scheme id NAME) for editing.

    \b
    Example:
      cslevel templates new our-star --from star
    """
    from ..export import console_admin
    from ..pipeline import new_template

    _report(lambda: (new_template(name, base, folder), base), lambda made: {},
            console_admin.print_new_template, False)
