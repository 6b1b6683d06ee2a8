"""Templates, loading: a template file or a shipped template's name -> a validated `Scheme`.

Templates are data: YAML read with a safe loader (numbers with a decimal point become
`Decimal`, never float), checked by pydantic models that forbid unknown keys, so a typo
names the file, the field path and what is allowed. Nothing in a template is ever evaluated.
A template that names a pay table (`pay.table`) gets its levels' pay from that workbook one
layer up, where workbooks can be read (`cslevel.templates.load_scheme`, `cslevel.paytable`).

Input: a name (`star`) or a path, or a template's text. Output: the `Scheme` and the text,
or a `CslevelError` naming the template, the field path and what is allowed.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..i18n import _
from ..records import CslevelError, Problem, Source
from .messages import _error_message, _format_loc, yaml_problem
from .models import Scheme


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
    """Templates installed with the package (cslevel/templates/), or the repository's
    `templates/` folder."""
    packaged = Path(__file__).parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates"


def shipped_template_names() -> list[str]:
    return sorted(p.stem for p in shipped_templates_dir().glob("*.yaml"))


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
        problem = yaml_problem(str(getattr(exc, "problem", exc)))
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


# the file each scheme was last read from, as the user named it, by the scheme's id (each
# entry holds its scheme, so the id stays its own; a process reads a handful of templates)
_FILES: dict[int, tuple[Scheme, str]] = {}


def note_template_file(scheme: Scheme, file: str) -> None:
    _FILES[id(scheme)] = (scheme, file)


def template_file(scheme: Scheme) -> str:
    """The template file a hint tells the clerk to edit: the path given to --scheme, the
    shipped file's name (calls.yaml) for a shipped template, else `<scheme id>.yaml`."""
    known = _FILES.get(id(scheme))
    return known[1] if known is not None and known[0] is scheme else f"{scheme.scheme}.yaml"


def read_template(name_or_path: str) -> tuple[Scheme, str, Path]:
    """`star` or `path/to/template.yaml` -> (Scheme, template text, its path); a pay table it
    names is not applied here (`cslevel.templates.load_scheme` applies it)."""
    path = Path(name_or_path)
    shown = name_or_path
    if not (path.suffix in {".yaml", ".yml"} or path.exists()):
        path = shipped_templates_dir() / f"{name_or_path}.yaml"
        shown = path.name
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
    note_template_file(scheme, shown)
    return scheme, text, path


def template_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
