"""Find the three standard tables in a document's token stream and collect each row's values.

One pass over the tokens (audit.extract.tokens) with a small state machine: a caption, header or
row label says which table we are in; a row label opens a row; values fill it; a row end, the next
label or narrative text closes it. What the rows hold is turned into cells and extraction issues
by audit.extract.table_cells — this module only decides which values belong to which row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from audit.extract import labels as L
from audit.extract.cells import parse_cell
from audit.extract.tokens import BLANK, ROWEND, Token

APPLICATIONS, REVIEW, ARTICLE20 = "applications", "review_litigation", "article20"
REVIEW_CELLS = 15
_REVIEW_ONLY = re.compile(r"维持|纠正|审结|直接起诉|复议后起诉")


@dataclass
class Row:
    table: str
    key: str | None  # None: a label we do not know (its values are kept apart, never guessed)
    label: Token
    values: list[Token] = field(default_factory=list)
    caption: str | None = None  # 第二十条 item (一/五/六/八/九) the row sits under


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
    app_header_seen: bool = False  # the 勾稽关系 header cell: the applications table for sure


class _Scanner:
    def __init__(self) -> None:
        self.scan = TableScan()
        self.zone: str | None = None
        self.row: Row | None = None
        self.caption: str | None = None
        self.caption_has_rows = False  # past the header of the current 第二十条 caption

    # -- zone and row bookkeeping ------------------------------------------------------------
    def enter(self, zone: str, token: Token) -> None:
        self.close_row()
        self.zone = zone
        self.scan.seen.setdefault(zone, token)

    def leave(self) -> None:
        self.close_row()
        self.zone = None

    def open_row(self, table: str, key: str | None, token: Token) -> None:
        self.close_row()
        self.row = Row(table, key, token, caption=self.caption if table == ARTICLE20 else None)

    def close_row(self) -> None:
        if self.row is not None and (self.row.values or self.row.key):
            self.scan.rows.append(self.row)
        self.row = None

    def touch(self, token: Token) -> None:
        if self.zone:
            self.scan.last[self.zone] = token

    # -- tokens ----------------------------------------------------------------------------
    def feed(self, token: Token) -> None:
        if token.kind == ROWEND:
            if self.zone != REVIEW:
                self.close_row()
            return
        if token.kind == BLANK:
            self.value(token)
            return
        if parse_cell(token.text) is not None:
            self.value(token)
            return
        self.label(token, L.classify(token.text))

    def value(self, token: Token) -> None:
        if self.zone == REVIEW:
            values = self.scan.review_values
            if token.kind == BLANK and not values:
                return  # a blank header cell before the data row
            values.append(token)
            self.touch(token)
            if len(values) >= REVIEW_CELLS:
                self.leave()
            return
        if self.row is not None:
            self.row.values.append(token)
            self.touch(token)

    def label(self, token: Token, label: L.Label) -> None:
        kind = label.kind
        if kind == L.APP_START:
            self.enter(APPLICATIONS, token)
            self.scan.app_header_seen = True
        elif kind == L.APP_ROW:
            if self.zone != APPLICATIONS:
                self.enter(APPLICATIONS, token)
            self.open_row(APPLICATIONS, label.key, token)
        elif kind == L.RL_START:
            self.enter(REVIEW, token)
            self.scan.review_start = self.scan.review_start or token
        elif kind == L.A20_CAPTION:
            self.enter(ARTICLE20, token)
            self.caption = label.key
            self.caption_has_rows = False
            self.scan.a20_headers.setdefault(label.key or "", "")
        elif kind == L.A20_ROW and self.zone == ARTICLE20:
            self.open_row(ARTICLE20, label.key, token)
            self.caption_has_rows = True
        elif kind in (L.HEADING, L.TEXT):
            self.leave()
        elif kind == L.APP_GROUP:
            if self.zone == APPLICATIONS:
                self.close_row()
        elif (
            kind == L.RL_HEADER
            and self.zone != REVIEW
            and REVIEW not in self.scan.seen
            and _REVIEW_ONLY.search(token.text)
        ):
            self.enter(REVIEW, token)  # the 「行政复议」 cell was lost, the outcome headers remain
            self.scan.review_start = token
        elif kind == L.A20_HEADER and L.normalize_label(token.text) == "信息内容" and self._new_a20_block():
            self.enter(ARTICLE20, token)  # a 第二十条 sub-table whose caption was lost
            self.caption = f"#{token.line}"
            self.caption_has_rows = False
            self.scan.a20_headers[self.caption] = ""
        elif kind in (L.APP_HEADER, L.A20_HEADER, L.RL_HEADER):
            self.header(token)
        else:
            self.unknown(token)
        self.touch(token)

    def _new_a20_block(self) -> bool:
        return self.zone != ARTICLE20 or self.caption is None or self.caption_has_rows

    def header(self, token: Token) -> None:
        if self.zone == ARTICLE20 and self.caption is not None and not self.caption_has_rows:
            self.scan.a20_headers[self.caption] += L.normalize_label(token.text)
        elif self.row is not None and self.row.values:
            self.close_row()

    def unknown(self, token: Token) -> None:
        if self.zone is None or self.zone == REVIEW:
            return
        if self.row is not None and not self.row.values:
            return  # the rest of a label broken across cells or lines
        if self.zone == ARTICLE20 and self.caption is not None and not self.caption_has_rows:
            self.scan.a20_headers[self.caption] += L.normalize_label(token.text)
            return
        table = self.zone
        self.open_row(table, None, token)


def scan_tables(tokens: Iterable[Token]) -> TableScan:
    scanner = _Scanner()
    last: Token | None = None
    for token in tokens:
        scanner.feed(token)
        last = token
    if scanner.zone is not None:
        scanner.scan.ended_at_document_end.add(scanner.zone)
    scanner.close_row()
    if last is not None:
        # a table still open when the document ends may have been cut off
        for table, token in scanner.scan.last.items():
            if token is last:
                scanner.scan.ended_at_document_end.add(table)
    return scanner.scan
