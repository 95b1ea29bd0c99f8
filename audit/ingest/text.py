"""Plain text: bytes → decoded lines (as written) and NFKC-normalised lines (what extractors read).

Decoding order: a BOM (UTF-8, UTF-16, UTF-32) decides; else strict UTF-8; else GB18030 (a
superset of GB2312 and GBK, the legacy encoding of Chinese government pages) when it reads as
Chinese; else charset-normalizer's guess (Big5 mirrors, other legacy code pages). Whatever decodes
must still look like text: NUL bytes or many control characters mean binary data, which is an
error, never a page of mojibake.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from audit.model import Source

EMPTY = "空文件或只有空白 (empty file or only whitespace)"
BINARY = "不支持的格式或二进制数据 (unsupported or binary input)"
UNDECODABLE = "无法识别文本编码 (undecodable text: not UTF-8, UTF-16 or GB18030)"

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "cp936", "euc_cn", "iso2022_cn"}
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

# The characters scraped Chinese pages most often hold that NFKC changes (full-width ASCII, the
# ideographic and other wide spaces, NBSP, Roman and circled numerals, 「㈠」) are replaced by their
# NFKC form where they occur, so that NFKC proper (~0.25 µs per CJK character) runs only on
# lines that still need it.
_COMPAT_RANGES = ((0xFF01, 0xFF5E), (0x2000, 0x200A), (0x3000, 0x3000), (0xA0, 0xA0), (0x202F, 0x202F), (0x2160, 0x217F), (0x2460, 0x24FF), (0x3220, 0x3243))  # fmt: skip
_COMPAT = {chr(c): unicodedata.normalize("NFKC", chr(c)) for lo, hi in _COMPAT_RANGES for c in range(lo, hi + 1)}
_COMPAT_CHARS = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMPAT_RANGES) + "]")


class DecodeError(ValueError):
    """The bytes are not text this reader can decode; `str(error)` is the reason (中文 + English)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode(data: bytes) -> Decoded:
    """The text of `data` and the encoding it was read with; raises DecodeError."""
    if not data:
        raise DecodeError(EMPTY)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, encoding), encoding, legacy=False)
    if b"\x00" in data:
        raise DecodeError(BINARY)
    text = _strict(data, "utf-8")
    if text is not None:
        if not _utf8_looks_like_text(data):
            raise DecodeError(BINARY)
        return _checked(text, "utf-8", legacy=False, screened=True)
    text = _strict(data, "gb18030")
    if text is not None and _looks_like_text(text, legacy=True) and _looks_chinese(text):
        return _checked(text, "gb18030", legacy=True)
    for encoding in _guessed_encodings(data):
        text = _strict(data, encoding)
        if text is not None and _looks_like_text(text, legacy=True):
            return _checked(text, encoding, legacy=True)
    raise DecodeError(BINARY if _mostly_binary(data) else UNDECODABLE)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _checked(text: str | None, encoding: str, *, legacy: bool, screened: bool = False) -> Decoded:
    if text is None:
        raise DecodeError(UNDECODABLE)
    if not text.strip():
        raise DecodeError(EMPTY)
    if not screened and not _looks_like_text(text, legacy=legacy):
        raise DecodeError(BINARY)
    return Decoded(text, encoding)


def _looks_chinese(text: str) -> bool:
    return len(_NOT_CHINESE.findall(text)) <= _MAX_ODD_SHARE * len(text)


def _guessed_encodings(data: bytes) -> list[str]:
    """charset-normalizer's guess (a Chinese guess read as GB18030), then GB18030 anyway."""
    from charset_normalizer import from_bytes  # imported only for input that is not GB18030 (slow import)

    sample = data[:_SNIFF_BYTES]
    cut = sample.rfind(b"\n")
    if len(data) > _SNIFF_BYTES and cut > 0:
        sample = sample[:cut]  # do not end the sample inside a multibyte character
    best = from_bytes(sample).best()
    guess = best.encoding.lower() if best else None
    if guess is None or guess in _CHINESE:
        return ["gb18030"]
    return [guess, "gb18030"]


def _looks_like_text(text: str, *, legacy: bool) -> bool:
    """Few control characters (and, for a legacy decode, few private-use characters)."""
    odd = len(_CONTROL.findall(text))
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


def split_lines(text: str) -> list[str]:
    """Lines split at \\r\\n, \\r or \\n only (not at the other breaks str.splitlines knows)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final line break ends the last line; it does not start an empty one
    return lines


def normalise_lines(lines: list[str], text: str | None = None) -> list[str]:
    """NFKC of each line (full-width digits and brackets, U+3000 and NBSP become ASCII).

    NFKC is the costly step of ingest: most scraped pages are already normalised and are returned
    as they are; most others need only the translation table; NFKC proper runs on what is left.
    The translation maps no character to or from a line break, so the lines stay aligned.
    """
    if text is None:
        text = "\n".join(lines)
    if unicodedata.is_normalized("NFKC", text):
        return lines
    replaced = _COMPAT_CHARS.sub(_compat, text)
    fast = split_lines(replaced)
    if len(fast) != len(lines):  # lines not made by split_lines: go line by line
        fast = [_COMPAT_CHARS.sub(_compat, line) for line in lines]
    if unicodedata.is_normalized("NFKC", replaced):
        return fast
    return [_normalise_line(line) for line in fast]


def _compat(match: re.Match[str]) -> str:
    return _COMPAT[match.group()]


def _normalise_line(line: str) -> str:
    if line.isascii() or unicodedata.is_normalized("NFKC", line):
        return line
    normalised = unicodedata.normalize("NFKC", line)
    # A line must stay one line, whatever a compatibility mapping produced.
    return normalised.replace("\r", " ").replace("\n", " ")


def text_source(data: bytes, path: str) -> Source:
    """A Source for plain text: decoded or, when the bytes are not text, with `error` set."""
    try:
        decoded = decode(data)
    except DecodeError as error:
        return Source(path=path, size=len(data), error=str(error))
    original = split_lines(decoded.text)
    lines = normalise_lines(original, decoded.text)
    return Source(
        path=path,
        lines=lines,
        line_numbers=list(range(1, len(lines) + 1)),
        original=original,
        encoding=decoded.encoding,
        media_type="text/plain",
        size=len(data),
    )
