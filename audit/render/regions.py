"""Where an agency sits: its province (region) and its level, for the site of a big run.

A national year has tens of thousands of agencies: one matrix row each on the index would make a
page nobody can open. Beyond INDEX_AGENCIES agency pages the index lists regions × levels with
their totals instead, each region linking to its own page (`region-<slug>.html`) holding the
matrix rows of its agencies. The region is the province the agency's key carries (「普陀区人民政府@浙江」),
else the one its name or the opening lines of its reports mention (audit.extract.agency.region_of);
the level is read from the ending of the name (人民政府 of a 省/市/区县/乡镇, a zone's 管理委员会, a
department).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, TypedDict

from audit.extract.agency import PROVINCES, region_of
from audit.model import short_hash
from audit.render.context import Counts, MatrixRow, add_counts

INDEX_AGENCIES = 300  # beyond this many agency pages, the index lists regions instead of agencies
UNKNOWN_REGION = "地区未识别"
LEVELS = ("省级", "市级", "县级", "乡镇（街道）", "开发区", "部门", "未识别")
HEAD_LINES = 40  # lines of a report read for the province it mentions

_PROVINCE = "|".join(sorted(PROVINCES, key=len, reverse=True))
_LEVEL_PATTERNS = (
    ("开发区", re.compile(r"(?:开发区|新区|实验区|园区|示范区|管理委员会)")),
    ("乡镇（街道）", re.compile(r"(?:镇|乡|街道)(?:人民政府|办事处)?$")),
    ("省级", re.compile(rf"^(?:{_PROVINCE})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?人民政府(?:办公厅)?$")),
    ("县级", re.compile(r"(?:区|县|旗)人民政府(?:办公室)?$")),
    ("市级", re.compile(r"(?:市|州|盟)人民政府(?:办公室|办公厅)?$")),
    ("部门", re.compile(r"(?:局|厅|委员会|委|办公室|办|中心|院|所|署|队|会)$")),
)


class RegionRow(TypedDict):
    region: str
    slug: str
    href: str
    agencies: int
    levels: list[int]  # agencies per level, in LEVELS order
    reports: int
    counts: Counts


class RegionPage(TypedDict):
    page: str  # "region"
    tool: dict[str, str]
    region: RegionRow
    levels: list[str]
    years: list[dict[str, Any]]  # matrix columns, as on the index
    matrix: list[Any]  # MatrixRow of each agency of the region (with its "level"), by level
    documents: list[Any]  # DocumentLink of every document of the region's agencies


def level_of(key: str | None) -> str:
    if not key:
        return "未识别"
    name = key.split("@")[0]
    return next((level for level, pattern in _LEVEL_PATTERNS if pattern.search(name)), "未识别")


def region_of_agency(key: str | None, names: list[str], heads: Iterable[str]) -> str:
    """The province of an agency: from its key, its names, else the opening lines of its reports."""
    if key and "@" in key:
        return key.split("@", 1)[1]
    for name in names:
        found = region_of(name)
        if found:
            return found
    votes = Counter(r for r in (region_of(None, head) for head in heads) if r)
    return min(votes, key=lambda r: (-votes[r], r)) if votes else UNKNOWN_REGION


def head_of(document: Any) -> str:
    """The opening lines of a document (where its title and issuer are)."""
    lines = []
    for _, text in document.numbered_lines():
        lines.append(text)
        if len(lines) >= HEAD_LINES:
            break
    return "\n".join(lines)


def region_slug(region: str) -> str:
    return f"region-{short_hash('region', region, length=10)}"


def region_rows(matrix: list[MatrixRow], places: list[tuple[str, str]], reports: list[int]) -> list[RegionRow]:
    """Regions with their agencies per level and totals, most agencies first (unknown last)."""
    rows: dict[str, RegionRow] = {}
    for row, (region, level), n in zip(matrix, places, reports, strict=True):
        slug = region_slug(region)
        r = rows.setdefault(
            region,
            {
                "region": region,
                "slug": slug,
                "href": f"{slug}.html",
                "agencies": 0,
                "levels": [0] * len(LEVELS),
                "reports": 0,
                "counts": {"error": 0, "warning": 0, "info": 0},
            },
        )
        r["agencies"] += 1
        r["levels"][LEVELS.index(level)] += 1
        r["reports"] += n
        r["counts"] = add_counts(r["counts"], row["counts"])
    return sorted(rows.values(), key=lambda r: (r["region"] == UNKNOWN_REGION, -r["agencies"], r["region"]))
