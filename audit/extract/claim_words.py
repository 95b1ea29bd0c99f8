"""The words the claims reader (audit.extract.claims) names a stated number by.

Kept apart from the reader so that the vocabulary can be read (and extended) in one place: each
pattern is matched against the clause before a number (「…收到申请」215件) or just after it
(70件「申请」), and the closest keyword before the number wins.
"""

from __future__ import annotations

import re


def _top_level(pattern: str) -> list[str]:
    """The alternatives of a pattern at its top level."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(pattern):
        if c == "(" and pattern[i - 1 : i] != "\\":
            depth += 1
        elif c == ")" and pattern[i - 1 : i] != "\\":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
    out.append(pattern[start:])
    return out


def fast(pattern: str) -> re.Pattern[str]:
    """A pattern of literal-led alternatives, compiled to skip ahead to one of their first characters
    (Python's re does not, for an alternation: a search over a long line is ~2x faster)."""
    firsts = {alternative[0] for alternative in _top_level(pattern)}
    if not firsts or any(not ("\u4e00" <= c <= "\u9fff") for c in firsts):
        raise ValueError(f"not literal-led: {pattern}")
    return re.compile(f"(?=[{''.join(sorted(firsts))}])(?:{pattern})")


COUNT_UNITS = frozenset({"件", "条", "个", "次", "起", "宗", "项", "份", "篇", "期", "件次", "人次", "家"})
# Units a count of applications or cases is given in (「20个工作日」 is not one).
CASE_UNITS = frozenset({"件", "条", "起", "宗", "例"})
# Units a count of 规范性文件/规章 or of 主动公开 information is given in.
DOCUMENT_UNITS = frozenset({"件", "部", "个", "份"})
INFORMATION_UNITS = frozenset({"条", "件", "篇", "个"})

KEYWORDS = fast(
    r"申请|复议|诉讼|起诉|其中|包括|同比|较上年|比上年|占|规范性文件|规章|主动|开政府信息|布政府信息|各类政府信息|办结率"
)
SENTENCE_END = re.compile(r"[。!?！？\n]")
CLAUSE_END = "，,；;、:：()（）"
OTHER_DOMAIN = re.compile(r"审批|窗口|政务服务|热线|许可|办件|事项|信箱|留言|建议|提案|诉求|惠民|协助调查")

# Clause keyword → metric, most specific first. A row group (denied, unavailable, not_processed,
# other) stands for the sum of its rows. `outcome.*` is an outcome of the review or litigation group
# named last before it in the sentence; `pending_or_forward` is 尚未审结 after a 复议/诉讼 and
# 结转下年 otherwise.
METRIC_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"上年结转|结转上年|上年度结转|上一年度结转", "applications.carried_over"),
    (r"结转下|转下年|转入下一?年|结转至下|结转到下|下年度继续办理", "applications.carried_forward"),
    (r"尚未办结|未办结", "pending_or_forward"),
    (r"部分公开|区分处理", "applications.partially_granted"),
    (r"不予公开|不同意公开|不公开", "applications.denied"),
    (r"予以公开|同意公开|全部公开", "applications.granted"),
    (r"无法提供", "applications.unavailable"),
    (r"不属于本行政机关|不属于本机关|非本机关|本机关不掌握|不掌握", "applications.unavailable.not_held"),
    (r"信息不存在|不存在", "applications.unavailable.nonexistent"),
    (r"没有现成信息|另行制作", "applications.unavailable.needs_creation"),
    (r"告知作出更改补充|内容不明确|内容仍不明确", "applications.unavailable.unclear"),
    (r"不予处理|不予办理|不予受理", "applications.not_processed"),
    (r"其他处理|其它处理", "applications.other"),
    (r"复议后起诉|复议后提起(?:行政)?诉讼|经复议后(?:提起|起诉)", "review_litigation.litigation_after_review"),
    (r"未经复议直接起诉|未经复议|直接起诉|直接提起(?:行政)?诉讼", "review_litigation.litigation_direct"),
    (r"行政复议|复议", "review_litigation.review"),
    (r"行政诉讼|诉讼|起诉", "review_litigation.litigation"),
    (r"维持|胜诉", "outcome.upheld"),
    (r"纠正|纠错|撤销|确认违法|败诉", "outcome.corrected"),
    (r"其他结果|其它结果", "outcome.other"),
    (r"尚未审结|未审结|审理中|尚在审理|正在审理|尚未处理完毕|尚未结案|未结案", "outcome.pending"),
    (r"办结|答复|办理完毕|处理完毕", "applications.results_total"),
    (r"收到|受理|接收|接到|新收|共有|依申请", "applications.new_received"),
)
METRIC_RES = tuple((re.compile(p), m) for p, m in METRIC_PATTERNS)
# All patterns in one: the group that matched names the metric (m0 = the first pattern …).
ANY_METRIC = re.compile(
    "(?=[{}])(?:{})".format(
        "".join(sorted({a[0] for p, _ in METRIC_PATTERNS for a in _top_level(p)})),
        "|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(METRIC_PATTERNS)),
    )
)
COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("自然人", "natural_person"),
    ("商业企业", "commercial"),
    ("科研机构", "research"),
    ("社会公益组织", "social_welfare"),
    ("法律服务机构", "legal_service"),
)
NEEDS_APPLICATION = frozenset({"applications.new_received", "applications.results_total"})
NEGATION = re.compile(r"(未发生|没有|未收到|未有|无)$")

# -- 行政复议 / 行政诉讼 ---------------------------------------------------------------------------
# The group a case count or an outcome belongs to: the last of these before it in the sentence.
RL_GROUPS = re.compile(
    r"(?P<litigation_after_review>复议后起诉|复议后提起(?:行政)?诉讼|经复议后(?:提起|起诉))"
    r"|(?P<litigation_direct>未经复议直接起诉|未经复议|直接起诉|直接提起(?:行政)?诉讼)"
    r"|(?P<review>行政复议|复议)"
    r"|(?P<litigation>行政诉讼|诉讼|起诉)"
)
RL_WORD = re.compile(r"复议|诉讼|起诉")
# A case count is about 政府信息公开 (not every 行政复议 a 司法局 handles) when its sentence says so or
# it stands under the report's 复议/诉讼 heading.
RL_CONTEXT = re.compile(r"信息公开|政府信息|依申请|公开申请")
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
HEADING_START = frozenset("一二三四五六七八九十")
# 「行政复议1件,维持具体行政行为」, 「行政诉讼3件,均维持」, 「…2件,均已结案」: an outcome with no number
# of its own is the whole count before it (one case, or 均/全部/都).
IMPLIED_OUTCOME = re.compile(
    r"\s*[,，]\s*(?:该案|案件)?(?:经)?(?:复议|诉讼|审理|判决)?(?:结果)?(?P<all>均|全部|都)?(?:已经|已)?"
    r"(?:为|被|予以|依法)?(?:复议机关|法院|判决)?"
    r"(?P<word>维持|胜诉|纠正|纠错|撤销|确认违法|败诉|尚未审结|未审结|审理中|尚在审理|正在审理|尚未处理完毕"
    r"|尚未结案|未结案|审结|结案|办结)"
)
# 「行政复议和行政诉讼均为0件」, 「行政复议、行政诉讼各1件」: one number for both groups.
BOTH_GROUPS = re.compile(
    r"(?:行政)?复议(?:案件)?[和及与、](?:提起)?(?:行政)?(?:诉讼|起诉)(?:案件)?(?:数量?)?(?:均为|均|都为|都|各|皆为)$"
)
IMPLIED_WORDS = {
    **dict.fromkeys(("维持", "胜诉"), "upheld"),
    **dict.fromkeys(("纠正", "纠错", "撤销", "确认违法", "败诉"), "corrected"),
    **dict.fromkeys(
        ("尚未审结", "未审结", "审理中", "尚在审理", "正在审理", "尚未处理完毕", "尚未结案", "未结案"), "pending"
    ),
    **dict.fromkeys(("审结", "结案", "办结"), "done"),
}
# 「未发生/没有/无 行政复议(和行政诉讼)」: a stated 0 of each group named in the clause.
NEGATED_RL = re.compile(
    r"(?<!有)(?P<neg>未发生|没有发生|未出现|没有|未收到|未有|未产生|无)(?![法正需论关])"
    r"[^，,；;。]{0,30}?(?:行政复议|行政诉讼|复议|诉讼|起诉)"
)
NOT_A_ZERO = re.compile(r"维持|纠正|纠错|撤销|确认违法|败诉|率|风险")

# -- 第二十条第(一)项: 规范性文件 and 规章 ---------------------------------------------------------
A20_ROW = r"(?:行政)?规范性文件|(?:政府)?规章"
A20_WORD = re.compile(A20_ROW)
A20_VERB = r"(?:新)?(?:制发|出台|印发|发布|制定)"
A20_TAIL = r"(?:共计?|合计|计|总计|总数为?|数量为?|为|达)?\s*$"
A20_BEFORE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{A20_VERB}了?的?(?P<row>{A20_ROW}){A20_TAIL}"), "issued"),
    (re.compile(rf"现行有效的?(?P<row>{A20_ROW})?{A20_TAIL}"), "in_force"),
    (re.compile(rf"(?:宣布)?废止了?的?(?P<row>{A20_ROW})?{A20_TAIL}"), "repealed"),
)
# 「印发3件规范性文件」: the verb right before the number, the noun right after it.
A20_VERB_ONLY = re.compile(rf"{A20_VERB}了?(?:共计?|合计)?\s*$")
A20_NOUN_AFTER = re.compile(rf"\s*(?P<row>{A20_ROW})")
# Counts of a 清理/审查/备案 … of documents are not the table's rows.
A20_NOT_THE_TABLE = re.compile(r"清理|审查|备案|审核|评估|梳理|征求意见|意见征集|报备|合法性|核查|自查")

# -- 主动公开 ------------------------------------------------------------------------------------
# 「主动公开政府信息3460条」, 「共公布政府信息2599条」, 「主动发布各类政府信息2428条」; not a kind of
# information (「主动公开国土市场出让成交信息31条」, 「规范性文件类信息68条」, 「其他应主动公开政府信息856条」).
PROACTIVE = re.compile(
    r"(?:(?<!应)主动(?:公开|发布|公布)了?(?:各类)?(?:[^，,；;。:：类的等]{0,8}?政府)?(?:各类)?信息"
    r"|(?P<verb>公开|公布|发布)了?(?:各类)?[^，,；;。:：类的等]{0,8}?政府信息)"
    r"(?:数量?|总数|总量|条数)?(?:共计?|合计|累计|总计|达到?|为)?\s*$"
)
NOT_PROACTIVE_VERB = re.compile(r"(?:申请|予以|部分|不予|同意|应主动|应)$")
WEBSITE = re.compile(r"网站")
OTHER_CHANNEL = re.compile(r"新媒体|微信|微博|公众号|报|电视|广播|渠道|等")

# -- percentages -----------------------------------------------------------------------------
CHANGE_RE = re.compile(
    r"(同比|较上年|比上年|较去年|比去年|与上年相比|较\d{4}年)[^，,；;。]*?(增加|增长|上升|提高|多|减少|下降|降低|少)了?$"
)
CHANGE_CONTINUED = re.compile(r"^()(增加|增长|上升|提高|减少|下降|降低)了?$")
PERCENT_OF = re.compile(r"(占比|占|比例为|比例|比重)[^，,；;。]{0,6}$")
# 「办结率100%」 of applications; not 按时/按期/及时/当场/一次性办结率 (not in the tables).
COMPLETION_RATE = re.compile(r"(?<![时期场性])办结率(?:为|达到?|是)?\s*$")

SCOPE_WORDS = (
    (re.compile(r"下属单位|所属单位|各部门|各街道|各乡镇|各镇街|区直各|县直各|市直各|各单位"), "sub"),
    (re.compile(r"本机关|本级|区政府办|市政府办|县政府办|政府办公室|本办|我办|本单位|本局|本委"), "body"),
    (
        re.compile(r"全区|全市|全县|全省|全州|全旗|各级行政机关|政府系统|全镇|以[市区县州]政府名义|我[区县市省州旗]"),
        "region",
    ),
)
LIST_WORDS = re.compile(r"其中|包括")
OPEN_LIST = re.compile(r"^等|^等等")
OTHER_PART = re.compile(r"其他|其它|其余")
# The splits a list of cases can be by: a list mixing them is not one exhaustive split of its whole.
PART_KINDS = (
    ("group", re.compile(r"复议|诉讼|起诉")),
    ("outcome", re.compile(r"维持|纠正|纠错|撤销|确认违法|败诉|胜诉|审结|审理|结案|其他结果")),
)
