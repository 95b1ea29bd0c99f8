"""The rule definitions: reading rules/*.yaml, listing and explaining them.

Imports only PyYAML, so that `xxgk-audit rules` starts instantly (no pandas).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

import audit

REQUIRED_KEYS = ("id", "severity", "title", "rationale", "kind", "message", "example")


def rules_dir() -> Path:
    """Where the rule files are: inside the package when installed from a wheel, else <repo>/rules."""
    packaged = Path(audit.__file__).parent / "rules"
    return packaged if packaged.is_dir() else Path(audit.__file__).parent.parent / "rules"


def _rule_files(paths: Iterable[str | Path] | None) -> list[Path]:
    files: list[Path] = []
    for p in [rules_dir()] if paths is None else [Path(p) for p in paths]:
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return files


def load_rules(paths: Iterable[str | Path] | None = None) -> list[dict[str, Any]]:
    """Every rule of every rule file (a YAML list of rules, or a mapping with a `rules` list), in
    file and then written order. Raises ValueError on a malformed file or a repeated id."""
    rules: list[dict[str, Any]] = []
    for path in _rule_files(paths):
        # libyaml's loader when the wheel has it: the pure-Python one takes ~0.2 s of a one-file `check`
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        entries = data.get("rules") if isinstance(data, dict) else data
        if not isinstance(entries, list) or not all(isinstance(r, dict) for r in entries):
            raise ValueError(f"{path}: expected a list of rules")
        for rule in entries:
            missing = [k for k in ("id", "severity", "kind", "message") if k not in rule]
            if missing:
                raise ValueError(f"{path}: rule {rule.get('id', '?')} lacks {', '.join(missing)}")
            rules.append({**rule, "suite": path.stem})
    ids = [r["id"] for r in rules]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"rule ids defined twice: {', '.join(repeated)}")
    return rules


def rule_by_id(rule_id: str, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    for rule in load_rules() if rules is None else rules:
        if rule["id"] == rule_id:
            return rule
    raise KeyError(rule_id)


def _title(rule: dict[str, Any], lang: str) -> str:
    title = rule.get("title") or {}
    return str(title.get(lang, "")) if isinstance(title, dict) else str(title)


def list_rules(rules: list[dict[str, Any]] | None = None) -> str:
    """One line per rule: id, severity, title (中文 / English)."""
    rules = load_rules() if rules is None else rules
    width = max((len(r["id"]) for r in rules), default=0)
    return "\n".join(f"{r['id']:<{width}}  {r['severity']:<7}  {_title(r, 'zh')} / {_title(r, 'en')}" for r in rules)


def _block(text: Any, indent: str = "  ") -> str:
    lines = str(text).strip().splitlines() or [""]
    return "\n".join(indent + line for line in lines)


SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def rationale(rule: dict[str, Any], lang: str = "zh") -> str:
    """The rule's explanation on one line: `rationale_zh` (Chinese, what a reviewer reads first) or
    `rationale` (English); the Chinese falls back to the English for a rule file that lacks it."""
    text = rule.get("rationale_zh") if lang == "zh" else None
    return " ".join(str(text or rule.get("rationale") or "").split())


def expected_actual(rule: dict[str, Any]) -> str:
    """What 应为 (expected) and 实为 (actual) of the rule's findings are, in Chinese. One meaning in every
    rule: 应为 the value the identity or the other source requires, 实为 the value the report states at
    the failing place; a rule whose failure has no such pair (`expected_actual` not given) sets neither."""
    pair = rule.get("expected_actual")
    if not pair:
        return "不给出应为/实为（没有唯一的应有数值），相关数字见问题说明"
    return f"应为＝{pair['expected']}；实为＝{pair['actual']}"


def explain_rule(rule_id: str, rules: list[dict[str, Any]] | None = None, verbose: bool = False) -> str:
    """A rule for a reviewer: titles, severity, the explanation (Chinese, then English) and a passing and a
    failing example. `verbose` adds the internals: the check (kind, scope, params) and the raw message
    template with its {placeholders}. Raises KeyError for an unknown id."""
    rule = rule_by_id(rule_id, rules)
    example = rule.get("example") or {}
    severity = str(rule["severity"])
    parts = [
        rule["id"],
        f"  {_title(rule, 'zh')}",
        f"  {_title(rule, 'en')}",
        "",
        f"严重程度：{SEVERITY_ZH.get(severity, severity)}（{severity}）",
        "",
        "说明：",
        _block(rationale(rule, "zh")),
        "",
        "Explanation:",
        _block(rationale(rule, "en")),
        "",
        f"应为 / 实为：{expected_actual(rule)}",
        "",
        "符合规则的示例（passes）：",
        _block(example.get("pass", "")),
        "",
        "违反规则的示例（fails）：",
        _block(example.get("fail", "")),
    ]
    if verbose:
        check = yaml.safe_dump(
            {"kind": rule["kind"], "applies_to": rule.get("applies_to"), "params": rule.get("params")},
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=None,
            width=100,
        )
        parts += ["", "检查（check）：", _block(check), "", "提示模板（message template）：", _block(rule["message"])]
    return "\n".join(parts)
