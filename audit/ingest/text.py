"""Plain text: bytes → decoded lines (as written) and NFKC-normalised lines (what extractors read),
with notes of what was not read whole: bad spots (audit.ingest.decoding marks them U+FFFD), cut lines
and lines beyond the limits.
"""

from __future__ import annotations

import re
import unicodedata

from audit.ingest.decoding import BINARY, EMPTY, UNDECODABLE, Decoded, DecodeError, decode, wide_encoding
from audit.model import Source, SourceNote

__all__ = ["BINARY", "EMPTY", "UNDECODABLE", "DecodeError", "Decoded", "decode", "text_source", "wide_encoding"]

MAX_TEXT_LINES = 1_000_000
# Characters kept of one text line: scraped text often holds a whole report on one line (5,000 to
# 60,000 characters); a longer line is junk or hostile (a 50 MB line took minutes downstream).
MAX_TEXT_LINE_CHARS = 200_000
# Notes of one kind given line by line (validate makes one finding per note); the rest are summed
# up in one more note.
MAX_NOTES = 10

# The characters scraped Chinese pages most often hold that NFKC changes (full-width ASCII, the
# ideographic and other wide spaces, NBSP, Roman and circled numerals, 「㈠」) are replaced by their
# NFKC form where they occur, so that NFKC proper (~0.25 µs per CJK character) runs only on
# lines that still need it.
_COMPAT_RANGES = ((0xFF01, 0xFF5E), (0x2000, 0x200A), (0x3000, 0x3000), (0xA0, 0xA0), (0x202F, 0x202F), (0x2160, 0x217F), (0x2460, 0x24FF), (0x3220, 0x3243))  # fmt: skip
_COMPAT = {chr(c): unicodedata.normalize("NFKC", chr(c)) for lo, hi in _COMPAT_RANGES for c in range(lo, hi + 1)}
_COMPAT_CHARS = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMPAT_RANGES) + "]")


def split_lines(text: str) -> list[str]:
    """Lines split at \\r\\n, \\r or \\n only (not at the other breaks str.splitlines knows)."""
    lines, _ = _split(text, None)
    return lines


def _split(text: str, limit: int | None) -> tuple[list[str], int]:
    """The first `limit` lines of `text` and the number of lines after them (not split)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n", -1 if limit is None else limit)
    if limit is not None and len(lines) > limit:
        rest = lines.pop()
        return lines, (rest.count("\n") + (not rest.endswith("\n"))) if rest else 0
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final line break ends the last line; it does not start an empty one
    return lines, 0


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
    if not unicodedata.is_normalized("NFKC", replaced):
        fast = [_normalise_line(line) for line in fast]
    # an unchanged line is the original's own string, not a second copy of it (a run holds every text)
    return [original if line == original else line for line, original in zip(fast, lines, strict=True)]


def _compat(match: re.Match[str]) -> str:
    return _COMPAT[match.group()]


def _normalise_line(line: str) -> str:
    if line.isascii() or unicodedata.is_normalized("NFKC", line):
        return line
    normalised = unicodedata.normalize("NFKC", line)
    # A line must stay one line, whatever a compatibility mapping produced.
    return normalised.replace("\r", " ").replace("\n", " ")


def capped_notes(code: str, found: list[tuple[int, str]], rest: str) -> list[SourceNote]:
    """One note per (line, detail) up to MAX_NOTES, then one note `rest` (with {count}) for the others."""
    notes = [SourceNote(code, detail, line) for line, detail in found[:MAX_NOTES]]
    if len(found) > MAX_NOTES:
        notes.append(SourceNote(code, rest.format(count=len(found) - MAX_NOTES)))
    return notes


def decode_notes(decoded: Decoded, lines: list[str] | None, *, whole: bool = True) -> list[SourceNote]:
    """`partial_decode` notes: the bad spots line by line when `lines` are the Source's original
    lines (`whole`: all of them) and the input held no U+FFFD of its own, else in one note; the
    cut last character; the NUL bytes dropped."""
    notes: list[SourceNote] = []
    last = len(lines) if lines and whole else 0
    if decoded.bad:
        spots = _spots_by_line(lines, last if decoded.cut_tail else 0) if lines and decoded.exact else []
        listed = sum(count for _, count in spots[:MAX_NOTES])
        notes += [SourceNote("partial_decode", _BAD_LINE.format(count, decoded.encoding), line) for line, count in spots[:MAX_NOTES]]  # fmt: skip
        if decoded.bad > listed:
            template = _BAD_REST if listed else _BAD_ALL
            notes.append(SourceNote("partial_decode", template.format(decoded.bad - listed, decoded.encoding)))
    if decoded.cut_tail:
        notes.append(SourceNote("partial_decode", _CUT_TAIL, last))
    if decoded.nuls:
        notes.append(SourceNote("partial_decode", _NULS.format(decoded.nuls)))
    return notes


_BAD_LINE = "本行有 {} 处无法解码的字节（按 {} 读取），已替换为 U+FFFD (undecodable bytes replaced)"
_BAD_ALL = "共有 {} 处无法解码的字节（按 {} 读取），已替换为 U+FFFD (undecodable bytes replaced)"
_BAD_REST = "其他行中另有 {} 处无法解码的字节（按 {} 读取），已替换为 U+FFFD (undecodable bytes replaced)"
_CUT_TAIL = "文件末尾的字符不完整（文件可能被截断），已替换为 U+FFFD (last character cut: truncated file?)"
_NULS = "删除了 {} 个空字节 (NUL)；末尾的空字节填充可能表示下载不完整 (NUL padding dropped)"


def _spots_by_line(lines: list[str], tail_line: int) -> list[tuple[int, int]]:
    """(1-based line, bad spots on it) for the lines holding U+FFFD; the U+FFFD that marks a cut
    last character (on `tail_line`, 0 for none) is not a bad spot."""
    spots = [(n, line.count("\ufffd") - (n == tail_line)) for n, line in enumerate(lines, 1) if "\ufffd" in line]
    return [(n, count) for n, count in spots if count]


def limit_lines(lines: list[str], dropped: int) -> list[SourceNote]:
    """Cuts `lines` to MAX_TEXT_LINE_CHARS (in place); a note for each cut and for `dropped` lines."""
    notes = []
    if dropped:
        detail = f"文本超过 {MAX_TEXT_LINES} 行的上限，其后 {dropped} 行未读取 (MAX_TEXT_LINES)"
        notes.append(SourceNote("limit_exceeded", detail, len(lines)))
    if lines and max(map(len, lines)) > MAX_TEXT_LINE_CHARS:
        long = [(n, len(line)) for n, line in enumerate(lines, 1) if len(line) > MAX_TEXT_LINE_CHARS]
        for n, _ in long:
            lines[n - 1] = lines[n - 1][:MAX_TEXT_LINE_CHARS]
        found = [(n, _LONG_LINE.format(size, MAX_TEXT_LINE_CHARS)) for n, size in long]
        notes += capped_notes("limit_exceeded", found, _LONG_REST.format("{count}", MAX_TEXT_LINE_CHARS))
    return notes


_LONG_LINE = "本行长 {} 个字符，超过每行 {} 个字符的上限，只读取了前面部分 (MAX_TEXT_LINE_CHARS)"
_LONG_REST = "另有 {} 行超过每行 {} 个字符的上限，已截断 (MAX_TEXT_LINE_CHARS)"


def text_source(data: bytes, path: str) -> Source:
    """A Source for plain text: decoded or, when the bytes are not text, with `error` set."""
    try:
        decoded = decode(data)
    except DecodeError as error:
        return Source(path=path, size=len(data), error=str(error))
    original, dropped = _split(decoded.text, MAX_TEXT_LINES)
    notes = decode_notes(decoded, original, whole=not dropped)
    limits = limit_lines(original, dropped)
    lines = normalise_lines(original, None if limits else decoded.text)
    return Source(
        path=path,
        lines=lines,
        line_numbers=range(1, len(lines) + 1),
        original=original,
        encoding=decoded.encoding,
        media_type="text/plain",
        size=len(data),
        notes=notes + limits,
    )
