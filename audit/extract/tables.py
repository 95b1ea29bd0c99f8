"""Find the three standard tables in a document's token stream and collect each row's values.

One pass over the tokens (audit.extract.tokens) with a small state machine: a caption, header or
row label says which table we are in; a row label opens a row; values fill it; a row end, the next
label or narrative text closes it. What the rows hold is turned into cells and extraction issues
by audit.extract.table_cells — this module only decides which values belong to which row, and
records how they were printed, so that the cell reader can refuse what layout leaves open:

- a row label printed alone (a converter's heading `### (一) 予以公开`, a label line above a
  header row) stays open across header rows until its values come (§10.18);
- a row label followed by empty cells only (`行政许可 | ||||`, or `行政处罚 |` then `| ||`) is a
  row of blank cells (§10.20), not a missing one;
- values that follow no label (an unlabelled row, the start of a fragment cut inside a table, the
  numbers a PDF prints one line above a tall row's label) are kept apart as `loose` values: they go
  to the next row only when that row has none of its own (the cell reader decides whether the
  table's layout allows it), otherwise they are an unlabelled row, reported and never placed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from audit import labels as L
from audit.extract.cells import parse_cell
from audit.extract.tokens import BLANK, PIPES_ONLY, ROWEND, Token, several_values
from audit.labels import (
    A20_CAPTION,
    A20_HEADER,
    A20_ROW,
    APP_GROUP,
    APP_HEADER,
    APP_ROW,
    APP_START,
    HEADING,
    RL_HEADER,
    RL_START,
    TEXT,
    UNKNOWN,
)

APPLICATIONS, REVIEW, ARTICLE20 = "applications", "review_litigation", "article20"
REVIEW_CELLS = 15
_REVIEW_ONLY = re.compile(r"维持|纠正|审结|直接起诉|复议后起诉")
# A change written as words in a value cell (§10.21: `减4`, `增加3`): a value nobody may read as a sign.
WORDED = re.compile(r"^(?:增加?|减少?|新增|净增|净减)\s*\d[\d,.]*\s*(?:项|件|个)?$")
# A row label with its cells run on (§10.21: `规章000`): the digits cannot be split into cells.
GLUED = re.compile(r"[^\s\d+\-.,|][+\-]?\d[\d+\-.,]*(?:元|万元|亿元)?$")
_GLUED_ENDS = frozenset("0123456789元")  # (cheap test before the pattern: labels rarely end so)
# A label that starts a row of its own (「5.…」, 「(六)…」), never the rest of the label before it.
_NUMBERED = re.compile(r"[(（]?[一二三四五六七八九十]+[)）、]|\d+[.．、](?!\d)")


def _row_like(values: list[Token]) -> bool:
    """Numbers that look like (the end of) a table row, not a stray number."""
    cells = [parse_cell(v.text) for v in values if v.kind != BLANK]
    return sum(1 for c in cells if c is not None and c.value is not None) >= 3


@dataclass(slots=True)
class Row:
    table: str
    key: str | None  # None: a label we do not know, or no label (its values are kept apart, never guessed)
    label: Token
    values: list[Token] = field(default_factory=list)
    caption: str | None = None  # 第二十条 item (一/五/六/八/九) the row sits under
    label_lines: set[int] = field(default_factory=set)  # the lines its label is printed on (wrapped: several)
    own_lines: set[int] = field(default_factory=set)  # the lines of the labels that name this row
    beside: bool = False  # its values start on a label line (PDF text: numbers beside the label)
    delimited: bool = False  # a row end (pipes) closed it: its values cannot be another row's
    blank: bool = False  # printed with empty cells only: every cell is blank
    glued: bool = False  # its label runs on into digits (`规章000`): its cells cannot be read
    before: list[Token] = field(default_factory=list)  # loose values printed before its label
    unlabelled: bool = False  # values with no label at all
    text: str = ""  # a label we do not know yet: its pieces so far


@dataclass
class TableScan:
    """What one pass over a document found."""

    rows: list[Row] = field(default_factory=list)
    review_values: list[Token] = field(default_factory=list)
    review_start: Token | None = None
    seen: dict[str, Token] = field(default_factory=dict)  # table → first token of it
    last: dict[str, Token] = field(default_factory=dict)  # table → last token read inside it
    a20_headers: dict[str, str] = field(default_factory=dict)  # caption → header text
    ended_at_document_end: set[str] = field(default_factory=set)
    started_at_document_start: set[str] = field(default_factory=set)  # the text begins inside it
    app_header_seen: bool = False  # the 勾稽关系 header cell: the applications table for sure
    cut_value: Token | None = None  # the text ends inside this value (no delimiter after it)
    leading: list[list[Token]] = field(default_factory=list)  # the text begins with these values of some table


class _Scanner:
    def __init__(self) -> None:
        self.scan = TableScan()
        self.zone: str | None = None
        self.row: Row | None = None
        self.caption: str | None = None
        self.caption_has_rows = False  # past the header of the current 第二十条 caption
        self.loose: list[Token] = []  # values that follow no label
        self.since_label = 0  # tokens since the open row's label
        self.outside = False  # text outside every table was met: the text did not begin inside one
        self.review_blanks: list[Token] = []  # blank cells in the review table before its first value
        self.pre_label = ""  # pieces of a label before any table, while the text may begin inside one
        self.pre_line = 0  # the line of the last of them
        self.next: Token | None = None  # the token after the one being read

    # -- zone and row bookkeeping ------------------------------------------------------------
    def enter(self, zone: str, token: Token, *, start: bool = False) -> None:
        """Into `zone`, at its first cell (`start`: its header, caption or heading) or at a row."""
        self.close_row()
        if self.zone is None and not self.outside and start and _row_like(self.loose):
            # the text begins with numbers, then a table's header: they ended a table before it
            self.scan.leading.append(self.loose)
            self.loose = []
        elif zone != self.zone and (self.zone is not None or start):
            self.flush_loose()
        if zone not in self.scan.seen and not self.outside:
            self.scan.started_at_document_start.add(zone)
        self.zone = zone
        self.scan.seen.setdefault(zone, token)

    def leave(self) -> None:
        self.close_row()
        if self.zone is None and not self.outside and _row_like(self.loose):
            self.scan.leading.append(self.loose)  # the text begins with numbers of a table we cannot name
            self.loose = []
        self.flush_loose()
        self.zone = None

    def open_row(self, table: str, key: str | None, token: Token) -> None:
        row = self.row
        if row is not None and key is not None and row.key == key and row.table == table and not row.values:
            row.label_lines.add(token.line)  # the label again (a heading, then the table's own label cell)
            row.own_lines.add(token.line)
            return
        self.close_row()
        caption = self.caption if table == ARTICLE20 else None
        self.row = Row(
            table, key, token, caption=caption, label_lines={token.line}, own_lines={token.line}, before=self.loose
        )
        self.row.glued = key is not None and token.text[-1:] in _GLUED_ENDS and bool(GLUED.search(token.text))
        self.loose = []
        self.since_label = 0

    def close_row(self) -> None:
        row = self.row
        if row is not None and (row.values or row.key or row.before):
            self.scan.rows.append(row)
        self.row = None

    def flush_loose(self) -> None:
        """Loose values nobody claimed: an unlabelled row of the current table (reported)."""
        if self.loose and self.zone in (APPLICATIONS, ARTICLE20):
            first = self.loose[0]
            self.scan.rows.append(Row(self.zone, None, first, list(self.loose), unlabelled=True))
        self.loose = []

    # -- tokens ----------------------------------------------------------------------------
    def run(self, tokens: list[Token]) -> None:
        """Every token in order, each to its reader: a row end, a value, or a label (this loop runs
        once per token, so the dispatch is written out here)."""
        count = len(tokens)
        for k, token in enumerate(tokens, start=1):
            self.next = tokens[k] if k < count else None
            self.since_label += 1
            kind, text, _ = token
            if kind == ROWEND:
                self.row_end(token)
            elif (
                kind == BLANK
                or (
                    (
                        (cell := parse_cell(text)) is not None
                        and not (cell.placeholder and self._in_label() and not cell.raw.isascii())
                    )
                    # a value's place, and no value in it: `减4`, `3 5` (refused)
                    or (text[:1] in "增减新净" and WORDED.match(text))
                    or (" " in text and several_values(text))
                )
            ):
                self.value(token)
            else:
                self.label(token, L.classify_short(text) if len(text) <= L.SHORT else L.classify(text))

    def _in_label(self) -> bool:
        """Inside a label we do not know yet (a merged label printed one character per line,
        「(」「四」「)」「无」「法」…): 「无」 there is a character of it, not a blank cell."""
        row = self.row
        return self.zone in (APPLICATIONS, ARTICLE20) and (row is None or (row.key is None and not row.values))

    def row_end(self, token: Token) -> None:
        if self.zone == REVIEW:
            self.review_blanks = []  # the blanks ended a header row
            return
        row = self.row
        if row is None:
            if self.zone is not None:  # (before any table they may yet be the start of a fragment)
                self.flush_loose()
            return
        if row.values or row.glued:
            row.delimited = True
            self.close_row()
        elif (token.text == "" and token.line in row.own_lines) or (token.text == PIPES_ONLY and self.since_label == 1):
            row.blank = True  # `行政许可 | ||||`, `行政处罚 |` then `| ||`: printed, and empty
            self.close_row()
        # else: a header row between a label printed alone and its values — the row stays open

    def value(self, token: Token) -> None:
        if self.zone is None and token.line == self.pre_line:
            return  # the value of a label we do not know (`浏览次数 | 123 |`), before any table
        if self.zone == REVIEW:
            values = self.scan.review_values
            if token.kind == BLANK and not values:
                self.review_blanks.append(token)  # a blank header cell, or the data row's first cells
                return
            if not values:
                values += self.review_blanks  # blanks right before the first value: its row's
            values.append(token)  # all of them, up to the next label: 16 values are no 15
            self.scan.last[REVIEW] = token
            return
        self.pre_label = ""
        row = self.row
        if row is not None and not row.values and not self.loose:
            row.beside = token.line in row.label_lines
            row.values.append(token)
        elif row is not None and not self.loose and not (row.beside and token.line != row.values[-1].line):
            row.values.append(token)
        elif token.kind != BLANK or self.loose:
            # after a row whose numbers stood beside its label, a line of numbers of its own
            self.loose.append(token)
        if self.zone:
            self.scan.last[self.zone] = token

    def label(self, token: Token, label: L.Label) -> None:
        if label.kind == UNKNOWN and token.text[-1:] in _GLUED_ENDS and GLUED.search(token.text):
            bare = L.classify(GLUED.sub(lambda m: m.group()[0], token.text))  # 「(六)其他处理0000000」
            if bare.kind in (APP_ROW, A20_ROW):
                label = bare
        kind = label.kind
        self.review_blanks = []
        if kind == APP_START:
            self.enter(APPLICATIONS, token, start=True)
            self.scan.app_header_seen = True
        elif kind == APP_ROW:
            if self.zone != APPLICATIONS:
                self.enter(APPLICATIONS, token)
            self.open_row(APPLICATIONS, label.key, token)
        elif kind == RL_START:
            self.enter(REVIEW, token, start=True)
            self.scan.review_start = self.scan.review_start or token
        elif kind == A20_CAPTION:
            self.enter(ARTICLE20, token)
            self.caption = label.key
            self.caption_has_rows = False
            self.scan.a20_headers.setdefault(label.key or "", "")
        elif kind == A20_ROW and (self.zone == ARTICLE20 or self._begins_inside_a20(token)):
            if self.zone is None:
                self.enter(ARTICLE20, token)  # a fragment that begins inside the 第二十条 table
            self.open_row(ARTICLE20, label.key, token)
            self.caption_has_rows = True
        elif kind == HEADING and "复议" in token.text and "诉讼" in token.text and REVIEW not in self.scan.seen:
            self.enter(REVIEW, token, start=True)  # 「四、…行政复议、行政诉讼情况」: what follows is that table
        elif kind in (HEADING, TEXT):
            self.leave()
        elif kind == APP_GROUP:
            if self.zone == APPLICATIONS:
                self.close_row()
        elif (
            kind == RL_HEADER
            and self.zone != REVIEW
            and REVIEW not in self.scan.seen
            and _REVIEW_ONLY.search(token.text)
        ):
            self.enter(REVIEW, token, start=True)  # the 「行政复议」 cell was lost, the outcome headers remain
            self.scan.review_start = token
        elif kind == A20_HEADER and L.normalize_label(token.text) == "信息内容" and self._new_a20_block():
            self.enter(ARTICLE20, token)  # a 第二十条 sub-table whose caption was lost
            self.caption = f"#{token.line}"
            self.caption_has_rows = False
            self.scan.a20_headers[self.caption] = ""
        elif kind in (APP_HEADER, A20_HEADER, RL_HEADER):
            self.header(token)
        else:
            self.unknown(token)
        if self.zone:
            self.scan.last[self.zone] = token
        if self.zone is None and kind in (TEXT, HEADING):
            self.outside = True  # narrative: the text did not begin inside a table

    def _begins_inside_a20(self, token: Token) -> bool:
        """A 第二十条 row label before any table and any text, with its numbers beside it (`规章 | 0 |`):
        the text begins inside that table. 规章, 行政许可… alone are common words."""
        after = self.next
        return (
            self.zone is None
            and not self.outside
            and after is not None
            and after.line == token.line
            and after.kind != ROWEND
            and (after.kind == BLANK or parse_cell(after.text) is not None)
        )

    def _new_a20_block(self) -> bool:
        return self.zone != ARTICLE20 or self.caption is None or self.caption_has_rows

    def header(self, token: Token) -> None:
        if self.zone == ARTICLE20 and self.caption is not None and not self.caption_has_rows:
            self.scan.a20_headers[self.caption] += L.normalize_label(token.text)
        elif self.row is not None and self.row.values:
            self.close_row()

    def unknown(self, token: Token) -> None:
        if self.zone is None and not self.outside:
            # the text may begin inside a table, with a row label broken over lines
            self.pre_line = token.line
            self.pre_label += L.normalize_label(token.text)
            label = L.classify(self.pre_label)
            if label.kind == APP_ROW or (label.kind == A20_ROW and self._begins_inside_a20(token)):
                self.pre_label = ""
                self.label(token, label)
            elif len(self.pre_label) > 60:
                self.outside = True  # a title or other text, not a row label
            return
        if self.zone is None or self.zone == REVIEW:
            return
        row = self.row
        if row is not None and not row.values and not _NUMBERED.match(token.text.strip()):
            row.label_lines.add(token.line)  # the rest of a label broken across cells or lines
            if row.key is None:
                self._relabel(row, token)
            return
        if self.zone == ARTICLE20 and self.caption is not None and not self.caption_has_rows:
            self.scan.a20_headers[self.caption] += L.normalize_label(token.text)
            return
        self.open_row(self.zone, None, token)
        if self.row is not None:
            self.row.text = L.normalize_label(token.text)

    def _relabel(self, row: Row, token: Token) -> None:
        """A label read in pieces (wrapped, or one character per line): what the pieces say together."""
        row.text += L.normalize_label(token.text)
        label = L.classify(row.text)
        if label.kind == APP_GROUP:
            self.row = None  # a group label (「(三)不予公开」), not a row
        elif (label.kind, self.zone) in ((APP_ROW, APPLICATIONS), (A20_ROW, ARTICLE20)):
            row.key = label.key
            row.own_lines.add(token.line)
            if self.zone == ARTICLE20:
                self.caption_has_rows = True


def scan_tables(tokens: Iterable[Token], *, ends_open: bool = False) -> TableScan:
    """The tables of a token stream; `ends_open`: the text's last line ends without a cell
    delimiter, so a value it ends with may have been cut."""
    scanner = _Scanner()
    last: Token | None = None
    last_cell: Token | None = None  # the last cell of the text (a row end after it closes nothing)
    stream = tokens if isinstance(tokens, list) else list(tokens)
    scanner.run(stream)
    if stream:
        last = stream[-1]
        last_cell = next((token for token in reversed(stream) if token.kind != ROWEND), None)
    if scanner.zone is not None:
        scanner.scan.ended_at_document_end.add(scanner.zone)
    if ends_open and last_cell is not None and last_cell.kind != BLANK and parse_cell(last_cell.text) is not None:
        scanner.scan.cut_value = last_cell  # read into a row or the review values, or loose
    scanner.close_row()
    scanner.flush_loose()
    if last is not None:
        # a table still open when the document ends may have been cut off
        for table, token in scanner.scan.last.items():
            if token is last:
                scanner.scan.ended_at_document_end.add(table)
    return scanner.scan
