"""End to end on the labelled seed corpus: every labelled fact of ../shared/corpus/seeds/truth.yaml.

The expectations are read from truth.yaml itself (nothing copied into this file), for the rule
families of the foundation; `narrative.*` and `history.*` belong to later stages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.model import APP_COLUMNS, RL_GROUPS, RL_OUTCOMES
from audit.pipeline import run_audit
from audit.render.audit_json import audit_json

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus" / "seeds"
TRUTH = yaml.safe_load((SEEDS / "truth.yaml").read_text(encoding="utf-8"))
FAMILIES = ("applications.", "review_litigation.", "values.", "structure.", "document.", "dates.", "extraction.")


@pytest.fixture(scope="module")
def audit() -> dict[str, Any]:
    return audit_json(run_audit([str(SEEDS)]))


def _labelled() -> list[tuple[str, dict[str, Any]]]:
    return [(f, d) for f, v in TRUTH["files"].items() for d in v["documents"]]


def _docs_of(audit: dict[str, Any], file: str) -> list[dict[str, Any]]:
    return [d for d in audit["documents"] if Path(d["source"]).name == file]


def _find(audit: dict[str, Any], file: str, label: dict[str, Any]) -> dict[str, Any]:
    docs = _docs_of(audit, file)
    if "ordinal" in label:
        return next(d for d in docs if d["ordinal"] == label["ordinal"])
    assert len(docs) == 1, f"{file}: expected one document, got {len(docs)}"
    return docs[0]


def _ids(label: dict[str, Any]) -> str:
    return f"{label.get('ordinal', 1)}-{label.get('year', label.get('kind', ''))}"


def _in_scope(rule: str) -> bool:
    return rule.startswith(FAMILIES)


@pytest.mark.parametrize(("file", "label"), _labelled(), ids=[f"{f[:3]}#{_ids(d)}" for f, d in _labelled()])
def test_document_matches_truth(audit: dict[str, Any], file: str, label: dict[str, Any]) -> None:
    doc = _find(audit, file, label)
    if "duplicate_of" in label:
        original = _find(audit, file, {"ordinal": label["duplicate_of"]})
        assert doc["duplicate_of"] == original["id"]
        return
    for key in ("kind", "year", "format", "published", "signed"):
        if key in label:
            assert str(doc[key]) == str(label[key]), key
    if "agency_contains" in label:
        assert label["agency_contains"] in (doc["agency"] or "")
    if "period" in label:
        assert doc["period"] == {"start": str(label["period"][0]), "end": str(label["period"][1])}
    if "period_stated" in label:
        assert doc["period"] == {"start": str(label["period_stated"][0]), "end": str(label["period_stated"][1])}
    if label.get("truncated"):
        assert doc["truncated_copy_of"] or doc["duplicate_of"] or doc["tables"].get("applications") is not None
    _assert_tables(label.get("tables") or {}, doc["tables"])
    fired = {f["rule"] for f in audit["findings"] if f["document"] == doc["id"]}
    for expectation in label.get("expect", []):
        accepted = set(expectation.get("accept_rules") or [expectation["rule"]])
        if any(_in_scope(r) for r in accepted):
            assert fired & accepted, f"missing {expectation['rule']}: {expectation.get('detail', '')}"
    for rule in label.get("expect_not", []):
        if _in_scope(rule):
            assert rule not in fired, f"false alarm {rule}"


def _assert_tables(expected: dict[str, Any], got: dict[str, Any]) -> None:
    app = expected.get("applications")
    if isinstance(app, dict):
        for row, values in app.items():
            if isinstance(values, list):
                assert got["applications"][row] == dict(zip(APP_COLUMNS, values, strict=True)), row
    review = expected.get("review_litigation")
    if isinstance(review, list):
        it = iter(review)
        assert got["review_litigation"] == {g: {o: next(it) for o in RL_OUTCOMES} for g in RL_GROUPS}
    a20 = expected.get("article20")
    if isinstance(a20, dict):
        for item, fields in a20.items():
            for name, value in fields.items():
                assert got["article20"][item][name] == value, f"{item}.{name}"


def test_every_document_is_reported_once_and_copies_are_marked(audit: dict[str, Any]) -> None:
    ordinals = [d["ordinal"] for d in _docs_of(audit, "002_6460700eaa6e9ee9.txt")]
    assert ordinals == list(range(1, 11))
    assert audit["run"]["documents"] == 14
    assert audit["run"]["inputs"] == 6 and audit["run"]["skipped"] == 1  # truth.yaml: listed, not audited


def test_scorer_prints_ok(audit: dict[str, Any], tmp_path: Path) -> None:
    """The shared scorer agrees, for the rule families of the foundation."""
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(audit, ensure_ascii=False), encoding="utf-8")
    scorer = SHARED / "tools" / "score.py"
    out = subprocess.run(
        [
            sys.executable,
            str(scorer),
            str(path),
            str(SEEDS / "truth.yaml"),
            "--tables",
            "--meta",
            "--rules",
            ",".join(FAMILIES),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1].startswith("OK")
