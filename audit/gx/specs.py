"""Which rules of rules/*.yaml become GX expectations, over which frame, with which row condition —
and, for the others, why GX cannot express them (docs/gx.md lists them from here). No GX import.

A rule is exported when its check kind is a table identity (sum_equals, balance), a value
constraint (non_negative) or a year chain (year_chain: an identity over a row of the year-pairs
frame, which joins each report to the previous year's): a yes/no question about one row of a frame.
Its `applies_to` becomes a pandas row condition over the derived frames' scope columns
(audit.gx.frames.SCOPE_COLUMNS; for a year pair, on both reports of the run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from audit.gx.frames import STATES, pairs_name, previous_column, previous_scope, state_column, wide_name
from audit.validate.engine import DEFAULT_SCOPE
from audit.validate.kinds_history import CHAIN_TOLERANCE, signed_terms

IDENTITY_KINDS = frozenset({"sum_equals", "balance"})
VALUE_KINDS = frozenset({"non_negative"})
CHAIN_KINDS = frozenset({"year_chain"})

# Why the other check kinds stay native (docs/gx.md): GX validates one batch row by row or column by
# column; these need text, other documents, dates against a calendar or the run's own failures.
NOT_EXPRESSIBLE: dict[str, str] = {
    "claim_matches_cell": "matches numbers stated in the narrative to table cells by meaning (metric, scope, "
    "approximation): text understanding, not a frame constraint",
    "percentage_fits": "searches the plausible denominators of a stated percentage within rounding",
    "parts_sum": "needs the narrative's lists of parts, grouped by sentence",
    "year_over_year": "compares narrative claims with another year's report (cross-document)",
    "copied_text": "compares the text of reports with each other (sentences, masked clauses)",
    "period_matches_year": "a check of document metadata, not of the tables: outside the exported set (table "
    "identities and value constraints); a year comparison on `documents` could be a built-in expectation",
    "date_order": "a check of document metadata, not of the tables: outside the exported set; on `documents` it "
    "would be the built-in ExpectColumnPairValuesAToBeGreaterThanB (signed/published vs period_end)",
    "deadline": "statutory deadline from a calendar of rules by year (domain.md §1)",
    "document_kind": "a fact about the document (guide, notice), not a data constraint",
    "copy": "compares whole documents with each other (duplicates)",
    "conflicting_versions": "compares versions of one agency's report with each other (cross-document)",
    "table_present": "reads the document's outline (a heading without its table)",
    "extraction_issue": "reports what extraction met (the issues frame), not a property of the values",
    "shape_matches_year": "compares the table shape with the format the report year requires",
    "outline": "reads the document's section outline",
    "unreadable_input": "about input files, before there are frames",
    "source_notes": "about input files (limits, bad bytes), before there are frames",
    "internal_error": "reports failures of the tool itself (including GX's), so it runs last, natively",
    "no_reports": "about the run as a whole (no report found)",
}


@dataclass(frozen=True)
class Spec:
    """One exported rule: the frame its expectations read and what they check."""

    rule: dict[str, Any]
    frame: str
    expectation: str  # identity | chain | non_negative
    condition: str  # pandas row condition: the rule's scope (and groups)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.rule["id"])


def _listed(values: Any) -> str:
    return "[" + ", ".join(repr(str(v)) for v in values) + "]"


def scope_condition(applies_to: dict[str, Any] | None, name: Callable[[str], str] = str) -> list[str]:
    """The native engine's scope (audit.validate.engine._Scopes.context) as row-condition terms;
    `name` maps a scope column to the frame's (a year pair's previous report: previous_<column>)."""
    scope = {**DEFAULT_SCOPE, **(applies_to or {})}
    terms = []
    if scope.get("kinds") is not None:
        terms.append(f"{name('document_kind')} in {_listed(scope['kinds'])}")
    if not scope.get("copies", False):
        terms.append(f"{name('is_copy')} == False")
        if not scope.get("renderings", False):
            terms.append(f"{name('is_rendering')} == False")
    if scope.get("formats") is not None:
        terms.append(f"{name('document_format')} in {_listed(scope['formats'])}")
    if scope.get("exclude_formats"):
        terms.append(f"{name('document_format')} not in {_listed(scope['exclude_formats'])}")
    return terms


def _identity(rule: dict[str, Any]) -> Spec:
    params = dict(rule.get("params") or {})
    axis = params["group_by"]
    if rule["kind"] == "sum_equals":
        left, right, location = list(params["parts"]), [params["total"]], "total"
    else:
        left, right, location = list(params["left"]), list(params["right"]), "group"
    alternatives = [list(a) for a in params.get("alternatives", [])]
    terms = scope_condition(rule.get("applies_to"))
    if params.get("groups"):
        terms.append(f"{axis} in {_listed(params['groups'])}")
    sides = {"left": left, "right": right, "alternatives": alternatives, "location": location}
    params = {**params, **sides, "tolerance": float(params.get("tolerance", 1e-6))}
    return Spec(rule, wide_name(params["table"], axis), "identity", " and ".join(terms), params)


def _non_negative(rule: dict[str, Any]) -> Spec:
    params = dict(rule.get("params") or {})
    terms = scope_condition(rule.get("applies_to"))
    terms.append(f"table in {_listed(params['tables'])}")
    if params.get("signed_columns"):
        terms.append(f"column not in {_listed(params['signed_columns'])}")
    return Spec(rule, "cells_scoped", "non_negative", " and ".join(terms), params)


def _chain(rule: dict[str, Any]) -> Spec:
    """previous year's terms + this year's terms = this year's target, on each year pair's row.
    Only the run's reports have a scope (the store's are annual reports, no copies, whatever the
    rule's applies_to), and a row is a check only when every operand cell exists in both reports:
    the native chain skips a pair with a cell absent (not assessable is for blank and placeholder)."""
    params = dict(rule.get("params") or {})
    axis = params["axis"]
    previous = [(previous_column(k), s) for k, s in signed_terms(params["previous"])]
    current = signed_terms(params.get("current"))
    target = str(params["target"])
    left = [k for k, s in [*previous, *current] if s > 0]
    right = [target, *(k for k, s in [*previous, *current] if s < 0)]
    formats = params.get("formats") or {}
    terms = []
    for in_run, name in (("in_run", str), ("previous_in_run", previous_scope)):
        scoped = scope_condition(rule.get("applies_to"), name)
        if scoped:
            terms.append(f"({in_run} == False or ({' and '.join(scoped)}))")
    terms.append(f"document_format in {_listed(formats.get('current', ['2019', '2021']))}")
    terms.append(f"{previous_scope('document_format')} in {_listed(formats.get('previous', ['2019', '2021']))}")
    if params.get("groups"):
        terms.append(f"{axis} in {_listed(params['groups'])}")
    terms.extend(f"`{state_column(k)}` in {_listed(STATES)}" for k in dict.fromkeys([target, *left, *right]))
    sides = {"group_by": axis, "left": left, "right": right, "alternatives": [], "location": "target"}
    params = {**params, **sides, "tolerance": CHAIN_TOLERANCE}
    return Spec(rule, pairs_name(params["table"], axis), "chain", " and ".join(terms), params)


def specs(rules: list[dict[str, Any]]) -> tuple[list[Spec], dict[str, str]]:
    """(the exported rules' specs, rule id → why the rule is not exported)."""
    exported, native = [], {}
    for rule in rules:
        if rule["kind"] in IDENTITY_KINDS:
            exported.append(_identity(rule))
        elif rule["kind"] in VALUE_KINDS:
            exported.append(_non_negative(rule))
        elif rule["kind"] in CHAIN_KINDS:
            exported.append(_chain(rule))
        else:
            native[str(rule["id"])] = NOT_EXPRESSIBLE.get(rule["kind"], f"check kind {rule['kind']} has no GX form")
    return exported, native
