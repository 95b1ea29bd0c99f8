"""Every rule against its fixture cases (tests/rules/<rule_id>.yaml), plus the meta-tests that keep
rules, fixtures and docs/rules.md complete, and the arithmetic mutation test on frames.

`pytest -k column_balance` runs one rule's cases.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from audit.model import (
    APP_COLUMNS,
    FINDING_COLUMNS,
    NOT_ASSESSABLE_COLUMNS,
    RL_GROUPS,
    RL_OUTCOMES,
    SEVERITIES,
    Fault,
    Frames,
)
from audit.validate import explain_rule, list_rules, load_rules, run_rules
from audit.validate.docs import render
from audit.validate.registry import REGISTRY
from audit.validate.testing import build_frames, build_history

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "rules"
TABLES = yaml.safe_load((FIXTURES / "_tables.yaml").read_text(encoding="utf-8"))
RULES = load_rules()
RULE = {r["id"]: r for r in RULES}
ARITHMETIC = (
    "applications.column_balance",
    "applications.row_total",
    "applications.results_total",
    "review_litigation.totals",
)

# contract.md §4: the fixed ids of this stage and their default severities.
CONTRACT = {
    "applications.column_balance": "error",
    "applications.row_total": "error",
    "applications.results_total": "error",
    "review_litigation.totals": "error",
    "values.non_negative": "error",
    "narrative.table_mismatch": "error",
    "narrative.percentage": "warning",
    "narrative.parts_sum": "warning",
    "narrative.year_over_year": "warning",
    "dates.period_year_mismatch": "error",
    "dates.signed_before_period_end": "error",
    "dates.late_publication": "warning",
    "structure.missing_table": "warning",
    "structure.incomplete_table": "warning",
    "structure.nonstandard_outline": "info",
    "structure.format_mismatch": "warning",
    "document.not_a_report": "info",
    "document.duplicate": "info",
    "document.conflicting_versions": "error",
    "history.carry_over": "error",
    "history.item_count_chain": "warning",
    "history.in_force_chain": "warning",
    "history.copied_text": "warning",
    "extraction.unreadable_input": "error",
    "extraction.internal_error": "error",
    "extraction.limit_exceeded": "warning",
}


def _fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.yaml") if not p.name.startswith("_"))


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in _fixture_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.extend((data["rule"], case) for case in data["cases"])
    return out


CASES = _cases()


def _run(case: dict[str, Any], rules: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, Frames, list[Any]]:
    frames, sources = build_frames(case, TABLES)
    history, stored = build_history(case["history"], TABLES) if case.get("history") else (None, [])
    faults = [Fault(**f) for f in case.get("faults") or []]
    findings, not_assessable = run_rules(frames, sources, rules=rules, history=history, faults=faults)
    return findings, not_assessable, frames, sources + stored  # evidence may quote a stored report


def _number(value: Any) -> float | None:
    """A finding's expected or actual as audit.json gives it (NaN in the frame is null there)."""
    return None if value is None or pd.isna(value) else float(value)


def _check_finding_shape(findings: pd.DataFrame, sources: list[Any], severity: str) -> None:
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert findings["id"].is_unique
    by_path = {s.path: s for s in sources}
    for f in findings.to_dict("records"):
        assert f["severity"] == severity
        assert f["message"] and "?" not in f["message"], f["message"]
        # 应为 (expected) and 实为 (actual) are a pair or absent: never a bare scalar (docs/rules.md)
        assert (_number(f["expected"]) is None) == (_number(f["actual"]) is None), f
        assert f["evidence"], f
        for e in f["evidence"]:
            if e["line"] == 0:  # run-level evidence: what is known of the input (its error, a note)
                assert e["text"], e
                continue
            source = by_path[e["source"]]
            expected = source.error if source.error else source.original_line(e["line"])
            assert e["text"] == expected[:400], e


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}::{c['name']}" for r, c in CASES])
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    findings, not_assessable, _, sources = _run(case, [RULE[rule_id]])
    expect = case["expect"]
    messages = list(findings["message"])
    assert len(findings) == expect["count"], messages
    _check_finding_shape(findings, sources, expect.get("severity", RULE[rule_id]["severity"]))
    if "expected_actual" not in RULE[rule_id]:  # a rule without a declared pair never sets one
        assert findings["expected"].isna().all() and findings["actual"].isna().all(), messages
    if "document" in expect:
        assert set(findings["document"]) <= {expect["document"]}
    for text in expect.get("messages", []):
        assert any(text in m for m in messages), f"no message contains {text!r}: {messages}"
    records = findings.to_dict("records")
    for location in expect.get("locations", []):
        assert any(all(f[k] == v for k, v in location.items()) for f in records), (location, records)
    pairs = [(_number(f["expected"]), _number(f["actual"])) for f in records]
    for expected, actual in expect.get("values", []):
        assert (expected, actual) in pairs, (expected, actual, pairs)
    assert list(not_assessable.columns) == list(NOT_ASSESSABLE_COLUMNS)
    if "not_assessable" in expect:
        assert len(not_assessable) == expect["not_assessable"], list(not_assessable["reason"])
    for text in expect.get("reasons", []):
        assert any(text in r for r in not_assessable["reason"]), (text, list(not_assessable["reason"]))


def _prefixed(case: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The case with every source, id and agency made unique to it, so cases can share one run."""
    case = copy.deepcopy(case)
    for i, doc in [*enumerate(case.get("documents") or []), *enumerate(case.get("history") or [])]:
        source = doc.get("source", "report.txt")
        doc["source"] = f"{prefix}/{source}"
        doc["id"] = f"{prefix}/{doc['id']}" if "id" in doc else f"{prefix}/{source}#{i + 1}"
        doc["agency_key"] = f"{prefix}/{doc.get('agency_key', doc.get('agency', ''))}"
        doc.setdefault("ordinal", i + 1)
        for field in ("duplicate_of", "truncated_copy_of"):
            if doc.get(field):
                doc[field] = f"{prefix}/{doc[field]}"
    for s in case.get("sources") or []:
        s["path"] = f"{prefix}/{s['path']}"
    for f in case.get("faults") or []:
        for field in ("document", "source"):
            if f.get(field):
                f[field] = f"{prefix}/{f[field]}"
    return case


def _fix_ids(case: dict[str, Any]) -> dict[str, Any]:
    """Give every document its default id explicitly (documents of one source count 1, 2, …)."""
    case = copy.deepcopy(case)
    counts: Counter[str] = Counter()
    for doc in case.get("documents") or []:
        source = doc.get("source", "report.txt")
        counts[source] += 1
        doc.setdefault("id", f"{source}#{counts[source]}")
    counts = Counter()
    for doc in case.get("history") or []:
        source = doc.get("source", "report.txt")
        counts[source] += 1
        doc.setdefault("id", f"{source}#{counts[source]}")
    return case


def _outcome(findings: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    return Counter(findings[["rule", "table", "row", "column"]].astype(str).itertuples(index=False, name=None))


def test_all_cases_in_one_batch_give_the_same_findings_as_one_by_one() -> None:
    """The checks run over all documents at once: a batch of every fixture case (all rules) finds
    exactly what each case finds alone."""
    cases = [_prefixed(_fix_ids(case), f"c{i}") for i, (_, case) in enumerate(CASES)]
    batch = {
        "documents": [d for c in cases for d in c.get("documents") or []],
        "sources": [s for c in cases for s in c.get("sources") or []],
        "history": [d for c in cases for d in c.get("history") or []],
        "faults": [f for c in cases for f in c.get("faults") or []],
    }
    per_document = [r for r in RULES if r["kind"] != "no_reports"]  # about the run as a whole
    findings, not_assessable, _, sources = _run(batch, per_document)
    alone = Counter[tuple[Any, ...]]()
    alone_na = 0
    for case in cases:
        f, na, _, _ = _run(case, per_document)
        alone += _outcome(f)
        alone_na += len(na)
    assert _outcome(findings) == alone
    assert len(not_assessable) == alone_na
    assert findings["id"].is_unique


# -- meta-tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_rule_is_complete(rule: dict[str, Any]) -> None:
    assert rule["severity"] in SEVERITIES
    assert rule["title"]["zh"].strip() and rule["title"]["en"].strip()
    assert str(rule.get("rationale", "")).strip()
    assert rule["kind"] in REGISTRY, f"unknown kind {rule['kind']}"
    missing = [p for p in REGISTRY[rule["kind"]].params if p not in (rule.get("params") or {})]
    assert not missing, f"{rule['id']}: kind {rule['kind']} needs {missing}"
    assert str(rule["message"]).strip()
    assert str(rule["example"]["pass"]).strip() and str(rule["example"]["fail"]).strip()
    fixture = FIXTURES / f"{rule['id']}.yaml"
    assert fixture.is_file(), f"no fixture file {fixture.name}"
    counts = [c["expect"]["count"] for r, c in CASES if r == rule["id"]]
    assert any(n > 0 for n in counts), "no case that must trigger"
    assert any(n == 0 for n in counts), "no case that must not trigger"
    pair = rule.get("expected_actual")
    if pair:  # what 应为 and 实为 are, in words a reviewer reads beside the numbers (docs/rules.md)
        assert set(pair) == {"expected", "actual"} and all(CJK.search(str(v)) for v in pair.values()), pair
        pinned = [v for r, c in CASES if r == rule["id"] for v in c["expect"].get("values", [])]
        assert any(None not in v for v in pinned), "no fixture case pins its 应为/实为 values"


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_rule_is_explained_in_chinese(rule: dict[str, Any]) -> None:
    zh = str(rule.get("rationale_zh") or "")
    assert len(CJK.findall(zh)) >= 20, "rationale_zh: a Chinese explanation a reviewer can read"
    # the package does not ship the design notes: say what the identity is, do not cite them
    for text in (zh, str(rule["rationale"])):
        assert "domain.md" not in text and "§" not in text


def test_every_fixture_file_belongs_to_a_rule() -> None:
    for path in _fixture_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["rule"] == path.stem and data["rule"] in RULE, path.name
        names = [c["name"] for c in data["cases"]]
        assert len(names) == len(set(names)), f"{path.name}: case names repeat"


@pytest.mark.parametrize(("rule_id", "severity"), CONTRACT.items())
def test_contract_rule_exists_with_its_severity(rule_id: str, severity: str) -> None:
    assert RULE[rule_id]["severity"] == severity


def test_docs_rules_md_is_generated_from_the_rules() -> None:
    path = ROOT / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == render(RULES), (
        "docs/rules.md is stale: run `python -m audit.validate.docs`"
    )


def test_rules_can_be_listed_and_explained() -> None:
    listing = list_rules()
    assert all(r["id"] in listing for r in RULES)
    rule = RULE["applications.column_balance"]
    text = explain_rule("applications.column_balance")
    zh, en = " ".join(rule["rationale_zh"].split()), " ".join(rule["rationale"].split())
    for part in ("错误", "error", rule["title"]["zh"], rule["title"]["en"], zh, en):
        assert part in text
    assert text.index(zh) < text.index(en), "the Chinese explanation comes first"
    assert " ".join(str(rule["example"]["pass"]).split()) in text
    assert " ".join(str(rule["example"]["fail"]).split()) in text
    # the internals (kind, params, the message template with its {placeholders}) only with verbose
    for internal in (f"kind: {rule['kind']}", "applies_to", "params:", str(rule["message"]).strip(), "{"):
        assert internal not in text
    verbose = explain_rule("applications.column_balance", verbose=True)
    assert verbose.startswith(text)
    assert f"kind: {rule['kind']}" in verbose and "params:" in verbose and str(rule["message"]).strip() in verbose
    with pytest.raises(KeyError):
        explain_rule("no.such_rule")


def test_listing_rules_does_not_import_pandas() -> None:
    code = "import sys; from audit.validate import list_rules; list_rules(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
    assert out.stdout.strip() == "False", out.stderr


# -- the engine ----------------------------------------------------------------------------------


def test_empty_input_gives_empty_frames_with_the_contract_columns() -> None:
    frames, sources = build_frames({"documents": []})
    findings, not_assessable = run_rules(frames, sources)
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert list(findings["rule"]) == ["extraction.no_reports"]  # nothing to audit is itself a finding
    assert list(not_assessable.columns) == list(NOT_ASSESSABLE_COLUMNS) and not_assessable.empty


def test_severity_overrides() -> None:
    case = {"documents": [{"year": 2021, "tables": {"applications": "002-2021b"}}]}
    frames, sources = build_frames(case, TABLES)
    warned, _ = run_rules(frames, sources, severities={"applications.column_balance": "warning"})
    assert set(warned.loc[warned["rule"] == "applications.column_balance", "severity"]) == {"warning"}
    off, _ = run_rules(frames, sources, severities={"applications.column_balance": "off"})
    assert "applications.column_balance" not in set(off["rule"])
    with pytest.raises(ValueError):
        run_rules(frames, sources, severities={"applications.column_balance": "fatal"})
    with pytest.raises(ValueError):
        run_rules(frames, sources, severities={"no.such_rule": "error"})


def test_finding_ids_are_stable_and_output_is_sorted() -> None:
    case = {
        "documents": [
            {
                "source": "b.txt",
                "year": 2021,
                "tables": {"applications": "002-2021b", "review_litigation": "hongze-2023"},
            },
            {
                "source": "a.txt",
                "year": 2020,
                "tables": {"applications": "004-2020"},
                "period": ["2021-01-01", "2021-12-31"],
            },
        ]
    }
    frames, sources = build_frames(case, TABLES)
    first, na1 = run_rules(frames, sources)
    reversed_frames = Frames(
        documents=frames.documents.iloc[::-1].reset_index(drop=True),
        cells=frames.cells.iloc[::-1].reset_index(drop=True),
        claims=frames.claims,
        issues=frames.issues,
    )
    again, na2 = run_rules(reversed_frames, sources)
    assert sorted(first["id"]) == sorted(again["id"])
    assert list(first["document"]) == sorted(first["document"], key=["b.txt#1", "a.txt#1"].index)
    key = first[first["rule"] == "applications.column_balance"]
    assert list(key["column"]) == ["natural_person", "commercial", "natural_person", "commercial"]


# -- arithmetic: single changes always caught, consistent tables never flagged -------------------


def _cells_of(name: str) -> list[tuple[str, str, str]]:
    sites = [("applications", row, col) for row in TABLES[name]["applications"] for col in APP_COLUMNS]
    return sites + [("review_litigation", g, o) for g in RL_GROUPS for o in RL_OUTCOMES]


def _mutated(name: str, table: str, row: str, column: str, change: Any) -> dict[str, Any]:
    tables = {t: copy.deepcopy(TABLES[name][t]) for t in ("applications", "review_litigation")}
    if table == "applications":
        values = tables["applications"][row]
        values[APP_COLUMNS.index(column)] = change(values[APP_COLUMNS.index(column)])
    else:
        i = RL_GROUPS.index(row) * 5 + RL_OUTCOMES.index(column)
        tables["review_litigation"][i] = change(tables["review_litigation"][i])
    return {"id": f"{table}/{row}/{column}", "year": 2022, "tables": tables}


def test_changing_any_single_number_of_a_consistent_table_fires_an_arithmetic_rule() -> None:
    """002 2022 (truth.yaml): +1 on any of its 175 + 15 cells, all as one batch of 190 documents."""
    sites = _cells_of("002-2022")
    docs = [_mutated("002-2022", *site, lambda v: v + 1) for site in sites]
    frames, sources = build_frames({"documents": docs}, TABLES)
    findings, _ = run_rules(frames, sources, rules=[RULE[r] for r in ARITHMETIC])
    caught = set(findings["document"])
    missed = [d["id"] for d in docs if d["id"] not in caught]
    assert len(sites) == 25 * 7 + 15 and not missed, missed


def test_blanking_any_cell_is_never_a_finding_but_not_assessable() -> None:
    docs = [_mutated("002-2022", *site, lambda v: None) for site in _cells_of("002-2022")]
    frames, sources = build_frames({"documents": docs}, TABLES)
    findings, not_assessable = run_rules(frames, sources, rules=[RULE[r] for r in ARITHMETIC])
    assert findings.empty
    assert set(not_assessable["document"]) == {d["id"] for d in docs}
    assert not_assessable["reason"].str.contains("为空白").all()


CONSISTENT = ["002-2022", "002-2021a", "002-2020", "002-2019", "hongze-2024", "pingtan-2021"]
FAILING = {
    "002-2021b": {("applications.column_balance", "natural_person"), ("applications.column_balance", "commercial")},
    "004-2020": {("applications.column_balance", "natural_person"), ("applications.column_balance", "commercial")},
    "hongze-2023": {("review_litigation.totals", "total")},
    "pingtan-2020": {("applications.results_total", "natural_person"), ("applications.results_total", "total")},
}


@pytest.mark.parametrize("name", [*CONSISTENT, *FAILING])
def test_truth_tables_raise_exactly_their_known_arithmetic_findings(name: str) -> None:
    year = 2022 if name in ("002-2022", "pingtan-2021") else int(name[-4:]) if name[-4:].isdigit() else 2021
    case = {
        "documents": [
            {"year": year, "tables": {t: name for t in ("applications", "review_litigation") if t in TABLES[name]}}
        ]
    }
    findings, _, _, _ = _run(case, [RULE[r] for r in ARITHMETIC])
    got = {(r, c) for r, c in zip(findings["rule"], findings["column"], strict=True)}
    assert got == FAILING.get(name, set()), list(findings["message"])
    if name == "hongze-2023":
        assert sorted(findings["row"]) == ["litigation_after_review", "review"]


def test_shared_tables_match_the_corpus_labels() -> None:
    """tests/rules/_tables.yaml is a faithful copy of ../shared/corpus (when it is there)."""
    truth_path = ROOT.parent / "shared" / "corpus" / "seeds" / "truth.yaml"
    if not truth_path.is_file():
        pytest.skip("../shared/corpus not available")
    docs = {
        d.get("ordinal"): d
        for d in yaml.safe_load(truth_path.read_text(encoding="utf-8"))["files"]["002_6460700eaa6e9ee9.txt"][
            "documents"
        ]
    }
    for name, ordinal in (("002-2022", 2), ("002-2021a", 3), ("002-2020", 5), ("002-2019", 8)):
        assert TABLES[name] == docs[ordinal]["tables"], name
    assert {**TABLES["002-2021a"]["applications"], **docs[4]["tables"]["applications"]} == TABLES["002-2021b"][
        "applications"
    ]
