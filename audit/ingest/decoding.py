"""Bytes → text: which encoding a plain-text input is in, read whole or with its bad spots marked.

Decoding order: a UTF-16/32 BOM decides; NUL bytes where UTF-16/32 puts them (the high bytes of
ASCII and CJK characters) mean UTF-16/32 without a BOM; other NULs in a few runs are padding (the
end of a preallocated download, gaps between pages) and are dropped; a UTF-8 BOM decides; else
strict UTF-8 (the fast path: nearly every input); else GB18030 (a superset of GB2312 and GBK, the
legacy encoding of Chinese government pages) when it reads as Chinese; else charset-normalizer's
guess (Big5 mirrors, other legacy code pages).

A few bad bytes (a damaged copy) or a last character cut in half (a truncated download) do not
make a file unreadable: the bad spots become U+FFFD (audit.ingest.text reports them as
`partial_decode` notes). Which encoding a damaged file is in is decided by the share of bad spots:
UTF-8 with a few is UTF-8, whereas GB18030 read as UTF-8 has more bad spots than good characters.
Whatever decodes must still look like text: NUL bytes scattered through the data or many control
characters mean binary data, which is an error, never a page of mojibake.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

EMPTY = "空文件或只有空白 (empty file or only whitespace)"
BINARY = "不支持的格式或二进制数据 (unsupported or binary input)"
UNDECODABLE = "无法识别文本编码 (undecodable text: not UTF-8, UTF-16 or GB18030)"

# Documented limits of a plain-text input; each cut is reported as a `limit_exceeded` note.
# Lines read from one text file: a file may hold many reports (a scraped dump of a portal), and a
# report is a few thousand lines; past a million the rest is not read (it bounds memory: three
# lists of lines are kept per source).
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "cp936", "euc_cn", "iso2022_cn"}
# Legacy encodings read with bad spots replaced (multibyte Chinese ones; a single-byte code page
# decodes nearly anything, so a partial reading of one proves nothing).
_PARTIAL_LEGACY = {"big5", "big5hkscs", "cp950"}
_SNIFF_BYTES = 64 * 1024
# Big5 bytes are valid GBK too, but read as GBK the commonest Big5 characters come out as kana,
# Greek, Cyrillic or box drawing (中 = A4A4 → 「い」): a GB18030 reading full of them is not Chinese.
_NOT_CHINESE = re.compile(r"[\u0370-\u04ff\u2500-\u257f\u3040-\u30ff]")
# C0/C1 controls other than tab, line feed, vertical tab, form feed, carriage return; U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_C0_BYTES = bytes([*range(0, 9), *range(14, 32), 127])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_MAX_ODD_SHARE = 0.01
# Bad spots a partial reading may hold: this many, or _MAX_ODD_SHARE of its characters.
_FEW_BAD = 8
# Valid non-ASCII characters a partial reading needs per bad spot: GB18030 read as UTF-8 (or the
# other way round) has more bad spots than good characters; a damaged file, hundreds per bad spot.
_VALID_PER_BAD = 10
# NUL padding comes in a few runs; NULs more frequent than one run per this many bytes are binary.
_NUL_RUN_SPACING = 512
_NUL_BYTES = re.compile(rb"\x00+")
_NUL_PADDING = re.compile(rb"\x00{8,}")  # padding: no text has 8 NUL bytes in a row, even in UTF-32
_NUL_CHARS = re.compile("\x00+")
# What a text read as UTF-16/32 without a BOM must be made of (ASCII, Latin, punctuation, CJK
# symbols and ideographs, full-width forms): other bytes read that way scatter over the whole BMP.
_IMPLAUSIBLE = re.compile(r"[^\x00-\x7f\u00a0-\u024f\u2000-\u206f\u2150-\u218f\u2460-\u24ff\u2500-\u257f\u3000-\u303f\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")  # fmt: skip


class DecodeError(ValueError):
    """The bytes are not text this reader can decode; `str(error)` is the reason (中文 + English)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bad: int = 0  # bad spots replaced by U+FFFD (the cut last character not counted)
    cut_tail: bool = False  # the input ends inside a character (a U+FFFD ends the text)
    nuls: int = 0  # NUL bytes (or U+0000 characters) dropped as padding
    exact: bool = True  # every U+FFFD of the text marks a bad spot (the input held none itself)


def decode(data: bytes) -> Decoded:
    """The text of `data` and the encoding it was read with; raises DecodeError."""
    if not data:
        raise DecodeError(EMPTY)
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return _known(data, encoding)
    nuls = 0
    if b"\x00" in data:
        wide = _wide(data)
        if wide is not None:
            return wide
        data, nuls = _without_padding(data, _NUL_BYTES.finditer(data))
    if data.startswith(_UTF8_BOM):
        return _known(data, "utf-8-sig", nuls=nuls)
    text = _strict(data, "utf-8")
    if text is not None:
        if not _utf8_looks_like_text(data):
            raise DecodeError(BINARY)
        return _checked(Decoded(text, "utf-8", nuls=nuls), legacy=False, screened=True)
    return replace(_legacy(data), nuls=nuls)


def _legacy(data: bytes) -> Decoded:
    """Bytes that are not strict UTF-8: UTF-8 with a few bad spots, GB18030, another legacy encoding."""
    reading = _lenient(data, "utf-8")
    if reading is not None:
        return _checked(reading, legacy=False)
    text = _strict(data, "gb18030")
    reading = Decoded(text, "gb18030") if text is not None else _lenient(data, "gb18030")
    if reading is not None and _legacy_text(reading) and _looks_chinese(reading.text):
        return _checked(reading, legacy=True)
    stepped = _out_of_step(reading) if reading is not None else None
    # Mostly ASCII: too few other characters to judge by; the reading with fewer bad spots (≤ 1%).
    readings = [_lenient(data, "utf-8", valid_share=False, few=0)]
    gb18030 = _lenient(data, "gb18030", valid_share=False, few=0)
    if gb18030 is not None and _legacy_text(gb18030) and _looks_chinese(gb18030.text):
        readings.append(gb18030)
    found = [reading for reading in readings if reading is not None]
    if found:
        best = min(found, key=lambda reading: reading.bad)
        return _checked(best, legacy=best.encoding != "utf-8")
    for encoding in _guessed_encodings(data):
        text = _strict(data, encoding)
        reading = Decoded(text, encoding) if text is not None else None
        if reading is None and encoding in _PARTIAL_LEGACY:
            reading = _lenient(data, encoding)
        if reading is not None and _legacy_text(reading):
            return _checked(reading, legacy=True)
    if stepped is not None and _legacy_text(stepped) and _looks_chinese(stepped.text):
        return _checked(stepped, legacy=True)  # the last resort: GB18030 with a stray lead byte
    raise DecodeError(BINARY if _mostly_binary(data) else UNDECODABLE)


def _out_of_step(reading: Decoded) -> Decoded | None:
    """A GB18030 reading whose private-use characters sit on a few lines only: a stray lead byte
    put the double-byte text out of step up to the next ASCII byte (private-use code points are what
    such a run decodes to). Those characters are bad spots — marked U+FFFD and reported — not a
    reason to refuse the whole file; spread over many lines they mean another encoding."""
    lines = reading.text.split("\n")
    damaged = sum(1 for line in lines if _PRIVATE_USE.search(line))
    if not damaged or damaged > max(_FEW_BAD, _MAX_ODD_SHARE * len(lines)):
        return None
    text, found = _PRIVATE_USE.subn("\ufffd", reading.text)
    return replace(reading, text=text, bad=reading.bad + found)


def _known(data: bytes, encoding: str, *, nuls: int = 0, legacy: bool = False) -> Decoded:
    """`data` in an encoding its BOM or its NUL pattern gave: read even with a few bad spots."""
    text = _strict(data, encoding)
    reading = Decoded(text, encoding) if text is not None else _lenient(data, encoding, valid_share=False)
    if reading is None:
        raise DecodeError(UNDECODABLE)
    if "\x00" in reading.text:  # UTF-16/32 NUL padding decodes to U+0000
        text, dropped = _without_padding(reading.text, _NUL_CHARS.finditer(reading.text))
        reading = replace(reading, text=text, nuls=dropped)
    return _checked(replace(reading, nuls=reading.nuls + nuls), legacy=legacy)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(data: bytes, encoding: str, *, valid_share: bool = True, few: int = _FEW_BAD) -> Decoded | None:
    """`data` with its bad spots as U+FFFD when they are few (at most `few`, or _MAX_ODD_SHARE of the
    characters) and, with `valid_share`, far fewer than the valid non-ASCII characters; else None.
    A large input is first tried on its start."""
    if len(data) > _SNIFF_BYTES and _replaced(data[:_SNIFF_BYTES], encoding, valid_share, few) is None:
        return None
    return _replaced(data, encoding, valid_share, few)


def _replaced(data: bytes, encoding: str, valid_share: bool, few: int) -> Decoded | None:
    try:
        decoder = codecs.getincrementaldecoder(encoding)("replace")
        text = decoder.decode(data, final=False)  # keeps a last character cut in half pending
    except (LookupError, UnicodeError):
        return None
    cut_tail = bool(decoder.getstate()[0])
    marked = _marked_in_input(data, encoding)
    bad = max(0, text.count("\ufffd") - marked)
    if bad > max(few, _MAX_ODD_SHARE * len(text)):
        return None
    if valid_share and bad:  # (a cut last character alone is always read; with bad spots, it counts as one)
        valid = len(text) - len(text.encode("ascii", "ignore")) - bad - marked
        if valid < _VALID_PER_BAD * (bad + cut_tail):
            return None
    text += "\ufffd" if cut_tail else ""
    return Decoded(text, encoding, bad=bad, cut_tail=cut_tail, exact=not marked)


def _marked_in_input(data: bytes, encoding: str) -> int:
    """U+FFFD characters the input itself holds (text once decoded with replacement)."""
    try:
        return data.count("\ufffd".encode(encoding.removesuffix("-sig")))
    except (LookupError, UnicodeError):
        return 0


def _legacy_text(decoded: Decoded) -> bool:
    return _looks_like_text(decoded.text, legacy=True, marks=_marks(decoded))


def _marks(decoded: Decoded) -> int:
    return decoded.bad + decoded.cut_tail


def _wide(data: bytes) -> Decoded | None:
    """UTF-16/32 without a BOM, told by where its NUL bytes fall; None when they fall elsewhere."""
    body = data.rstrip(b"\x00")  # trailing padding: NULs at every offset, as UTF-32 would have
    encoding = wide_encoding(body[:_SNIFF_BYTES])
    if encoding is None:
        return None
    unit = 4 if "32" in encoding else 2
    end = min(len(data), -(-len(body) // unit) * unit)  # the last character's own NUL bytes
    try:
        decoded = _known(data[:end], encoding, nuls=len(data) - end, legacy=True)
    except DecodeError:
        return None
    if len(_IMPLAUSIBLE.findall(decoded.text[:_SNIFF_BYTES])) > _MAX_ODD_SHARE * min(len(decoded.text), _SNIFF_BYTES):
        return None
    return decoded


def wide_encoding(sample: bytes) -> str | None:
    """ASCII and CJK characters have a NUL high byte in UTF-16 (two in UTF-32), almost never a NUL
    low byte: count the NULs at each offset modulo 4, those of padding (long runs) left out."""
    sample = sample[: len(sample) // 4 * 4]
    nuls = [sample[r::4].count(0) for r in range(4)]
    sizes = [len(sample) // 4] * 4
    for run in _NUL_PADDING.finditer(sample):
        for r in range(4):
            inside = (run.end() - r + 3) // 4 - (run.start() - r + 3) // 4
            nuls[r] -= inside
            sizes[r] -= inside
    if min(sizes) <= 0:
        return None
    share = [n / size for n, size in zip(nuls, sizes, strict=True)]
    if share[3] >= 0.99 and share[2] >= 0.9 and share[0] <= 0.1:
        return "utf-32-le"
    if share[0] >= 0.99 and share[1] >= 0.9 and share[3] <= 0.1:
        return "utf-32-be"
    even, odd = nuls[0] + nuls[2], nuls[1] + nuls[3]
    if odd and even * 4 <= odd:
        return "utf-16-le"
    if even and odd * 4 <= even:
        return "utf-16-be"
    # Mostly-CJK text has few ASCII characters, and 「一」 (U+4E00), 「开」 (U+5F00) … have a NUL low
    # byte: the NULs then fall at both parities. Decide by which reading is plausible text.
    if (even + odd) * 50 < sum(sizes) * 2:  # under 1 NUL in 50 code units: not UTF-16
        return None
    readings = {
        encoding: len(_IMPLAUSIBLE.findall(sample.decode(encoding, errors="replace")))
        for encoding, nul_count in (("utf-16-le", odd), ("utf-16-be", even))
        if nul_count
    }
    best = min(readings, key=lambda e: readings[e], default=None)
    if best is None or readings[best] > _MAX_ODD_SHARE * len(sample) / 2:
        return None
    # pairs of ASCII letters read as UTF-16 are CJK code points too: real text has its line breaks
    # and Chinese punctuation, which such pairs almost never give
    text = sample.decode(best, errors="replace")
    return best if sum(text.count(c) for c in "\n。，、：；") * 100 >= len(text) else None


def _without_padding(data: Any, runs: Iterator[re.Match[Any]]) -> tuple[Any, int]:
    """`data` (bytes or str) without its NULs when they come in a few runs; else binary data."""
    limit = 1 + len(data) // _NUL_RUN_SPACING
    if sum(1 for _ in itertools.islice(runs, limit + 1)) > limit:
        raise DecodeError(BINARY)
    nul = data[:0] + ("\x00" if isinstance(data, str) else b"\x00")
    kept = data.replace(nul, data[:0])
    if not kept:
        raise DecodeError(EMPTY)
    return kept, len(data) - len(kept)


def _checked(decoded: Decoded, *, legacy: bool, screened: bool = False) -> Decoded:
    text = decoded.text
    if not text or text.isspace():
        raise DecodeError(EMPTY)
    if not screened and not _looks_like_text(text, legacy=legacy, marks=_marks(decoded)):
        raise DecodeError(BINARY)
    return decoded


def _looks_chinese(text: str) -> bool:
    return len(_NOT_CHINESE.findall(text)) <= _MAX_ODD_SHARE * len(text)


def _guessed_encodings(data: bytes) -> list[str]:
    """charset-normalizer's guess (a Chinese guess is read as GB18030, tried already), then Big5."""
    from charset_normalizer import from_bytes  # imported only for input that is not GB18030 (slow import)

    sample = data[:_SNIFF_BYTES]
    cut = sample.rfind(b"\n")
    if len(data) > _SNIFF_BYTES and cut > 0:
        sample = sample[:cut]  # do not end the sample inside a multibyte character
    best = from_bytes(sample).best()
    guess = best.encoding.lower() if best else None
    # UTF-16/32 are told by their NUL bytes (_wide): a guess of them for bytes without NULs is wrong.
    guesses = [] if guess is None or guess in _CHINESE or guess.startswith(("utf_16", "utf_32")) else [guess]
    return guesses if guess in _PARTIAL_LEGACY else [*guesses, "big5"]  # a damaged Big5 file is not guessed


def _looks_like_text(text: str, *, legacy: bool, marks: int = 0) -> bool:
    """Few control characters (and, for a legacy decode, few private-use characters); `marks` are
    U+FFFD the decoding put in (bad spots, reported on their own)."""
    odd = len(_CONTROL.findall(text)) - marks
    if legacy:
        odd += len(_PRIVATE_USE.findall(text))
    return odd <= _MAX_ODD_SHARE * len(text)


def _utf8_looks_like_text(data: bytes) -> bool:
    """_looks_like_text on the UTF-8 bytes: counting bytes is several times faster than a regex."""
    odd = len(data) - len(data.translate(None, _C0_BYTES)) + data.count(b"\xef\xbf\xbd")
    if b"\xc2" in data:
        odd += len(_C1_UTF8.findall(data))
    return not odd or odd <= _MAX_ODD_SHARE * len(data.decode("utf-8"))


def _mostly_binary(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    return len(sample) - len(sample.translate(None, _C0_BYTES)) > _MAX_ODD_SHARE * len(sample)
