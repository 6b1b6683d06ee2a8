"""Read stage, a package part's bytes and tags as the scans before the fast reader read
them (see `read.sheetxml`): streamed a megabyte at a time (a UTF-16 part turned into UTF-8
as it goes; a deflated zip member inflated straight from the file), and the tags of given
elements found as the fast reader's XML reader finds them, without ever backtracking
quadratically.

Input: a zip member or any byte stream. Output: its bytes in chunks; the start and end tags
of the named elements with their attributes; `BrokenTag` for a tag the XML reader refuses.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Self

CHUNK = 1 << 20


def _pending_tag(buffer: bytes) -> int:
    """Where an unfinished tag at the end of `buffer` starts (len(buffer) when none)."""
    lt = buffer.rfind(b"<")
    if lt < 0 or buffer.find(b">", lt) >= 0:
        return len(buffer)
    return lt


# --- streaming a part ---------------------------------------------------------------------
def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The part's bytes a megabyte at a time; a UTF-16 part (a byte-order mark, or NULs
    beside its first '<') is turned into UTF-8 as it goes, so the markup is seen either way."""
    first = stream.read(CHUNK)
    if not first:
        return
    head = first[:2]
    utf16 = ("utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-16-le"
             if head == b"<\x00" else "utf-16-be" if head == b"\x00<" else None)
    if utf16 is None:
        yield first
        while chunk := stream.read(CHUNK):
            yield chunk
        return
    decoder = codecs.getincrementaldecoder(utf16)("replace")
    chunk = first
    while chunk:
        yield decoder.decode(chunk).encode("utf-8")
        chunk = stream.read(CHUNK)
    yield decoder.decode(b"", final=True).encode("utf-8")


class _Inflated:
    """A deflated zip member read straight from the file with zlib (a third quicker than
    zipfile's reader, which also checks the CRC: the fast reader checks it anyway). Its
    size must come out as the archive declares, else zipfile.BadZipFile."""

    def __init__(self, path: str, info: zipfile.ZipInfo) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._file.seek(info.header_offset)
        header = self._file.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            self.close()
            raise zipfile.BadZipFile("bad local header")
        skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        self._file.seek(info.header_offset + 30 + skip)
        self._left = info.compress_size
        self._expected = info.file_size
        self._made = 0
        self._zlib = zlib.decompressobj(-15)

    def read(self, _size: int = -1) -> bytes:
        while self._left:
            data = self._file.read(min(self._left, 1 << 16))
            if not data:
                raise zipfile.BadZipFile("truncated member")
            self._left -= len(data)
            out = self._zlib.decompress(data)
            if out:
                return self._count(out)
        return self._count(self._zlib.flush()) if self._zlib is not None else b""

    def _count(self, out: bytes) -> bytes:
        self._made += len(out)
        if self._made > self._expected or (not self._left and not out
                                           and self._made != self._expected):
            raise zipfile.BadZipFile("member size differs from the declared size")
        if not out:
            self._zlib = None  # type: ignore[assignment]
        return out

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """A zip member's bytes as a stream: deflated ones through `_Inflated`, others through
    zipfile."""
    if (info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1
            and isinstance(archive.filename, str)):
        return _Inflated(archive.filename, info)  # type: ignore[return-value]
    return archive.open(info)


# --- tags, as the fast reader's XML reader finds them ----------------------------------
_OPENERS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
# (a name starts only where no name character stands before it, and is taken whole: no
# quadratic backtracking over a long run of letters)
_ATTRIBUTE = re.compile(rb"(?<![^\s=\"'<>/])([^\s=\"'<>/]++)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


@lru_cache(maxsize=4)
def _token_pattern(names: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """Comments, CDATA sections and processing instructions (skipped, as the XML reader
    skips them), and the start and end tags of the elements `names` (their local names:
    any namespace prefix dropped, as calamine matches them), attributes quoted as the XML
    reader reads them ('>' and '<' allowed inside quotes). A tag of `names` cut short by an
    unquoted '<' matches the last alternative alone (group `broken`): the XML reader
    refuses such a tag, and its attributes are not guessed. Every attempt reads on at most
    to the next '<' or '>' outside quotes: no input makes the search quadratic."""
    alternatives = b"|".join(re.escape(name) for name in names)
    prefix = rb"(?:[^\s<>/:=!?\"']+:)?"
    return re.compile(
        rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>"
        rb"|(/?)" + prefix + rb"(" + alternatives + rb")(?=[\s/>])"
        rb"((?:[^<>\"']++|\"[^\"]*+\"|'[^']*+')*+)>"
        rb"|(?P<broken>/?" + prefix + rb"(?:" + alternatives + rb")(?=[\s/>])))", re.DOTALL)


class BrokenTag(Exception):
    """A tag the XML reader refuses (an unquoted '<' inside it): the sheet is damaged."""


def _attribute(attributes: bytes, name: bytes, local: bool = False) -> bytes | None:
    """The last value of attribute `name` (calamine keeps the last one); `local`: whatever
    its namespace prefix."""
    found = None
    for key, dq, sq in _ATTRIBUTE.findall(attributes):
        if key == name or (local and key.rpartition(b":")[2] == name):
            found = dq if dq or not sq else sq
    return found


def _safe_end(buffer: bytes, last: bool = False) -> int:
    """Where to stop reading tokens in a buffer: before the first comment, CDATA section or
    processing instruction left open (at the end of the part, the XML reader refuses it),
    or, when more bytes follow, an unfinished tag."""
    end = len(buffer) if last else _pending_tag(buffer)
    for opener, closer in _OPENERS:
        closed = buffer.rfind(closer)
        start = buffer.find(opener, closed + len(closer) if closed >= 0 else 0, end)
        if start >= 0:
            end = start
    return end


def _tokens(stream: IO[bytes], names: tuple[bytes, ...]
            ) -> Iterator[tuple[bool, bytes, bytes, bool, bool]]:
    """(is an end tag, local name, attributes, self-closing, whether anything but a comment
    or a processing instruction stands between it and the tag before) of each tag of
    `names` (other tags count as something)."""
    pattern = _token_pattern(names)
    carry = b""
    between = False  # something after the last token of the buffer before
    pending = _chunks(stream)
    while True:
        chunk = next(pending, None)
        buffer = carry + chunk if chunk is not None else carry
        end = _safe_end(buffer, last=chunk is None)
        last = 0
        for match in pattern.finditer(buffer, 0, end):
            name = match.group(2)
            if match.group("broken") is not None:
                raise BrokenTag(buffer[match.start():match.start() + 80])
            before = between or match.start() > last
            between = False
            last = match.end()
            if name is None:
                if buffer.startswith(b"<![", match.start()):
                    between = True  # CDATA: content
                continue
            attributes = match.group(3)
            closing = attributes.endswith(b"/")
            yield (bool(match.group(1)), name, attributes[:-1] if closing else attributes,
                   closing, before)
        if chunk is None:
            return
        between = between or end > last
        carry = buffer[end:]
