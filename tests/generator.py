"""Labelled report files for whole-run tests: real reports, their mutations, renderings and junk.

Every generated input comes with a `Truth`: what must still hold of it whatever the auditor makes of
the mutation. `expect` is the core of it:
- "documents": a readable report; the run must audit it and find at least one document in it;
- "documents_or_refused": a report behind a hostile shape (nesting 300 deep, a 1 MB line): the run
  audits it (≥ 1 document) or refuses it with a reason (unreadable/skipped, or a finding);
- "any": junk; it only has to be accounted for in `inputs`.
`kind`/`year` are set where the mutation keeps what identifies them (an encoding change, a rendering
of the same content): a miss there is an extraction-quality finding, not a crash.

Seeds are the sample reports (audit/samples/*.txt, the file holding ten documents split at its page
chrome) and the 平潭 archive texts (../shared/corpus/pingtan/*.txt, when present). Everything is
deterministic from the integer seed given to `write_folder` (random.Random). Used by
tests/test_run_fuzz.py and bench/fuzz_campaign.py (which puts tests/ on sys.path); issues that need
more shapes add them to SHAPES.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from generator_renderings import table_cells, to_docx, to_html, to_markdown, to_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "audit" / "samples"
PINGTAN = ROOT.parent / "shared" / "corpus" / "pingtan"

# Hand-checked kind and year of each seed document (../shared/corpus/seeds/truth.yaml, pingtan/labels.yaml).
_SEED_LABELS: dict[str, tuple[str, int | None]] = {
    "000": ("annual_report", 2020),
    "001": ("annual_report", 2020),
    "002-1": ("guide", None),
    "002-2": ("annual_report", 2022),
    "002-3": ("annual_report", 2021),
    "002-4": ("annual_report", 2021),
    "002-5": ("annual_report", 2020),
    "002-6": ("annual_report", 2020),
    "002-7": ("annual_report", 2014),
    "002-8": ("annual_report", 2019),
    "002-9": ("annual_report", 2019),
    "002-10": ("annual_report", 2019),
    "003": ("annual_report", 2021),
    "004": ("annual_report", 2020),
    "pingtan-2016": ("annual_report", 2016),
    "pingtan-2019": ("annual_report", 2019),
    "pingtan-2020": ("annual_report", 2020),
    "pingtan-2021": ("annual_report", 2021),
    "pingtan-2022": ("annual_report", 2022),
    "pingtan-letter-2014": ("other", None),
}
# Agency names in the seeds: renamed per input (「历下区」 → 「历下7区」) so copies are distinct reports.
_AGENCY_WORDS = ("普陀区", "桃江经济开发区", "历下区", "苍南县", "六安市", "平潭综合实验区")
_PAGE_BREAK = "字号:"  # the portal chrome between the documents of 002_….txt
_CHROME = ("扫码使用手机浏览本页内容",)


@dataclass(frozen=True)
class Seed:
    name: str
    text: str
    kind: str
    year: int | None


@dataclass
class Truth:
    shape: str
    seed: str  # the seed document's name, "" for junk made from nothing
    expect: str  # "documents" | "documents_or_refused" | "any"
    kind: str | None = None
    year: int | None = None
    parts: int = 1  # seed documents in the input (several when concatenated, 0 for junk)
    blank: bool = False  # nothing but whitespace: the only input that may be called empty


@dataclass
class Generated:
    path: Path
    truth: Truth


def _split_002(text: str) -> list[str]:
    docs: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip() == _PAGE_BREAK:
            docs.append([])
        elif line.strip() not in _CHROME:
            docs[-1].append(line.removeprefix("大 中 小"))
    return ["\n".join(d).strip("\n") + "\n" for d in docs if "".join(d).strip()]


@cache
def seeds() -> tuple[Seed, ...]:
    """The seed documents, one per real report (the ten-document file split at its page chrome)."""
    out: list[Seed] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        stem = path.name[:3]
        parts = _split_002(text) if stem == "002" else [text]
        for i, part in enumerate(parts, start=1):
            name = f"{stem}-{i}" if len(parts) > 1 else stem
            kind, year = _SEED_LABELS[name]
            if all(s.text != part for s in out):  # 002 holds two exact copies; one of each is enough
                out.append(Seed(name, part, kind, year))
    if PINGTAN.is_dir():
        for path in sorted(PINGTAN.glob("*.txt")):
            kind, year = _SEED_LABELS[path.stem]
            out.append(Seed(path.stem, path.read_text(encoding="utf-8"), kind, year))
    return tuple(out)


def seed_named(name: str) -> Seed:
    """A seed by name (reproducers: `make(shape, seed_named("001"), random.Random(0))`)."""
    [seed] = [s for s in seeds() if s.name == name]
    return seed


def reports() -> tuple[Seed, ...]:
    return tuple(s for s in seeds() if s.kind == "annual_report")


# ---------------------------------------------------------------- text mutations
# Each takes the text and the random source and returns the mutated text.

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_YEAR_WITH_NIAN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
_CN_DIGITS = "〇一二三四五六七八九"
_DATE = r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_PERIOD = re.compile(rf"{_DATE}\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*{_DATE}")
_TITLE = re.compile(
    r"[^\s|,，。:：《》]{0,30}?(?:(?:19|20)\d{2}|[〇一二三四五六七八九零]{4})\s*年度?[^\s|,，。]{0,12}?年度?报告"
)


def title_removed(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines[:15]):
        if "报告" in line and len(line.strip(" |")) < 80:
            lines[i] = ""
        else:
            head, tail = line[:200], line[200:]
            lines[i] = _TITLE.sub("", head) + tail
        if line.startswith("标题:"):
            lines[i] = "标题: "
    return "\n".join(lines) + "\n"


def year_chinese(text: str, rng: random.Random) -> str:
    zero = rng.choice("〇零")
    return _YEAR_WITH_NIAN.sub(lambda m: "".join(_CN_DIGITS[int(d)] for d in m.group(1)).replace("〇", zero), text)


def year_removed(text: str, rng: random.Random) -> str:
    return _YEAR.sub("", text)


def period_blank(text: str, rng: random.Random) -> str:
    blank = rng.choice(["", "    年  月  日至    年  月  日", "XXXX年XX月XX日至XXXX年XX月XX日", "年月日至年月日"])
    if _PERIOD.search(text):
        return _PERIOD.sub(blank, text)
    return text + f"本报告中所列数据的统计期限为{blank}。\n"


def period_mangled(text: str, rng: random.Random) -> str:
    year = int(m.group(0)) if (m := _YEAR.search(text)) else 2021
    mangled = rng.choice(
        [
            f"{year}年13月1日至{year}年2月30日",
            f"{year}年12月31日至{year}年1月1日",
            f"{year}年0月0日至{year}年00月00日",
            f"{year + 1}年1月1日至{year + 1}年12月31日",
            f"{year}年1月1日至{year}年12月",
            f"{year}年1月1日至{year - 3}年12月31日",
            f"{year}年1月1日至9999年99月99日",
        ]
    )
    if _PERIOD.search(text):
        return _PERIOD.sub(mangled, text)
    lines = text.splitlines()
    at = rng.randrange(1, max(2, len(lines)))
    return "\n".join([*lines[:at], f"本报告中所列数据的统计期限为{mangled}。", *lines[at:]]) + "\n"


def table_cut(text: str, rng: random.Random) -> str:
    """The text ends in the middle of a table row (a truncated download or copy)."""
    lines = text.splitlines()
    rows = [i for i, line in enumerate(lines) if (table_cells(line) or []) and re.search(r"\d", line)]
    if rows:
        i = rng.choice(rows[len(rows) // 3 :])
        line = lines[i]
        return "\n".join([*lines[:i], line[: rng.randrange(1, max(2, len(line)))]])
    cut = rng.randrange(len(text) // 2, max(len(text) // 2 + 1, len(text)))
    return text[:cut]


def lines_wrapped(text: str, rng: random.Random) -> str:
    """A few lines broken in the middle of a label (a run of Chinese) or of a number."""
    lines = text.splitlines()
    for _ in range(rng.randint(1, 6)):
        candidates = [i for i, line in enumerate(lines) if len(line) >= 4]
        if not candidates:
            break
        i = rng.choice(candidates)
        line = lines[i]
        numbers = [m.start() + 1 for m in re.finditer(r"\d(?=\d)", line)]
        labels = [m.start() + 1 for m in re.finditer(r"[\u4e00-\u9fff](?=[\u4e00-\u9fff])", line)]
        spots = numbers if numbers and (rng.random() < 0.5 or not labels) else labels
        at = rng.choice(spots) if spots else len(line) // 2
        lines[i : i + 1] = [line[:at], line[at:]]
    return "\n".join(lines) + "\n"


def lines_deleted(text: str, rng: random.Random) -> str:
    """A few lines, or a run of them, deleted; never the bulk of the text (a report stays a report)."""
    lines = text.splitlines()
    short = [i for i, line in enumerate(lines) if i > 0 and len(line) < len(text) / 8]
    if not short:
        return text
    if rng.random() < 0.5:
        doomed = set(rng.sample(short, k=min(len(short), rng.randint(1, 6))))
    else:
        start = rng.choice(short)
        doomed = set(range(start, min(len(lines), start + rng.randint(2, 15)))) & set(short)
    return "\n".join(line for i, line in enumerate(lines) if i not in doomed) + "\n"


def digits_spaced(text: str, rng: random.Random) -> str:
    """「2 0 2 3 年」 years, or every number of some lines printed digit by digit (「1 2 3」)."""
    if rng.random() < 0.5:
        return _YEAR_WITH_NIAN.sub(lambda m: " ".join(m.group(1)) + " ", text)
    lines = text.splitlines()
    for i in rng.sample(range(len(lines)), k=max(1, len(lines) // 3)):
        lines[i] = re.sub(r"\d{2,}", lambda m: " ".join(m.group(0)), lines[i])
    return "\n".join(lines) + "\n"


def digits_fullwidth(text: str, rng: random.Random) -> str:
    return text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


TEXT_MUTATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "title_removed": title_removed,
    "year_chinese": year_chinese,
    "year_removed": year_removed,
    "period_blank": period_blank,
    "period_mangled": period_mangled,
    "table_cut": table_cut,
    "lines_wrapped": lines_wrapped,
    "lines_deleted": lines_deleted,
    "digits_spaced": digits_spaced,
    "digits_fullwidth": digits_fullwidth,
}

# ---------------------------------------------------------------- encodings
# text → bytes; those marked exact must read back to the same text as UTF-8.

_BAD_BYTES = (b"\xff", b"\xfe\xfe", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\x81")


def _with_bad_bytes(text: str, rng: random.Random, codec: str) -> bytes:
    cuts = sorted(rng.sample(range(len(text)), k=min(len(text), rng.randint(1, 5))))
    out, last = [], 0
    for cut in cuts:
        out.append(text[last:cut].encode(codec))
        out.append(rng.choice(_BAD_BYTES))
        last = cut
    out.append(text[last:].encode(codec))
    return b"".join(out)


def _cut_last_character(text: str, rng: random.Random, codec: str) -> bytes:
    text = text.rstrip()
    if not text or ord(text[-1]) < 128:
        text += "。"
    data = text.encode(codec)
    width = len(text[-1].encode(codec))
    return data[: len(data) - rng.randint(1, width - 1)]


ENCODINGS: dict[str, Callable[[str, random.Random], bytes]] = {
    "utf8": lambda t, r: t.encode("utf-8"),
    "utf8_bom": lambda t, r: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t, r: t.encode("gb18030"),
    "utf16_bom": lambda t, r: t.encode("utf-16"),
    "utf16le_nobom": lambda t, r: t.encode("utf-16-le"),
    "utf16be_nobom": lambda t, r: t.encode("utf-16-be"),
    "utf8_bad_bytes": lambda t, r: _with_bad_bytes(t, r, "utf-8"),
    "gb18030_bad_bytes": lambda t, r: _with_bad_bytes(t, r, "gb18030"),
    "utf8_cut_char": lambda t, r: _cut_last_character(t, r, "utf-8"),
    "gb18030_cut_char": lambda t, r: _cut_last_character(t, r, "gb18030"),
}
EXACT_ENCODINGS = ("utf8", "utf8_bom", "gb18030", "utf16_bom", "utf16le_nobom", "utf16be_nobom")

# ---------------------------------------------------------------- renderings


def _html(text: str, rng: random.Random) -> tuple[bytes, str]:
    return to_html(text, rng)[0], ".html"


RENDERINGS: dict[str, Callable[[str, random.Random], tuple[bytes, str]]] = {
    "html": _html,
    "docx": lambda t, r: (to_docx(t, r), ".docx"),
    "pdf": lambda t, r: (to_pdf(t, r), ".pdf"),
    "md": lambda t, r: (to_markdown(t, r), ".md"),
}

# ---------------------------------------------------------------- junk


def _random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(1, 4096))


def _png(rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(16, 512))


def _csv(rng: random.Random) -> bytes:
    rows = ["机关,年度,新收申请,结转"] + [
        f"某某{i}局,{rng.randint(2015, 2024)},{rng.randint(0, 500)},0" for i in range(9)
    ]
    return "\n".join(rows).encode(rng.choice(["utf-8", "gb18030"]))


def _json(rng: random.Random) -> bytes:
    record = {"title": "2021年政府信息公开工作年度报告", "new_received": rng.randint(0, 999), "x": [1, 2, None]}
    return json.dumps(record, ensure_ascii=rng.random() < 0.5).encode("utf-8")


def _zip(rng: random.Random) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
        archive.writestr("data/numbers.csv", "1,2,3\n")
    return buffer.getvalue()


def _truncated_pdf(rng: random.Random) -> bytes:
    data = to_pdf(rng.choice(reports()).text[:3000], rng)
    return data[: rng.randrange(8, len(data) - 10)]


def _nested_html(rng: random.Random) -> bytes:
    depth = rng.choice([260, 300, 400])
    body = "".join(f"<p>{line}</p>" for line in rng.choice(reports()).text.splitlines() if line.strip())
    return f"<html><body>{'<div>' * depth}{body}{'</div>' * depth}</body></html>".encode()


def _long_line(rng: random.Random) -> bytes:
    line = " ".join(rng.choice(reports()).text.split())
    data = ((line + " ") * (1_000_000 // max(1, len(line.encode())) + 1)).encode("utf-8")[:1_000_000]
    return data.decode("utf-8", errors="ignore").encode("utf-8")  # whole characters (a cut one is its own shape)


# name → (maker, suffix, expect)
JUNK: dict[str, tuple[Callable[[random.Random], bytes], str, str]] = {
    "empty": (lambda r: b"", ".txt", "any"),
    "whitespace": (lambda r: r.choice([b" ", b"\n\n\n", b"\t \r\n \xe3\x80\x80\n"]), ".txt", "any"),
    "random_bytes": (_random_bytes, ".txt", "any"),
    "png": (_png, ".png", "any"),
    "csv": (_csv, ".csv", "any"),
    "json": (_json, ".json", "any"),
    "zip": (_zip, ".docx", "any"),
    "truncated_pdf": (_truncated_pdf, ".pdf", "any"),
    "nested_html": (_nested_html, ".html", "documents_or_refused"),
    "long_line": (_long_line, ".txt", "documents_or_refused"),
}
BIG_JUNK = ("long_line",)  # costly to audit: at most one per folder

# ---------------------------------------------------------------- shapes


def _renamed(text: str, tag: str) -> str:
    for word in _AGENCY_WORDS:
        text = text.replace(word, f"{word[:-1]}{tag}{word[-1]}")
    return text


def make(shape: str, seed: Seed | None, rng: random.Random, tag: str = "") -> tuple[bytes, str, Truth]:
    """One input of `shape` from `seed` (renamed with `tag` when given): its bytes, file suffix and truth."""
    if shape.startswith("junk."):
        maker, suffix, expect = JUNK[shape[5:]]
        blank = shape in ("junk.empty", "junk.whitespace")
        return maker(rng), suffix, Truth(shape, "", expect, parts=0, blank=blank)
    assert seed is not None
    text = _renamed(seed.text, tag) if tag else seed.text
    keeps = Truth(shape, seed.name, "documents", seed.kind, seed.year)
    if shape == "original":
        return text.encode("utf-8"), ".txt", keeps
    if shape == "concatenated":  # several reports in one file, as portals' page archives hold them
        parts = [text] + [_renamed(rng.choice(seeds()).text, f"{tag}{k}") for k in range(rng.randint(1, 3))]
        joint = rng.choice(["\n扫码使用手机浏览本页内容\n字号:\n大 中 小", "\n\n\n", "\n" + "=" * 20 + "\n"])
        truth = Truth(shape, seed.name, "documents", parts=len(parts))  # kind: parts may not be split
        return joint.join(parts).encode("utf-8"), ".txt", truth
    if shape.startswith("encoding."):
        data = ENCODINGS[shape[9:]](text, rng)
        return data, ".txt", keeps if shape[9:] in EXACT_ENCODINGS else Truth(shape, seed.name, "documents", seed.kind)
    if shape.startswith("render."):
        data, suffix = RENDERINGS[shape[7:]](text, rng)
        return data, suffix, keeps
    mutated = TEXT_MUTATIONS[shape](text, rng)
    # a period changed in place keeps the kind (one appended to a guide may well make it read as a report)
    kind = seed.kind if shape == "digits_fullwidth" or (shape.startswith("period_") and _PERIOD.search(text)) else None
    year = seed.year if shape == "digits_fullwidth" else None
    return mutated.encode("utf-8"), ".txt", Truth(shape, seed.name, "documents", kind, year)


SHAPES: tuple[str, ...] = (
    "original",
    "concatenated",
    *TEXT_MUTATIONS,
    *(f"encoding.{e}" for e in ENCODINGS if e != "utf8"),
    *(f"render.{r}" for r in RENDERINGS),
    *(f"junk.{j}" for j in JUNK),
)


def write_folder(
    folder: Path,
    seed: int,
    count: int,
    shapes: tuple[str, ...] = SHAPES,
    *,
    junk: float = 0.1,
    rename: float = 0.8,
    subfolders: float = 0.1,
    big_junk: bool = True,
) -> list[Generated]:
    """Write `count` inputs into `folder` (created); return them with their truth.

    A share `junk` of them are junk files, the rest reports of the other shapes, each from a seed
    document chosen at random; with probability `rename` its agency is renamed (copies stay
    distinct reports; the rest keep duplicates, versions and cross-year pairs in the mix); with
    probability `subfolders` it goes into a subfolder. At most one costly junk file (a 1 MB line).
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    junk_shapes = [s for s in shapes if s.startswith("junk.") and (big_junk or s[5:] not in BIG_JUNK)]
    report_shapes = [s for s in shapes if not s.startswith("junk.")]
    big_done = False
    out: list[Generated] = []
    for i in range(count):
        use_junk = junk_shapes and (not report_shapes or rng.random() < junk)
        shape = rng.choice(junk_shapes if use_junk else report_shapes)
        if shape[5:] in BIG_JUNK:
            shape = "original" if big_done and report_shapes else shape
            big_done = True
        seed_doc = rng.choice(seeds())
        tag = str(i) if rng.random() < rename else ""
        data, suffix, truth = make(shape, seed_doc, rng, tag)
        name = f"{i:04d}_{shape.replace('.', '-')}_{truth.seed or 'junk'}{suffix}"
        path = folder / (f"sub{i % 3}/{name}" if rng.random() < subfolders else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out.append(Generated(path, truth))
    return out


def save_truth(inputs: list[Generated], path: Path) -> None:
    """The truth of each input as JSON (kept outside the audited folder)."""
    records = [{"path": os.fspath(g.path), **asdict(g.truth)} for g in inputs]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
