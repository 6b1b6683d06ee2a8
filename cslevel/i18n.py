"""Messages and workbook labels in Chinese or English, through gettext message catalogs.

The msgids are the English texts; `cslevel/locale/zh/LC_MESSAGES/cslevel.po` translates them
to the Chinese labels, and English is the msgid itself. The compiled `.mo` files are committed
beside their `.po` sources: after editing a `.po`, run `python -m cslevel.i18n` to recompile
(tests/test_i18n.py checks that each committed `.mo` matches its `.po`).

The language: `set_language("zh" | "en")` (the config's `language`, say) wins; otherwise
CSLEVEL_LANG, else the first of LC_ALL, LC_MESSAGES, LANG that is set: a value starting with
"en" means English, anything else (unset, C, POSIX, zh_CN.UTF-8, …) Chinese, since the users
are Chinese clerks. The language is looked up each time a text is translated, so a label is
in the language in force when the workbook is written, not when a module was imported.
"""

from __future__ import annotations

import ast
import gettext as _gettext
import os
import struct
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DOMAIN = "cslevel"
LOCALE_DIR = Path(__file__).resolve().with_name("locale")
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
ENV_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set counts

_chosen: str | None = None
# the language read from the environment, kept until set_language() or reread_environment():
# a text is translated hundreds of thousands of times in a big month, and four environment
# look-ups each time would cost more than the translation itself
_from_environment: str | None = None


def normalize(value: str | None) -> str | None:
    """'en', 'en_US.UTF-8', 'EN' → 'en'; any other non-empty value → 'zh'; empty → None."""
    value = (value or "").strip()
    if not value:
        return None
    return "en" if value.lower().startswith("en") else "zh"


def set_language(lang: str | None) -> None:
    """Use `lang` ("zh" or "en") from now on; None or "" = from the environment again (read
    afresh)."""
    global _chosen
    _chosen = normalize(lang)
    reread_environment()


def reread_environment() -> None:
    """Forget the language read from the environment: the next text reads it again (each
    command does this as it starts, since the environment may have changed in between)."""
    global _from_environment
    _from_environment = None


def current() -> str:
    """The language in force, the environment read once: what `_` translates into."""
    global _from_environment
    if _chosen is not None:
        return _chosen
    if _from_environment is None:
        _from_environment = language()
    return _from_environment


def language() -> str:
    """The language in force: "zh" or "en" (the environment read now)."""
    if _chosen is not None:
        return _chosen
    chosen = normalize(os.environ.get("CSLEVEL_LANG"))
    if chosen is not None:
        return chosen
    for name in ENV_VARIABLES:
        value = os.environ.get(name)
        if value:
            return normalize(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@cache
def translation(lang: str) -> _gettext.NullTranslations:
    """The catalog of `lang`, read once. English needs no catalog (the msgids are English);
    a missing Chinese catalog is a broken install and raises rather than fall back."""
    return _gettext.translation(DOMAIN, str(LOCALE_DIR), [lang], fallback=lang == "en")


def _(msgid: str) -> str:
    """`msgid` (English) in the language in force."""
    return translation(current()).gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` (English) for `n`, in the language in force."""
    return translation(current()).ngettext(singular, plural, n)


def N_(msgid: str) -> str:  # the gettext convention for "mark only"
    """Mark `msgid` for the catalog without translating it (translated later with `_`, or
    with `translated` where the msgid is held in a variable)."""
    return msgid


def translated(msgid: str) -> str:
    """A msgid marked with `N_` where it was written, held in a variable here, in the
    language in force (`_` itself takes only string literals, so that every msgid it is
    given is in the catalogs: tests/test_i18n.py)."""
    return translation(current()).gettext(msgid)


class Labels(Mapping[str, str]):
    """A read-only dict of key → English msgid whose values are translated when read, so a
    module-level table of labels follows the language in force."""

    def __init__(self, msgids: Mapping[str, str]) -> None:
        self.msgids = dict(msgids)

    def __getitem__(self, key: str) -> str:
        return _(self.msgids[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.msgids)

    def __len__(self) -> int:
        return len(self.msgids)

    def __repr__(self) -> str:
        return f"Labels({dict(self)!r})"


# --- the catalogs: a small .po reader and .mo writer (GNU msgfmt's format) -----------------
@dataclass(frozen=True)
class Message:
    """One .po entry: msgstr holds one text, or one per plural form when msgid_plural is set."""

    msgid: str
    msgstr: tuple[str, ...]
    msgid_plural: str | None = None
    flags: frozenset[str] = frozenset()

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and all(self.msgstr) and bool(self.msgstr)


def read_po(text: str) -> list[Message]:
    """The entries of a .po file, in order (the header is the entry whose msgid is "")."""
    messages: list[Message] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    field: str | None = None

    def flush() -> None:
        nonlocal fields, flags, field
        if fields:
            if "msgid" not in fields:
                raise ValueError(f"an entry without msgid: {fields}")
            if "msgid_plural" in fields:
                forms = sorted((int(k[7:-1]), v) for k, v in fields.items()
                               if k.startswith("msgstr["))
                if [n for n, _v in forms] != list(range(len(forms))) or not forms:
                    raise ValueError(f"msgid {fields['msgid']!r}: bad msgstr[n] forms")
                msgstr = tuple(v for _n, v in forms)
            else:
                msgstr = (fields.get("msgstr", ""),)
            messages.append(Message(fields["msgid"], msgstr, fields.get("msgid_plural"),
                                    frozenset(flags)))
        fields, flags, field = {}, set(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if field is not None:
                flush()
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if field is None:
                raise ValueError(f"line {number}: a string outside an entry")
            fields[field] += _po_string(line, number)
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword == "msgid" and field is not None:
            flush()
        if keyword not in ("msgid", "msgid_plural", "msgstr") and not (
                keyword.startswith("msgstr[") and keyword.endswith("]")
                and keyword[7:-1].isdigit()):
            raise ValueError(f"line {number}: unexpected {keyword!r}")
        if keyword in fields:
            raise ValueError(f"line {number}: {keyword} twice in one entry")
        field = keyword
        fields[field] = _po_string(rest.strip(), number)
    flush()
    return messages


def _po_string(token: str, number: int) -> str:
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"line {number}: expected a quoted string, got {token!r}")
    try:
        value = ast.literal_eval(token)
    except (SyntaxError, ValueError) as exc:
        raise ValueError(f"line {number}: bad string {token!r}") from exc
    if isinstance(value, str):
        return value
    raise ValueError(f"line {number}: bad string {token!r}")


def write_mo(messages: list[Message]) -> bytes:
    """The .mo bytes of the translated entries (fuzzy and untranslated ones are left out, as
    msgfmt leaves them out; the header always goes in): GNU format, little-endian, no hash
    table, ids sorted, so the same catalog always gives the same bytes."""
    pairs: dict[bytes, bytes] = {}
    for message in messages:
        if not (message.translated or message.msgid == ""):
            continue
        msgid = message.msgid
        if message.msgid_plural is not None:
            msgid += "\0" + message.msgid_plural
        key = msgid.encode("utf-8")
        if key in pairs:
            raise ValueError(f"msgid {message.msgid!r} twice")
        pairs[key] = "\0".join(message.msgstr).encode("utf-8")
    ids = sorted(pairs)
    count = len(ids)
    ids_start = 7 * 4
    strs_start = ids_start + count * 8
    data_start = strs_start + count * 8
    tables: list[tuple[int, int]] = []
    data = bytearray()
    for texts in (ids, [pairs[i] for i in ids]):
        for text in texts:
            tables.append((len(text), data_start + len(data)))
            data += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, ids_start, strs_start, 0, 0)
    return header + b"".join(struct.pack("<2I", *pair) for pair in tables) + bytes(data)


def catalogs() -> list[Path]:
    """Every .po source under cslevel/locale."""
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_po(po: Path) -> bytes:
    """The .mo bytes for the .po file `po`."""
    return write_mo(read_po(po.read_text(encoding="utf-8")))


def main() -> int:
    """Recompile every catalog whose .mo differs from its .po: python -m cslevel.i18n"""
    for po in catalogs():
        mo = po.with_suffix(".mo")
        data = compile_po(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            print(f"wrote {mo}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
