"""What a non-numeric table cell is: a row label (and which row), a group label, a header, a caption,
a section heading, or narrative text.

Labels are matched after normalisation (NFKC is done by ingest; here whitespace, quotes and
brackets are unified), by the words that identify a row, so that variants survive: 「只计这一情况」,
「5.属于三类内容事务信息」, 「2.其他法律行政止公开」 (a typo in a real PDF), 「法人或者其他组织」,
「合计」 for 「总计」, labels broken by spaces (「商业 企业」, 「要求行政机关确认或重新 出具已获取信息」).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SPACE_QUOTES = re.compile(r"[\s\u3000“”\"'‘’「」『』]+")
# Markdown a converter wraps a label in (§10.18): `### (一) 予以公开`, `**规章**`.
_MARKDOWN = re.compile(r"^#+|\*{2,}")


def normalize_label(text: str) -> str:
    text = _SPACE_QUOTES.sub("", text).replace("（", "(").replace("）", ")").replace("：", ":")
    return _MARKDOWN.sub("", text) if "#" in text or "*" in text else text


@dataclass(frozen=True, slots=True)
class Label:
    kind: str  # see the *_KIND constants below
    key: str | None = None  # row key, caption item, or section number


APP_START, APP_ROW, APP_GROUP, APP_HEADER = "app_start", "app_row", "app_group", "app_header"
RL_START, RL_HEADER = "rl_start", "rl_header"
A20_CAPTION, A20_HEADER, A20_ROW = "a20_caption", "a20_header", "a20_row"
HEADING, TEXT, UNKNOWN = "heading", "text", "unknown"

# Applications rows: the first pattern that matches wins (部分公开 before 予以公开 …).
APP_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(p))
    for key, p in (
        ("new_received", r"本年新收"),
        ("carried_over", r"上年结转"),
        ("carried_forward", r"结转下年"),
        ("results_total", r"^(\(七\)|七[、.])?(总计|合计)$|^\(七\)"),
        ("partially_granted", r"部分公开"),
        ("granted", r"予以公开"),
        ("denied.state_secret", r"国家秘密"),
        ("denied.prohibited_by_law", r"禁止公开|其他法律行政.{0,4}公开"),
        ("denied.safety_stability", r"三安全一稳定"),
        ("denied.third_party", r"第三方合法权益"),
        ("denied.internal_affairs", r"三类内.事务|内部事务信息"),
        ("denied.process_info", r"过程性信息"),
        ("denied.enforcement_file", r"行政执法案卷"),
        ("denied.administrative_query", r"行政查询事项"),
        ("unavailable.not_held", r"不掌握"),
        ("unavailable.needs_creation", r"另行制作|没有现成信息"),
        ("unavailable.unclear", r"补正后|仍不明确"),
        ("not_processed.petition", r"信访举报|举报投诉"),
        ("not_processed.duplicate", r"重复申请"),
        ("not_processed.publication", r"公开出版物"),
        ("not_processed.excessive", r"大量反复"),
        ("not_processed.confirmation", r"重新出具"),
        ("other.no_correction", r"逾期不补正"),
        ("other.unpaid_fee", r"收费通知|缴纳费用"),
        ("other.other", r"^(\(六\))?3[.、]其他$"),
        ("other", r"^(\(六\)|六[、.])其他处理$"),
    )
)
# 「总计」 alone is the 总计 column header; as a row it needs its (七).
_RESULTS_TOTAL_BARE = {"总计", "合计"}
_APP_GROUPS = re.compile(r"本年度办理结果|^\(三\)不予公开$|^\(四\)无法提供$|^\(五\)不予处理$")
_APP_HEADERS = frozenset(
    {"申请人情况", "自然人", "法人或其他组织", "法人或者其他组织", "商业企业", "科研机构", "社会公益组织"}
    | {"法律服务机构", "其他", "总计", "合计"}
)
_RL_HEADER_WORDS = re.compile(r"^(行政诉讼|结果|维持|纠正|其他|尚未|审结|总|计|未经复议直接起诉|复议后起诉)+$")

A20_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(p))
    for key, p in (
        ("regulations", r"^规章"),
        ("normative_documents", r"规范性文件|规范性檔案|規範性"),
        ("licensing", r"^行政许可"),
        ("other_services", r"其他对外管理服务"),
        ("penalty", r"^行政处罚"),
        ("coercion", r"^行政强制"),
        ("fees", r"行政事业性收费"),
        ("procurement", r"政府集中采购"),
    )
)
_A20_CAPTION = re.compile(r"^第二十条第?\(?([一二三四五六七八九十]+)\)?项")
_A20_HEADER_WORDS = re.compile(r"(数量|件数|增/减|增减|金额|单位|信息内容|万元|历史累计)")
SHAPE_2021_WORDS = re.compile(r"制发|废止|现行有效|本年处理决定|收费金额")
SHAPE_2019_WORDS = re.compile(r"新制作|新公开|对外公开总|上一年项目|增/减|增减|采购项目|采购总金额")

_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_SENTENCE = re.compile(r"[。；;!?！？]")


SHORT = 100  # a longer cell is narrative: it is not normalised (the 勾稽 header is ~35 characters)


def classify(text: str) -> Label:
    """What a non-numeric cell is, from its text alone (context is the reader's job)."""
    if len(text) > SHORT:
        return Label(APP_START) if "勾稽关系" in text[:60] else Label(TEXT)
    return classify_short(text)


@lru_cache(maxsize=16384)  # labels repeat across documents; narrative lines never reach here
def classify_short(text: str) -> Label:
    """classify() of a text of at most SHORT characters (the scanner calls it directly: it runs for
    every label of every table)."""
    norm = normalize_label(text)
    if not norm:
        return Label(UNKNOWN)
    if "勾稽关系" in norm:
        return Label(APP_START)
    if len(norm) > 60 or _SENTENCE.search(norm):
        return Label(TEXT)
    m = _A20_CAPTION.match(norm)
    if m:
        return Label(A20_CAPTION, m.group(1))
    if norm.startswith("行政复议") and len(norm) <= 24:
        return Label(RL_START)
    app = _app_row(norm)
    if app:
        return app
    for key, pattern in A20_ROW_PATTERNS:
        if pattern.search(norm):
            return Label(A20_ROW, key)
    if _APP_GROUPS.search(norm):
        return Label(APP_GROUP)
    if norm in _APP_HEADERS:
        return Label(APP_HEADER)
    if _RL_HEADER_WORDS.match(norm):
        return Label(RL_HEADER)
    if _A20_HEADER_WORDS.search(norm) or SHAPE_2019_WORDS.search(norm) or SHAPE_2021_WORDS.search(norm):
        return Label(A20_HEADER)
    if _HEADING.match(norm):
        return Label(HEADING)
    if len(norm) > 40:
        return Label(TEXT)
    return Label(UNKNOWN)


def _app_row(norm: str) -> Label | None:
    if norm in _RESULTS_TOTAL_BARE:
        return None
    for key, pattern in APP_ROW_PATTERNS:
        if pattern.search(norm):
            return Label(APP_ROW, key)
    return None
