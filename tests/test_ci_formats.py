"""`check --format gitlab|junit|sarif` (issue 11, item 11): each output, run through the CLI on real
reports (the samples, the seed, PDF and 平潭 corpus files, a run with a waiver and a baseline), is valid
against its published schema (tests/schemas/README.md), holds every finding exactly once with its rule,
file and line, and is alone on stdout: the verdict goes to stderr, the exit code is the gate's."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from audit.cli import main
from audit.render.formats import repo_path
from audit.validate import load_rules

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path(__file__).resolve().parent / "schemas"
SAMPLES = ROOT / "audit" / "samples"
S4 = SAMPLES / "004_35efe59cd959ef3f.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
SOON = (dt.date.today() + dt.timedelta(days=30)).isoformat()
MACHINE = ("json", "gitlab", "junit", "sarif")
ID = re.compile(r"\[([0-9a-f]{12})\]")


@cache
def json_validator(name: str) -> Any:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@cache
def junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


def check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


class Run:
    """One audit printed in every machine format; audit.json (--format json) is the reference."""

    def __init__(self, *args: str):
        self.args = args
        self.out = {fmt: check(*args, "--format", fmt) for fmt in MACHINE}
        self.audit = json.loads(self.out["json"][1])
        self.findings = self.audit["findings"]
        self.code = self.out["json"][0]

    def text(self, fmt: str) -> str:
        return self.out[fmt][1]


def _corpus_files() -> list[str]:
    """The seed reports and the 平潭 archive (HTML and text renderings of each report)."""
    files = [*sorted((CORPUS / "seeds").glob("*.txt")), *sorted((CORPUS / "pingtan").glob("*.[ht]*"))]
    if not files:
        pytest.skip("../shared/corpus is not beside the repository")
    return [str(p) for p in files]


@pytest.fixture(scope="module", params=["corpus", "samples+waiver+baseline"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    if request.param == "corpus":
        return Run(*_corpus_files())
    folder = tmp_path_factory.mktemp("gate")
    # the baseline: an audit of two reports; the run adds the others (new findings)
    baseline = folder / "baseline.json"
    baseline.write_text(check(str(SAMPLES / "001_605866c201a9c82d.txt"), str(S4), "--json")[1], encoding="utf-8")
    errors = [f["id"] for f in json.loads(baseline.read_text(encoding="utf-8"))["findings"] if f["severity"] == "error"]
    waivers = folder / "waivers.yaml"
    waivers.write_text(
        "".join(f"- {{id: '{i}', reason: 已核实, reviewer: 张三, expires: '{SOON}'}}\n" for i in errors[-1:]),
        encoding="utf-8",
    )
    gated = Run(str(SAMPLES), "--baseline", str(baseline), "--waivers", str(waivers))
    assert any(f.get("waived") for f in gated.findings)
    assert {f.get("new") for f in gated.findings} == {True, False}
    return gated


def _where(finding: dict[str, Any]) -> tuple[str | None, int]:
    first = finding["evidence"][0]
    return (repo_path(first["source"]) if first["source"] else None), int(first["line"])


def _gates(finding: dict[str, Any], fail_on: str = "error") -> bool:
    rank = {"error": 3, "warning": 2, "info": 1}
    at_or_above = fail_on in rank and rank[finding["severity"]] >= rank[fail_on]
    return at_or_above and not finding.get("waived") and finding.get("new") is not False


def test_machine_formats_print_the_document_alone_and_the_verdict_on_stderr(run: Run) -> None:
    summary = run.audit["gate"]["summary"]
    assert run.findings and run.code == run.audit["gate"]["exit_code"] == 1
    for fmt, (code, stdout, stderr) in run.out.items():
        assert code == run.code, fmt
        assert stderr.splitlines()[-1] == summary, fmt  # the verdict, on stderr only
        assert summary not in stdout.splitlines(), fmt
    json.loads(run.text("gitlab")), json.loads(run.text("sarif"))  # stdout parses whole: nothing else on it
    etree.fromstring(run.text("junit").encode("utf-8"))
    if "--baseline" in run.args:  # text formats still end with it on stdout
        code, stdout, _ = check(*run.args, "--format", "concise")
        assert code == run.code and stdout.splitlines()[-1] == summary


def test_gitlab_code_quality_report(run: Run) -> None:
    issues = json.loads(run.text("gitlab"))
    errors = sorted(json_validator("gitlab-codequality.json").iter_errors(issues), key=str)
    assert not errors, errors[0].message
    assert [i["fingerprint"] for i in issues] == [f["id"] for f in run.findings]  # each once, in order
    for issue, finding in zip(issues, run.findings, strict=True):
        source, line = _where(finding)
        assert issue["check_name"] == finding["rule"]
        assert (issue["location"]["path"], issue["location"]["lines"]["begin"]) == (source or ".", max(line, 1))
        assert issue["description"].startswith(finding["message"])
        quiet = finding.get("waived") or finding.get("new") is False
        expected = "info" if quiet else {"error": "critical", "warning": "minor", "info": "info"}[finding["severity"]]
        assert issue["severity"] == expected
        assert ("已豁免" in issue["description"]) == bool(finding.get("waived"))


def test_sarif_log(run: Run) -> None:
    from importlib.metadata import version

    log = json.loads(run.text("sarif"))
    errors = sorted(json_validator("sarif-schema-2.1.0.json").iter_errors(log), key=str)
    assert not errors, errors[0].message
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("xxgk-audit", version("xxgk-audit"))
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r["id"] for r in load_rules()]
    assert all(
        r["fullDescription"]["text"] and re.search(r"[\u4e00-\u9fff]", r["fullDescription"]["text"]) for r in rules
    )
    assert sarif_run["invocations"][0]["executionSuccessful"] is True
    assert sarif_run["invocations"][0]["exitCode"] == run.code
    results = sarif_run["results"]
    assert [r["partialFingerprints"]["xxgkFindingId/v1"] for r in results] == [f["id"] for f in run.findings]
    for result, finding in zip(results, run.findings, strict=True):
        assert result["ruleId"] == finding["rule"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        source, line = _where(finding)
        (place,) = result["locations"]
        artifact = place["physicalLocation"]["artifactLocation"]
        if source and Path(source).is_absolute():  # outside the working folder
            assert artifact == {"uri": Path(source).as_uri()}
        else:
            assert artifact["uri"].isascii() and unquote(artifact["uri"]) == source
            assert artifact["uriBaseId"] == "%SRCROOT%"
        assert place["physicalLocation"]["region"]["startLine"] == line
        assert len(result.get("relatedLocations", [])) == len(finding["evidence"]) - 1
        waiver = finding.get("waived")
        assert bool(result.get("suppressions")) == bool(waiver)
        if waiver:
            (suppression,) = result["suppressions"]
            assert suppression["kind"] == "external" and suppression["properties"] == waiver
            assert (
                waiver["reason"] in suppression["justification"] and waiver["reviewer"] in suppression["justification"]
            )
        if "new" in finding:
            assert result["baselineState"] == ("new" if finding["new"] else "unchanged")
        else:
            assert "baselineState" not in result


def _testcases(xml: str) -> tuple[etree._Element, dict[str, tuple[str, str, str, str]]]:
    """The document, and for every finding id: (suite, testcase, element it is listed in, its line)."""
    root = etree.fromstring(xml.encode("utf-8"))
    placed: dict[str, tuple[str, str, str, str]] = {}
    seen: Counter[str] = Counter()
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            for child in case:
                for text_line in (child.text or "").splitlines():
                    for finding_id in ID.findall(text_line):
                        seen[finding_id] += 1
                        placed[finding_id] = (suite.get("name"), case.get("name"), child.tag, text_line)
    assert not [i for i, n in seen.items() if n > 1], "a finding listed twice"
    return root, placed


def test_junit_report(run: Run) -> None:
    xml = run.text("junit")
    root = etree.fromstring(xml.encode("utf-8"))
    assert junit_schema().validate(root), junit_schema().error_log
    _, placed = _testcases(xml)
    assert set(placed) == {f["id"] for f in run.findings}
    for finding in run.findings:
        suite, case, tag, text_line = placed[finding["id"]]
        source, line = _where(finding)
        assert (suite, case) == (finding["document"], finding["rule"])
        assert tag == ("failure" if _gates(finding) else "system-out")
        assert text_line.startswith(f"{source}:{line}: {finding['severity']} ")
    failures = int(root.get("failures"))
    failing_cases = {(f["document"], f["rule"]) for f in run.findings if _gates(f)}
    assert failures == len(failing_cases) > 0 and int(root.get("errors")) == 0  # the exit code says 1
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) and len({c.get("name") for c in cases}) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert all(c.get("classname") == suite.get("name") for c in cases)
    documents = {d["id"]: d for d in run.audit["documents"]}
    assert {s.get("name") for s in root.iter("testsuite")} == set(documents)
    for suite in root.iter("testsuite"):
        assert suite.get("file") == repo_path(documents[suite.get("name")]["source"])


def test_junit_testcases_are_the_rules_that_ran_on_each_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """The testcases of a document are the rules the engine ran on it: recorded here from the documents
    each check kind is handed (audit.validate.run_rules, one rule at a time), over the samples and the
    平潭 archive, whose text files are second renderings of its pages."""
    from audit.pipeline import run_audit
    from audit.render.formats_junit import in_scope, with_renderings
    from audit.validate import run_rules
    from audit.validate.registry import REGISTRY, Kind

    handed: list[str] = []

    def recording(kind: Kind) -> Kind:
        def function(ctx: Any, params: dict[str, Any]) -> Any:
            handed.extend(ctx.documents["id"])
            return kind.function(ctx, params)

        return Kind(kind.name, function, kind.params, kind.doc)

    for name, kind in list(REGISTRY.items()):
        monkeypatch.setitem(REGISTRY, name, recording(kind))
    inputs = [str(SAMPLES), *map(str, sorted((CORPUS / "pingtan").glob("pingtan-20*.[ht]*")))]
    result = run_audit(inputs, validate_frames=False)
    documents = with_renderings(result)
    ran: dict[str, set[str]] = {}
    for rule in result.rules:
        handed.clear()
        run_rules(result.frames, result.sources, rules=[rule])
        assert sorted(in_scope(documents, rule.get("applies_to"))) == sorted(set(handed)), rule["id"]
        for doc in handed:
            ran.setdefault(doc, set()).add(rule["id"])
    assert ran["002_6460700eaa6e9ee9.txt#1"] != ran["002_6460700eaa6e9ee9.txt#2"]  # a guide, a report
    assert "values.non_negative" not in ran["002_6460700eaa6e9ee9.txt#7"]  # pre-2019: excluded
    assert "values.non_negative" not in ran["002_6460700eaa6e9ee9.txt#6"]  # a copy: left to its original
    if len(inputs) > 1:  # a text archive whose tables went unread: its page gives the verdict
        assert "values.non_negative" in ran["pingtan-2021.html#1"] - ran["pingtan-2021.txt#1"]
    root = etree.fromstring(check(*inputs, "--format", "junit")[1].encode("utf-8"))
    for suite in root.iter("testsuite"):
        assert {c.get("name") for c in suite.iter("testcase")} == ran[suite.get("name")]


def test_junit_fail_on_and_rules_off(tmp_path: Path) -> None:
    code, xml, _ = check(str(S4), "--format", "junit", "--fail-on", "never")
    root = etree.fromstring(xml.encode("utf-8"))
    assert code == 0 and root.get("failures") == "0" and root.find(".//system-out") is not None
    code, xml, _ = check(str(S4), "--format", "junit", "--fail-on", "info")
    root = etree.fromstring(xml.encode("utf-8"))
    assert code == 1 and root.find(".//testcase[@name='structure.nonstandard_outline']/failure") is not None
    config = tmp_path / "config.yaml"
    config.write_text("severity: {dates.late_publication: 'off', applications.column_balance: warning}\n")
    code, xml, _ = check(str(S4), "--format", "junit", "--config", str(config))
    root = etree.fromstring(xml.encode("utf-8"))
    assert junit_schema().validate(root) and code == 0
    assert root.find(".//testcase[@name='dates.late_publication']/skipped") is not None
    assert root.find(".//testcase[@name='applications.column_balance']/system-out") is not None
    log = json.loads(check(str(S4), "--format", "sarif", "--config", str(config))[1])
    overrides = {
        o["descriptor"]["id"]: o["configuration"]
        for o in log["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
    }
    assert overrides == {
        "dates.late_publication": {"enabled": False},
        "applications.column_balance": {"level": "warning"},
    }
    assert json_validator("sarif-schema-2.1.0.json").is_valid(log)


def test_an_internal_error_is_a_junit_error_a_gitlab_blocker_and_an_unsuccessful_sarif_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from audit.validate.registry import REGISTRY, Kind

    def breaks(ctx: Any, params: dict[str, Any]) -> Any:
        raise TypeError("injected")

    original = REGISTRY["deadline"]
    monkeypatch.setitem(REGISTRY, "deadline", Kind("deadline", breaks, original.params, original.doc))
    code, xml, stderr = check(str(S4), "--format", "junit")
    root = etree.fromstring(xml.encode("utf-8"))
    assert code == 2 and junit_schema().validate(root) and root.get("errors") == "1"
    assert root.find(".//testcase[@name='extraction.internal_error']/error") is not None
    assert "internal error in rule dates.late_publication" in stderr
    issues = json.loads(check(str(S4), "--format", "gitlab")[1])
    assert [i["severity"] for i in issues if i["check_name"] == "extraction.internal_error"] == ["blocker"]
    log = json.loads(check(str(S4), "--format", "sarif")[1])
    assert json_validator("sarif-schema-2.1.0.json").is_valid(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    assert "TypeError: injected" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_file_names_are_escaped_for_each_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    named = Path("年报 2020,#1.txt")
    named.write_text(S4.read_text(encoding="utf-8"), encoding="utf-8")
    log = json.loads(check(str(named), "--format", "sarif")[1])
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"%E5%B9%B4%E6%8A%A5%202020%2C%231.txt"} and unquote(uris.pop()) == str(named)
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert {i["location"]["path"] for i in json.loads(check(str(named), "--format", "gitlab")[1])} == {str(named)}
    root = etree.fromstring(check(str(named), "--format", "junit")[1].encode("utf-8"))
    assert {s.get("file") for s in root.iter("testsuite")} == {str(named)}


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "audit.sarif"
    code, stdout, stderr = check(str(S4), "--format", "sarif", "-o", str(target))
    assert code == 1 and stdout == "" and "未通过" in stderr.splitlines()[-1]
    assert json_validator("sarif-schema-2.1.0.json").is_valid(json.loads(target.read_text(encoding="utf-8")))
    # auto writes the concise lines to a file, verdict last, and says the verdict on stderr too
    code, stdout, stderr = check(str(S4), "--output", str(tmp_path / "audit.txt"))
    lines = (tmp_path / "audit.txt").read_text(encoding="utf-8").splitlines()
    assert code == 1 and stdout == "" and lines[-1] == stderr.splitlines()[-1] and ": error " in lines[0]
    result = CliRunner().invoke(main, ["check", str(S4), "--format", "full", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--output" in result.stderr and not (tmp_path / "x").exists()


class _Yaml12(yaml.SafeLoader):
    """YAML as GitHub reads a workflow: only true/false are booleans (`on:` is a key, not True)."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"


def _assert_known_options(script: str) -> int:
    """Every `xxgk-audit run|check` in a script uses options the command has (and formats it knows)."""
    calls = 0
    for command, rest in re.findall(r"xxgk-audit (run|check)\b([^\n#]*)", script):
        params = main.commands[command].params
        known = {o for p in params for o in (*p.opts, *p.secondary_opts)}
        words = rest.split()
        for i, word in enumerate(words):
            if re.fullmatch(r"--?[a-z][a-z-]*", word):
                assert word in known, (command, word)
            if word == "--format":
                (choice,) = [p.type for p in params if p.name == "output_format"]
                assert words[i + 1] in getattr(choice, "choices", ()), (command, words[i + 1])
        calls += 1
    return calls


def test_sample_github_workflow_is_valid() -> None:
    workflow = yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=_Yaml12)
    errors = sorted(json_validator("github-workflows.json").iter_errors(workflow), key=str)
    assert not errors, errors[0].message
    steps = workflow["jobs"]["audit"]["steps"]
    uses = {s["uses"].split("@")[0] for s in steps if "uses" in s}
    assert {"github/codeql-action/upload-sarif", "actions/upload-artifact"} <= uses
    scripts = [s["run"] for s in steps if "run" in s]
    assert sum(_assert_known_options(script) for script in scripts) == 3
    assert "--format sarif -o audit.sarif" in "\n".join(scripts) and "--format github" in scripts[-1]
    if shutil.which("bash"):
        for script in scripts:
            assert subprocess.run(["bash", "-n", "-c", script], capture_output=True).returncode == 0, script


def test_sample_github_workflow_gates_the_changed_reports(tmp_path: Path) -> None:
    """The workflow's own steps, run in a repository where a pull request adds one report and changes
    another: the gate annotates those two only and fails."""
    if not (shutil.which("git") and shutil.which("bash")):
        pytest.skip("needs git and bash")
    repo = tmp_path / "repo"
    (repo / "reports").mkdir(parents=True)
    for sample in sorted(SAMPLES.glob("00[0-2]*.txt")):
        shutil.copy(sample, repo / "reports" / sample.name)

    def git(*args: str) -> str:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
        return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    shutil.copy(S4, repo / "reports" / "新 报告.txt")
    changed = repo / "reports" / "001_605866c201a9c82d.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "a pull request")
    workflow = yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=_Yaml12)
    env = {
        **os.environ,
        **workflow["env"],
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "EVENT": "pull_request",
        "PR_BASE": base,
        "BEFORE": "",
    }
    steps = {s.get("name"): s for s in workflow["jobs"]["audit"]["steps"]}
    for name in ("Gate options", "List new and changed reports", "Gate on the new and changed reports"):
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", steps[name]["run"]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
        )
    assert (tmp_path / "output").read_text(encoding="utf-8").strip() == "count=2"
    assert done.returncode == 1, done.stderr
    annotated = set(re.findall(r"^::\w+ file=([^,]+),", done.stdout, re.MULTILINE))
    assert annotated == {"reports/新 报告.txt", "reports/001_605866c201a9c82d.txt"}
    assert "未通过" in done.stdout.splitlines()[-1]


def test_gitlab_ci_snippet() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"## GitLab CI\s+```yaml\n(.*?)```", text, re.DOTALL)
    assert block
    job = yaml.safe_load(block[1])["audit-reports"]
    script = "\n".join(job["script"])
    assert _assert_known_options(script) == 2
    reports = job["artifacts"]["reports"]
    assert f"--format gitlab -o {reports['codequality']}" in script
    assert f"--format junit -o {reports['junit']}" in script
