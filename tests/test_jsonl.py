"""audit.json written record by record, and its JSON Lines form (`run --format jsonl`, docs/jsonl.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.gate import verdict
from audit.model import RunResult
from audit.pipeline import run_audit
from audit.render import audit_json as aj

SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"


def _strict(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def reassembled(path: Path) -> dict[str, Any]:
    """audit.json's content from audit.jsonl: the header's keys, then each record type's list."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = _strict(lines[0])
    assert header.pop("record") == "header"
    out: dict[str, Any] = header | {"documents": [], "findings": [], "not_assessable": []}
    lists = {kind: name for name, kind in aj.RECORD_TYPES.items()}
    for line in lines[1:]:
        record = _strict(line)
        assert list(record)[0] == "record"  # the type comes first: a reader can dispatch on a prefix
        out[lists[record.pop("record")]].append(record)
    return out


@pytest.fixture(scope="module")
def result() -> RunResult:
    done = run_audit([str(SAMPLES)], validate_frames=False)
    done.gate = verdict(done.findings, "error", internal_errors=len(done.faults))
    return done


def test_jsonl_records_reassemble_into_audit_json(result: RunResult, tmp_path: Path) -> None:
    aj.write_audit(result, tmp_path / "audit.json", "json")
    header = aj.write_audit(result, tmp_path / "audit.jsonl", "jsonl")
    whole = _strict((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert reassembled(tmp_path / "audit.jsonl") == whole
    # the streamed file holds what the in-memory document holds, in the same key order
    assert whole == json.loads(json.dumps(aj.audit_json(result)))
    assert list(whole) == ["tool", "run", "gate", "inputs", "documents", "findings", "not_assessable"]
    assert header["run"] == whole["run"] and whole["run"]["documents"] == len(whole["documents"]) == 14
    assert sum(whole["run"]["findings"].values()) == len(whole["findings"]) > 0
    assert len(whole["not_assessable"]) == whole["run"]["not_assessable"] > 0


def test_audit_json_is_laid_out_one_record_per_line(result: RunResult) -> None:
    text = aj.dumps(aj.audit_json(result))
    lines = text.splitlines()
    assert lines[0].startswith('{"tool": ') and lines[-1] == "}"
    documents = lines.index('"documents": [')
    assert all(line.startswith('{"id": ') for line in lines[documents + 1 : documents + 15])
    assert aj.dumps({"a": [], "b": [1, 2], "c": {"d": [3]}}) == '{"a": [],\n"b": [\n1,\n2\n],\n"c": {"d": [3]}\n}'
    assert aj.dumps([1, {"x": None}]) == '[\n1,\n{"x": null}\n]' and aj.dumps([]) == "[]"
    with pytest.raises(ValueError):
        aj.dumps({"findings": [{"actual": float("nan")}]})


def test_a_failure_while_streaming_leaves_the_earlier_file(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("earlier\n", encoding="utf-8")
    written: list[Any] = []

    def failing(row: dict[str, Any]) -> dict[str, Any]:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(row)
        return {"id": row["id"]}

    monkeypatch.setattr(aj, "finding_json", failing)
    with pytest.raises(OSError):
        aj.write_audit(result, path, "jsonl")
    assert path.read_text(encoding="utf-8") == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.jsonl"]  # no temporary file left


def test_run_format_jsonl_writes_audit_jsonl_and_drops_an_earlier_audit_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "audit.json").write_text("{}", encoding="utf-8")  # an earlier run's, in the other format
    s4 = SAMPLES / "004_35efe59cd959ef3f.txt"
    done = CliRunner().invoke(main, ["run", str(s4), "--out", str(out), "--no-db", "--format", "jsonl"])
    assert done.exit_code == 1, done.output  # 六安 2020 has errors
    assert "audit.jsonl" in done.output and not (out / "audit.json").exists()
    audit = reassembled(out / "audit.jsonl")
    assert [d["agency"] for d in audit["documents"]] == ["六安市人民政府办公室"]
    assert audit["gate"]["exit_code"] == 1 and audit["inputs"][0]["source"] == str(s4)
