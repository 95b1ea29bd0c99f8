"""No document can break a run (contract.md §1): a failure injected into one stage or rule for one
document leaves every other document's findings as a clean run's, gives the culprit
extraction.internal_error, writes every output and exits 2. And the folder of bad inputs the issue
names runs through, every input accounted for."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from faulty_rules import CULPRIT, break_balance_on

from audit.cli import main
from audit.validate import load_rules
from audit.validate.registry import REGISTRY, Kind

SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"


def strict_json(path: Path) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{path} holds {constant}: not strict JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def run(out: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["run", *args, "--out", str(out), "--no-db", "--fail-on", "error"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert (out / "audit.json").is_file(), (result.exit_code, result.output)
    audit = strict_json(out / "audit.json")
    for twin in out.glob("*.json"):
        strict_json(twin)
    return result.exit_code, audit, result.output


def _by_document(audit: dict[str, Any], *, skip: str | None = None) -> set[tuple[Any, ...]]:
    return {
        (f["document"], f["rule"], f["id"], f["message"])
        for f in audit["findings"]
        if f["document"] != skip and f["rule"] != "extraction.internal_error"
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    code, audit, _ = run(tmp_path_factory.mktemp("clean"), str(SAMPLES))
    assert code == 1 and not [f for f in audit["findings"] if f["rule"] == "extraction.internal_error"]
    assert CULPRIT in {d["id"] for d in audit["documents"]}
    return audit


def _internal_errors(audit: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in audit["findings"] if f["rule"] == "extraction.internal_error"]


def test_a_rule_failing_on_one_document_loses_nothing_else(
    tmp_path: Path, clean: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    break_balance_on(monkeypatch, CULPRIT, "injected: invalid entry 0 in condlist")
    code, audit, output = run(tmp_path, str(SAMPLES))
    assert code == 2
    (fault,) = _internal_errors(audit)
    assert fault["document"] == CULPRIT and fault["severity"] == "error"
    assert "rule applications.column_balance" in fault["message"] and "TypeError" in fault["message"]
    assert fault["evidence"] and fault["evidence"][0]["line"] > 0
    # every other document exactly as in the clean run; the culprit loses only the failing rule
    assert _by_document(audit, skip=CULPRIT) == _by_document(clean, skip=CULPRIT)
    lost = {f for f in _by_document(clean) if f[0] == CULPRIT and f[1] == "applications.column_balance"}
    assert lost and _by_document(audit) == _by_document(clean) - lost
    assert (tmp_path / "index.html").is_file() and len(list(tmp_path.glob("*.html"))) > 2
    assert "internal error in rule applications.column_balance" in output


def test_a_rule_set_off_does_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def always_breaks(ctx: Any, params: dict[str, Any]) -> Any:
        raise TypeError("injected")

    original = REGISTRY["deadline"]
    monkeypatch.setitem(REGISTRY, "deadline", Kind("deadline", always_breaks, original.params, original.doc))
    config = tmp_path / "config.yaml"
    config.write_text("severity: {dates.late_publication: 'off'}\n", encoding="utf-8")
    code, audit, _ = run(tmp_path / "out", str(SAMPLES / "004_35efe59cd959ef3f.txt"), "--config", str(config))
    assert code == 1 and not _internal_errors(audit)
    code, audit, _ = run(tmp_path / "out2", str(SAMPLES / "004_35efe59cd959ef3f.txt"))
    assert code == 2  # on, it runs, fails for every document and says so
    assert {f["message"].split("：")[1].split(" ")[0] for f in _internal_errors(audit)} == {"rule"}


def test_extraction_failing_on_one_document(
    tmp_path: Path, clean: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.extract.batch as batch

    real = batch.read_claims

    def claims(doc: Any, **kw: Any) -> Any:
        if doc.id == CULPRIT:
            raise KeyError("injected")
        return real(doc, **kw)

    monkeypatch.setattr(batch, "read_claims", claims)
    code, audit, _ = run(tmp_path, str(SAMPLES))
    assert code == 2
    (fault,) = _internal_errors(audit)
    assert fault["document"] == CULPRIT and "extract (claims)" in fault["message"]
    assert _by_document(audit, skip=CULPRIT) == _by_document(clean, skip=CULPRIT)
    culprit = next(d for d in audit["documents"] if d["id"] == CULPRIT)
    assert culprit["tables"]["applications"], "its tables were read before the failure"


def test_segmentation_failing_on_one_source(
    tmp_path: Path, clean: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.segment as segment

    real = segment._documents_of

    def documents_of(source: Any) -> Any:
        if source.path.endswith("003_01ab33d891669608.txt"):
            raise IndexError("injected")
        return real(source)

    monkeypatch.setattr(segment, "_documents_of", documents_of)
    code, audit, _ = run(tmp_path, str(SAMPLES))
    assert code == 2
    (fault,) = _internal_errors(audit)
    assert fault["document"] is None and "segment" in fault["message"]
    assert fault["evidence"][0]["source"].endswith("003_01ab33d891669608.txt")
    # the source is still audited, whole, as one document; the other sources as before
    assert [d["ordinal"] for d in audit["documents"] if d["source"].endswith("003_01ab33d891669608.txt")] == [1]
    others = {f for f in _by_document(clean) if not str(f[0]).startswith("003_")}
    assert {f for f in _by_document(audit) if not str(f[0]).startswith("003_")} == others


def _break_the_culprits_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any agency page holding CULPRIT raises while it is built."""
    import audit.render.site as site

    real = site._agency_page

    def page(run_: Any, key: Any, docs: list[dict[str, Any]], tool: Any) -> Any:
        if any(d["id"] == CULPRIT for d in docs):
            raise ValueError("injected")
        return real(run_, key, docs, tool)

    monkeypatch.setattr(site, "_agency_page", page)


def test_a_page_failing_on_one_document(tmp_path: Path, clean: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    _break_the_culprits_page(monkeypatch)
    code, audit, _ = run(tmp_path, str(SAMPLES))
    assert code == 2
    (fault,) = _internal_errors(audit)
    assert fault["document"] == CULPRIT and "render" in fault["message"]
    assert _by_document(audit) == _by_document(clean)  # the audit itself is whole
    page_of_lixia = [p for p in tmp_path.glob("*.json") if "历下" in p.read_text(encoding="utf-8")]
    assert page_of_lixia, "the agency's other reports still have their page"
    pages = [strict_json(p) for p in tmp_path.glob("agency-*.json")]
    shown = {d["id"] for p in pages for g in p["reports"] for d in g["documents"]}
    assert CULPRIT not in shown and "002_6460700eaa6e9ee9.txt#3" in shown
    index = strict_json(tmp_path / "index.json")
    assert any(f["document"] == CULPRIT for f in index["run_findings"]), "the index shows what has no page"


def _docx(path: Path, paragraphs: list[str], table: list[list[str]]) -> None:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text
    document.save(str(path))


def _bad_folder(folder: Path) -> None:
    folder.mkdir()
    seed = (SAMPLES / "001_605866c201a9c82d.txt").read_text(encoding="utf-8")
    no_year = re.sub(r"(?:19|20)\d\d(?=年|〕)", "", seed).replace("统计期限", "")
    (folder / "no_year.txt").write_text(no_year, encoding="utf-8")
    chinese_year = seed.replace("2020年", "二〇二〇年")
    (folder / "chinese_year.txt").write_text(chinese_year, encoding="utf-8")
    shutil.copy(SAMPLES / "004_35efe59cd959ef3f.txt", folder / "with_period.txt")
    (folder / "report.md").write_text(
        "# 示例县人民政府2022年政府信息公开工作年度报告\n\n" + "\n".join(seed.splitlines()[1:]), encoding="utf-8"
    )
    _docx(
        folder / "template.docx",
        ["XX县人民政府XX年政府信息公开工作年度报告", "一、总体情况", "三、收到和处理政府信息公开申请情况"],
        [
            ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", "", ""],
            ["一、本年新收政府信息公开申请数量", "", ""],
        ],
    )
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "numbers.csv").write_text("年份,申请数,公开数\n2021,12,10\n2022,15,11\n2023,9,8\n", encoding="utf-8")


def test_a_folder_of_bad_inputs_runs_through(tmp_path: Path) -> None:
    _bad_folder(tmp_path / "in")
    code, audit, _ = run(tmp_path / "out", str(tmp_path / "in"))
    assert code in (0, 1) and not _internal_errors(audit)
    inputs = {Path(i["source"]).name: i for i in audit["inputs"]}
    assert set(inputs) == {p.name for p in (tmp_path / "in").iterdir()}
    assert inputs["scan.png"]["status"] == "skipped" and inputs["scan.png"]["reason"]
    assert inputs["numbers.csv"]["status"] == "skipped" and inputs["numbers.csv"]["reason"]
    audited = {Path(d["source"]).name for d in audit["documents"]}
    assert {"report.md", "no_year.txt", "chinese_year.txt", "with_period.txt", "template.docx"} <= audited
    md = next(d for d in audit["documents"] if d["source"].endswith("report.md"))
    assert md["kind"] == "annual_report" and md["tables"].get("applications")
    periods = {Path(d["source"]).name: d["period"] for d in audit["documents"]}
    assert periods["with_period.txt"] and periods["no_year.txt"] is None
    assert audit["run"]["skipped"] == 2 and audit["run"]["inputs"] == len(inputs)


def test_an_empty_folder_fails_the_gate(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, audit, _ = run(tmp_path / "out", str(tmp_path / "empty"))
    assert code == 1
    assert [f["rule"] for f in audit["findings"]] == ["extraction.no_reports"]
    assert "未找到任何报告" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "未找到任何报告" in result.output


def test_the_output_folder_inside_the_input_folder_is_never_read(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "004_35efe59cd959ef3f.txt", tmp_path / "report.txt")
    first = run(tmp_path / "out", str(tmp_path))
    second = run(tmp_path / "out", str(tmp_path))
    assert first[0] == second[0] == 1
    assert [i["source"] for i in second[1]["inputs"]] == [str(tmp_path / "report.txt")]
    assert _by_document(first[1]) == _by_document(second[1])


def test_a_frame_breaking_its_schema_is_a_fault_of_that_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.pipeline as pipeline

    real = pipeline.audit_inputs

    def inputs(*args: Any, **kw: Any) -> Any:
        batch = real(*args, **kw)
        documents = batch.frames.documents
        documents.loc[documents["id"] == CULPRIT, "agency"] = float("nan")  # what NaN used to do
        return batch

    monkeypatch.setattr(pipeline, "audit_inputs", inputs)
    code, audit, _ = run(tmp_path, str(SAMPLES))
    assert code == 2
    (fault,) = _internal_errors(audit)
    assert fault["document"] == CULPRIT and "schema documents" in fault["message"] and "never NaN" in fault["message"]


def test_copies_do_not_blow_up_the_page(tmp_path: Path) -> None:
    """An exact copy's tables are its original's: 100 copies cost a line each, not a report each
    (200 MB of copies made a 315 MB page)."""
    report = (SAMPLES / "004_35efe59cd959ef3f.txt").read_text(encoding="utf-8")
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    (tmp_path / "one" / "r.txt").write_text(report, encoding="utf-8")
    (tmp_path / "many" / "r.txt").write_text("\n字号：大 中 小\n".join([report] * 100), encoding="utf-8")
    run(tmp_path / "out1", str(tmp_path / "one"))
    code, audit, _ = run(tmp_path / "out100", str(tmp_path / "many"))
    assert len(audit["documents"]) == 100 and sum(1 for d in audit["documents"] if d["duplicate_of"]) == 99

    def page_bytes(out: Path) -> int:
        return sum(p.stat().st_size for p in out.glob("agency-*.html"))

    per_copy = (page_bytes(tmp_path / "out100") - page_bytes(tmp_path / "out1")) / 99
    assert per_copy < 4_000  # its line and its document.duplicate finding (the tables were ~30 KB more)


def test_names_with_control_characters_never_reach_the_terminal_raw(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    report = (SAMPLES / "004_35efe59cd959ef3f.txt").read_bytes()
    (folder / "evil\x1b[2J\nok 0 errors.txt").write_bytes(report)
    (folder / "gbk-\xe5\xb9\xb3.txt".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(b"")
    (folder / os.fsdecode(b"bad-\xff\xfe.txt")).write_bytes(report)
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(tmp_path / "out"), "--no-db"])
    check = CliRunner().invoke(main, ["check", str(folder)])
    for output in (result.output, check.output):
        assert "\x1b" not in output
        assert not any(line.startswith("ok 0 errors") for line in output.splitlines())
    assert "\\x1b" in check.output  # the name, escaped, in the panel title
    audit = strict_json(tmp_path / "out" / "audit.json")
    names = [Path(i["source"]).name for i in audit["inputs"]]
    assert "bad-\\xff\\xfe.txt" in names and len(names) == 3
    assert result.exit_code == check.exit_code == 1


def test_a_full_disk_names_the_cause_and_leaves_no_stale_audit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(out)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        (out / "audit.json").write_text('{"stale": true}', encoding="utf-8")
        result = CliRunner().invoke(main, ["run", str(SAMPLES), "--out", str(out), "--no-db"])
        assert result.exit_code == 2
        assert "No space left on device" in result.output
        assert not (out / "audit.json").exists(), "an earlier run's audit.json must not pass for this run's"
        assert not [p for p in out.iterdir() if p.stat().st_size == 0], "no 0-byte file is left"
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_an_index_that_cannot_be_built_is_replaced_not_left_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.render.html as html

    run(tmp_path, str(SAMPLES / "004_35efe59cd959ef3f.txt"))  # an earlier run's index
    real = html.render_page

    def render(env: Any, template: str, context: Any) -> str:
        if template == "index.html.j2":
            raise KeyError("injected <script>")
        return real(env, template, context)

    monkeypatch.setattr(html, "render_page", render)
    code, audit, _ = run(tmp_path, str(SAMPLES / "004_35efe59cd959ef3f.txt"))
    assert code == 2 and [f["rule"] for f in _internal_errors(audit)] == ["extraction.internal_error"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "审核总览生成失败" in index and "&lt;script&gt;" in index and "<script>" not in index


def test_a_rule_failing_on_every_document_costs_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bisection is for a few culprits; a rule failing everywhere is blamed on every document after a
    bounded number of re-runs (not ~2n), and the run still ends."""
    import audit.validate.engine as engine
    from audit.validate.testing import build_frames

    calls = [0]
    original = REGISTRY["balance"]

    def always(ctx: Any, params: dict[str, Any]) -> Any:
        calls[0] += 1
        if len(ctx.documents):
            raise TypeError("injected")
        return original.function(ctx, params)

    monkeypatch.setitem(REGISTRY, "balance", Kind("balance", always, original.params, original.doc))
    monkeypatch.setattr(engine, "_ISOLATION_RUNS", 10)
    frames, sources = build_frames({"documents": [{"source": f"r{i}.txt", "year": 2022} for i in range(64)]})
    faults: list[Any] = []
    rule = next(r for r in load_rules() if r["kind"] == "balance")
    engine.run_rules(frames, sources, rules=[rule], faults=faults)
    assert (
        calls[0] <= 10 + 8 and len(faults) == 64 and {f.document for f in faults} == {f"r{i}.txt#1" for i in range(64)}
    )


def test_a_late_fault_keeps_the_configured_severities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that fails after the rules ran is reported with the run's --config (other rules named there too)."""
    _break_the_culprits_page(monkeypatch)
    config = tmp_path / "config.yaml"
    config.write_text(
        "severity: {extraction.internal_error: warning, dates.late_publication: 'off'}\n", encoding="utf-8"
    )
    code, audit, _ = run(tmp_path / "out", str(SAMPLES), "--config", str(config))
    assert code == 2
    assert [f["severity"] for f in _internal_errors(audit)] == ["warning"]
