"""The parts of a list the narrative gives after 其中/包括: 「主动公开信息262条,其中人民日报2条,学习强国2条,
…各1条」 (audit.extract.claims reads the whole before it)."""

from __future__ import annotations

import re

from audit.extract import claim_words as w
from audit.extract.numbers import Number, find_numbers


def list_parts(text: str, start: int, unit: str) -> tuple[list[tuple[Number, int]], bool, bool]:
    """(parts with their multiplicity, open-ended?, has an 其他 part) of the list after 其中 at `start`."""
    depth = 0
    end = len(text)
    for m in _LIST_END.finditer(text, start):  # (the characters that matter, not every character)
        c = m.group()
        if c in "(（":
            depth += 1
        elif c in ")）":
            depth -= 1
            if depth < 0:
                end = m.start()
                break
        elif depth == 0:  # 。
            end = m.start()
            break
    segments = _segments(text[start:end], unit)
    parts: list[tuple[Number, int]] = []
    open_ended = other = mixed = False
    kinds: set[str] = set()
    offset = start
    for segment in segments:
        flat = _flat(segment)
        numbers = [n for n in find_numbers(flat, with_unit=True) if n.unit == unit]
        # an item given in money or in another unit (「资金3.2亿元」, 「政策解读36篇」) is in the list but not
        # in the sum: the list is no exhaustive split of its whole (domain.md §10.31)
        mixed = mixed or (not numbers and _other_measure(flat, unit))
        if numbers:
            n = numbers[0]
            label = segment[: n.start]
            times = label.count("、") + 1 if segment[n.start - 1 : n.start] == "各" else 1
            parts.append((Number(n.value, n.start + offset, n.end + offset, n.unit, n.approx, n.low, n.high), times))
            other = other or bool(w.OTHER_PART.search(label))
            open_ended = open_ended or bool(w.OPEN_LIST.match(segment[n.end :].lstrip()))
            kinds.update(k for k, pattern in w.PART_KINDS if pattern.search(label))
        offset += len(segment) + 1
    # 「3件,其中直接起诉2件,复议后起诉1件,尚未审结1件」 lists parts of two different splits; a figure
    # given approximately among exact ones (「报送上级100余条」) says the list does not add up exactly
    approximate = any(n.approx for n, _ in parts) and not all(n.approx for n, _ in parts)
    return parts, open_ended or len(kinds) > 1 or mixed or approximate, other


_MONEY = re.compile(r"\d\s*(?:万|亿)?元")


def _other_measure(segment: str, unit: str) -> bool:
    """Whether a list item gives a sum of money or a count in another unit than the list's."""
    if "元" in segment and _MONEY.search(segment):
        return True
    return any(n.unit in w.COUNT_UNITS and n.unit != unit for n in find_numbers(segment, with_unit=True))


def _segments(body: str, unit: str) -> list[str]:
    """The items of a list: 「a、b、c;」 ends at the first ; when its items are joined by 、;
    「a;b;c」 gives one item per ; (its first number; the rest are details); else items by , (and by 、
    within one that holds several counts: 「政府文件45条、人事信息23条」).
    Separators inside parentheses (「直接起诉2件(维持1件,尚未审结1件)」) do not split."""
    head = _split_top(body, ";；", maxsplit=1)
    if len(head) == 2:
        first = head[0]
        if _joined_by_dunhao(first, unit):
            return _split_top(first, "、")
        return _split_top(body, ";；")
    return [item for segment in _split_top(body, ",，") for item in _by_dunhao(segment, unit)]


def _joined_by_dunhao(segment: str, unit: str) -> bool:
    return "、" in segment and len([n for n in find_numbers(_flat(segment)) if n.unit == unit]) > 1


def _by_dunhao(segment: str, unit: str) -> list[str]:
    """A segment split at 、 when it holds several counts; names with no count of their own stay with
    the count after them (「省园区办、中国应急各1条」 is one item)."""
    if not _joined_by_dunhao(segment, unit):
        return [segment]
    out: list[str] = []
    pending = ""
    for piece in _split_top(segment, "、"):
        pending = f"{pending}、{piece}" if pending else piece
        if any(n.unit == unit for n in find_numbers(_flat(pending))):
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out


def _split_top(body: str, separators: str, maxsplit: int = 0) -> list[str]:
    """`body` split at the separators outside parentheses (each piece keeps its offset: pieces and
    separators together are the whole body)."""
    out: list[str] = []
    depth = start = 0
    marks = _MARKS.get(separators) or _MARKS.setdefault(separators, re.compile(f"[(（)）{re.escape(separators)}]"))
    for m in marks.finditer(body):  # (the characters that matter, not every character)
        c = m.group()
        if c in "(（":
            depth += 1
        elif c in ")）":
            depth = max(depth - 1, 0)
        elif depth == 0 and (not maxsplit or len(out) < maxsplit):
            i = m.start()
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    return out


_LIST_END = re.compile("[(（)）。]")
_MARKS: dict[str, re.Pattern[str]] = {}  # separators → the pattern of them and of parentheses


def _flat(segment: str) -> str:
    """The segment with parenthesised details blanked out (same length, so spans still hold)."""
    if "(" not in segment and "（" not in segment:
        return segment
    return _DETAILS.sub(lambda m: " " * len(m.group()), segment)


_DETAILS = re.compile(r"[(（][^()（）]*[)）]")
