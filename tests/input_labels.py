"""Labelled corpus files (../shared/corpus/{pdf,pingtan}/labels.yaml) as expectations for the input
tests: every labelled table cell and metadata field, read from the label files, never copied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from audit.model import APP_COLUMNS, RL_GROUPS, RL_OUTCOMES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def labels(folder: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((CORPUS / folder / "labels.yaml").read_text(encoding="utf-8"))
    return {name: label for name, label in data.items() if isinstance(label, dict)}


def _number(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return str(value).strip()


def labelled_cells(label: dict[str, Any]) -> dict[str, Any]:
    """{"table.row.column": value} for every cell the label gives."""
    tables = label.get("tables") or {}
    cells: dict[str, Any] = {}
    for row, values in (tables.get("applications") or {}).items():
        cells.update({f"applications.{row}.{c}": v for c, v in zip(APP_COLUMNS, values, strict=True)})
    review = tables.get("review_litigation") or []
    keys = [f"review_litigation.{g}.{o}" for g in RL_GROUPS for o in RL_OUTCOMES]
    cells.update(dict(zip(keys, review, strict=False)))
    for item, fields in (tables.get("article20") or {}).items():
        cells.update({f"article20.{item}.{k}": v for k, v in fields.items()})
    return cells


def table_mismatches(label: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """The labelled cells the document's tables do not hold as printed."""
    misses = []
    for key, expected in labelled_cells(label).items():
        table, *row, column = key.split(".")
        got = ((document["tables"].get(table) or {}).get(".".join(row)) or {}).get(column, "<absent>")
        if _number(got) != _number(expected):
            misses.append(f"{key}: expected {expected!r}, got {got!r}")
    return misses


def metadata_mismatches(label: dict[str, Any], document: dict[str, Any]) -> list[str]:
    misses = []
    for key in ("kind", "year", "format"):
        if key in label and str(document.get(key)) != str(label[key]):
            misses.append(f"{key}: expected {label[key]}, got {document.get(key)}")
    if "published" in label and str(document.get("published") or "")[:10] != str(label["published"]):
        misses.append(f"published: expected {label['published']}, got {document.get('published')}")
    if "period" in label:
        period = document.get("period") or {}
        if [period.get("start"), period.get("end")] != [str(d) for d in label["period"]]:
            misses.append(f"period: expected {label['period']}, got {period}")
    contains = label.get("agency_contains") or "洪泽区"
    if contains not in str(document.get("agency") or ""):
        misses.append(f"agency: expected to contain {contains}, got {document.get('agency')}")
    return misses
