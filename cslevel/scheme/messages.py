"""Templates, pydantic's complaints about a template in the language in force: each error's
field path (`levels[2].pay`) and its message, pydantic's own wording for the mistakes a
hand-edited template commonly has translated from msgids checked against what pydantic said
(a pydantic that words one differently is shown as it words it, in English).

Input: one pydantic error (a dict of `ValidationError.errors()`). Output: its path and text.
"""

from __future__ import annotations

import re
from typing import Any

from ..i18n import N_, Labels, _, current, ngettext


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


# PyYAML's complaints about a template's text, in Chinese: English keeps PyYAML's own words;
# anything else it says is shown as it says it
_YAML_TOKENS = Labels({
    "'<scalar>'": N_("a value"), "'<stream end>'": N_("the end of the file"),
    "<block end>": N_("the end of the indented block"),
    "'<block mapping start>'": N_("a new indented block of fields"),
    "'<block sequence start>'": N_("a new list"), "'?'": N_("a field"),
    "'-'": N_("a list item (-)")})
_YAML_EXPECTED = re.compile(r"expected (.+?), but (?:found|got) (.+)")
_YAML_CHARACTER = re.compile(r"found character (.+) that cannot start any token")
_YAML_ALIAS = re.compile(r"found undefined alias (.+)")
_YAML_ESCAPE = re.compile(r"found unknown escape character (.+)")


def _token(text: str) -> str:
    return _YAML_TOKENS.get(text, text)


def yaml_problem(problem: str) -> str:
    """What PyYAML found wrong in a template's text, in the language in force."""
    if current() == "en":
        return problem
    if problem == "mapping values are not allowed here":
        return _("mapping values are not allowed here")
    if problem == "found unexpected end of stream":
        return _("found unexpected end of stream")
    if m := _YAML_EXPECTED.fullmatch(problem):
        return _("expected {expected}, but found {found}").format(
            expected=_(" or ").join(_token(t) for t in m[1].split(" or ")), found=_token(m[2]))
    if m := _YAML_CHARACTER.fullmatch(problem):
        return _("found character {char} that cannot start any token").format(char=m[1])
    if m := _YAML_ALIAS.fullmatch(problem):
        return _("found undefined alias {name}").format(name=m[1])
    if m := _YAML_ESCAPE.fullmatch(problem):
        return _("found unknown escape character {char}").format(char=m[1])
    return problem
