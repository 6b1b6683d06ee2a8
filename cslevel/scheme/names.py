"""Templates, labels: a header, a level, a post or a sheet name compared as a clerk means it
(case, spaces, full-width forms, punctuation noise and bracketed units ignored).

Input: any label. Output: its normalised text, equal for labels that mean the same.
"""

from __future__ import annotations

import re
import unicodedata

_ANNOTATION = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")


def normalize_label(text: object) -> str:
    """Compare labels ignoring case, spaces, full-width forms, punctuation noise and
    bracketed annotations such as units: '迟到（单位：次）' and '迟到' are the same label, and
    so are '解决率 %' and '解决率' (a trailing per-cent sign is a unit too; the reader
    remembers it from the header: read.states_percent)."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    stripped = _ANNOTATION.sub("", folded) or folded
    label = "".join(ch for ch in stripped if not ch.isspace() and ch not in "_-:*")
    return label.rstrip("%") or label
