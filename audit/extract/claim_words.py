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


COUNT_UNITS = frozenset({"件", "条", "个", "次", "起", "宗", "例", "项", "份", "篇", "期", "件次", "人次", "家"})
# 「5个百分点」, 「6个月」, 「20个工作日」: a number with 个 that counts no thing.
NOT_A_COUNT_AFTER = re.compile(r"百分点|月|工作日|小时")
# Units a count of applications or cases is given in (「20个工作日」 is not one).
CASE_UNITS = frozenset({"件", "条", "起", "宗", "例"})
# Units a count of 规范性文件/规章 or of 主动公开 information is given in.
DOCUMENT_UNITS = frozenset({"件", "部", "个", "份"})
INFORMATION_UNITS = frozenset({"条", "件", "篇", "个"})

# An alternation of plain words: re skips ahead to their first characters by itself (a leading
# lookahead would stop it doing so, and makes a search twice slower). ANY_METRIC's alternatives are
# groups, which re does not look into: there the lookahead pays.
KEYWORDS = re.compile(
    r"申请|复议|诉讼|起诉|其中|包括|同比|较上年|比上年|占|规范性文件|规章|主动|开政府信息|布政府信息|各类政府信息|办结率"
)
SENTENCE_END = re.compile(r"[。!?！？\n]")
CLAUSE_END = "，,；;、:：()（）"
# Words of other work a 受理/办结 count may be about (政务服务, 信访, 咨询 …): the one named last
# before a count, if after the last words of 政府信息公开申请, is what it counts.
OTHER_DOMAIN = re.compile(
    r"审批|窗口|政务服务|热线|许可|办件|事项|信箱|留言|建议|提案|诉求|惠民|协助调查|信访|投诉|举报|咨询|来电|来信|来访"
    r"|工单|补正"
)
APPLICATION_SUBJECT = re.compile(r"信息公开申请|公开申请|依申请公开|政府信息公开")
# Applicants no table column is (法人或其他组织 is the sum of five columns); 「公民、法人或其他组织」 is everyone.
NOT_A_COLUMN = re.compile(r"法人|其他组织|其它组织|(?<!商业)企业|个人|公民")
EVERY_APPLICANT = re.compile(r"公民、法人或者?其他组织|公民、法人和其他组织")
# A sentence about the 公开属性 of documents (「制发公文356件，其中主动公开128件，依申请公开45件，不予公开
# 183件」) or about 保密审查 of information: its 依申请公开/不予公开 are no applications.
DOCUMENT_SUBJECT = re.compile(r"公开属性|属性认定|公文|发文|收文|标注|拟公开|保密审查")
# 「不予公开的信息3条」, 「不公开的文件23件」: 予以/部分/不予公开 said of information or documents.
OUTCOME_OF_A_THING = re.compile(r"信息|文件|公文")
DISCLOSURE_ROWS = frozenset({"applications.granted", "applications.partially_granted", "applications.denied"})

# Clause keyword → metric, most specific first. A row group (denied, unavailable, not_processed,
# other) stands for the sum of its rows. `outcome.*` is an outcome of the review or litigation group
# named last before it in the sentence; `pending_or_forward` is 尚未审结 after a 复议/诉讼 and
# 结转下年 otherwise.
METRIC_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"上年结转|结转上年|上年度结转|上一年度结转", "applications.carried_over"),
    (r"结转下|转下年|转入下一?年|结转至下|结转到下|下年度继续办理", "applications.carried_forward"),
    (r"尚未办结|未办结", "pending_or_forward"),
    (r"部分公开|区分处理|同意部分公开|部分同意公开", "applications.partially_granted"),
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
    (r"行政复议答复|复议答复|行政复议|复议", "review_litigation.review"),
    (r"行政诉讼应诉|行政诉讼|诉讼|起诉|行政应诉|应诉", "review_litigation.litigation"),
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
# 「予以公开或部分公开48件」, 「予以公开、部分公开共48件」: one number for two rows is neither's.
JOINED_NAMES = re.compile(r"^\s*(?:或者?|和|及|与|、|/)\s*(?:被?(?:提起|申请))?\s*$")
# 「网上收到30件」, 「书面答复30件」, 「延期答复2件」, 「当场答复12件」: a part of the received or handled
# applications (by channel or by time), not the row; 「按期答复43件」 too when the sentence also
# counts 延期 ones. 「通过当面、网络、信函等方式」 names every channel.
PART_BY_CHANNEL = re.compile(
    r"延期|逾期|超期|当场|当日|现场|当即|当面|书面|电话|口头|网上|网络|在线|线上|线下|邮件|邮寄|信函|传真|短信|窗口"
)
EVERY_CHANNEL = re.compile(r"等(?:方式|渠道|途径|形式)")
ON_TIME = re.compile(r"按期|按时|及时|期限内")
LATE = re.compile(r"延期|逾期|超期")

# -- 行政复议 / 行政诉讼 ---------------------------------------------------------------------------
# The group a case count or an outcome belongs to: the last of these before it in the sentence.
RL_GROUPS = re.compile(
    r"(?P<litigation_after_review>复议后起诉|复议后提起(?:行政)?诉讼|经复议后(?:提起|起诉))"
    r"|(?P<litigation_direct>未经复议直接起诉|未经复议|直接起诉|直接提起(?:行政)?诉讼)"
    r"|(?P<review>行政复议|复议)"
    r"|(?P<litigation>行政诉讼|诉讼|起诉)"
)
RL_WORD = re.compile(r"复议|诉讼|起诉")
# The body as the 复议机关 (a government, a 司法局) deciding others' cases, not as the respondent the
# review table counts; a sentence saying the body was 被申请/被提起 or answered (答复/应诉) is its own.
REVIEW_ORGAN = re.compile(
    r"作为[^，,；;。]{0,6}复议|[为是]复议机关|(?:受理|审理|审结|办结|办理)[^，,；;。]{0,20}复议|作出[^，,；;。]{0,10}复议决定"
)
RESPONDENT = re.compile(r"被申请|被提起|被起诉|被诉|被告|复议答复|应诉")
# Outcomes the table has no column we can name for (驳回 is 维持 or 其他结果 by the body's choice; a
# withdrawn or mediated case is 其他结果 or not counted).
UNNAMED_OUTCOME = re.compile(r"驳回|撤诉|撤回|终止|中止|调解|和解|不予受理|移送")
# A case count is about 政府信息公开 (not every 行政复议 a 司法局 handles) when its sentence says so or
# it stands under the report's 复议/诉讼 heading.
RL_CONTEXT = re.compile(r"信息公开|政府信息|依申请|公开申请")
RL_SUBSET_AFTER = re.compile(r"(?:其中|包括|涉及)[^。]*?(?:信息公开|政府信息|依申请|公开申请)")
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
HEADING_START = frozenset("一二三四五六七八九十")
# 「行政复议1件,维持具体行政行为」, 「行政诉讼3件,均维持」, 「…2件,均已结案」: an outcome with no number
# of its own is the whole count before it (one case, or 均/全部/都).
IMPLIED_OUTCOME = re.compile(
    r"\s*[,，]\s*(?:该案|案件)?(?:经)?(?:复议|诉讼|审理|判决)?(?:结果)?(?P<all>均|全部|都)?(?:已经|已)?"
    r"(?:为|被|予以|依法)?(?:复议机关|法院)?(?:判决|裁定|决定)?"
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
# 「行政复议、行政诉讼的情况：无」, 「行政复议和行政诉讼均为零」: a stated 0 after the groups.
ZERO_AFTER_RL = re.compile(
    r"(?:行政复议|行政诉讼|复议|诉讼|起诉)[^，,；;。:：]{0,12}?(?:[:：]\s*无(?![法正需论关])|(?:均|都|皆)?为零|(?:均|都|皆)?为0(?![\d.件条起宗例个]))"
)

# -- 第二十条第(一)项: 规范性文件 and 规章 ---------------------------------------------------------
A20_ROW = r"(?:行政)?规范性文件|(?:[省市区县州]?政府|部门)?规章(?!制度)"
# (the lookahead names the characters A20_ROW can start with: a search skips to them)
A20_WORD = re.compile(f"(?=[行规省市区县州政部])(?:{A20_ROW})")
A20_VERB = r"(?:新)?(?:制发|出台|印发|发布|制定|制作)"
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
# Patterns searched over many clauses are alternations of words, each led by a plain character
# (「较\d{4}年|比\d{4}年」, not 「[较比]\d{4}年」): re then skips ahead to those characters by itself.
CHANGE_RE = re.compile(
    r"(同比|较上一?年|比上一?年|较去年|比去年|与上一?年度?相比|与去年相比|较\d{4}年|比\d{4}年|与\d{4}年相比)[^，,；;。]*?"
    r"(增加|增长|上升|提高|多|减少|下降|降低|少)了?$"
)
CHANGE_CONTINUED = re.compile(r"^()(增加|增长|上升|提高|减少|下降|降低)了?$")
PERCENT_OF = re.compile(r"(占比|占|比例为|比例|比重)[^，,；;。]{0,6}$")
SHARE_START = re.compile(r"\s*(?:约|分别)?(?:占比|占|比例为|比例|比重)")
# 「办结率100%」 of applications; not 按时/按期/及时/当场/一次性办结率 (not in the tables).
COMPLETION_RATE = re.compile(r"(?<![时期场性])办结率(?:为|达到?|是)?\s*$")

SCOPE_WORDS = (
    (
        re.compile(
            r"下属单位|所属单位|直属单位|局属单位|二级单位|各部门|各街道|各乡镇|各镇街|各镇|各乡|各区县|各县区|各县|各区(?!域)"
            r"|各市(?![民场])|区县|县区|区直各|县直各|市直各|区直(?:部门|单位)|县直(?:部门|单位)|市直(?:部门|单位)"
            r"|区级(?:各)?部门|县级(?:各)?部门|市级(?:各)?部门|乡镇(?!人民政府)|镇街|各单位"
        ),
        "sub",
    ),
    (re.compile(r"本(?<![非于]本)机关|本级|区政府办|市政府办|县政府办|政府办公室|本办|我办|本单位|本局|本委"), "body"),
    # every body of the area together (「全区各级行政机关」): no report's own table, never checked
    (re.compile(r"各级行政机关|各级各部门|政府系统"), "agencies"),
    (
        re.compile(r"全区|全市|全县|全省|全州|全旗|全镇|以[市区县州]政府名义|我[区县市省州旗]"),
        "region",
    ),
)
LIST_WORDS = re.compile(r"其中|包括")
# The label of 「在主动公开的1913条信息中」: a category list of 主动公开 information.
PROACTIVE_AMONG = re.compile(r"主动公开|公开的?政府信息|发布")

# -- the period a figure is about ---------------------------------------------------------------
# The last of these before a number in its sentence says what time it counts: the report year
# (本年度, 全年, 2021年 in a 2021 report, 1月至12月) or another — a past year (2020年, 去年, 上年同期),
# several years (2019年至2021年, 近三年, 以来, 累计 — a stock), part of the year (第一季度, 1—6月,
# 截至11月底, 12月份), an average (每月, 年均). A year or 上年 right after 较/比/与 is a comparison and
# holds for its own clause only. `year` is decided against the report year (unknown: no decision).
_CN_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
PERIOD = re.compile(
    r"(?=[\d近历每年月平上下前第去本全今当截累以至一二三四五六七八九十两多几])"
    r"(?:(?P<other>(?:19|20)\d{2}\s*年?\s*[至到—–\-~～]\s*(?:19|20)\d{2}\s*年"
    r"|近[\d一二三四五六七八九十两几]+年|(?:[一二三四五六七八九十两多几]+|\d{1,2})年(?:以)?来|历年|每月|每年|每季度|年均|月均|平均"
    r"|上半年|下半年|前三季度|第?[一二三四1-4]季度|(?:上一?年度?|去年)同期|(?<!结转)上一?年度?(?!度?结转)|去年)"
    r"|(?P<this>(?:本年度?|全年|今年|年内|当年|年初|本年)(?:累计|以来)?"
    r"|1\s*月\s*1\s*日\s*起?\s*[至到—–\-~～]\s*(?:(?:19|20)\d{2}\s*年\s*)?12\s*月\s*31\s*日"
    r"|1\s*(?:月份?)?\s*[至到—–\-~～]\s*12\s*月|截[至止](?:本?年底|年末|12\s*月(?:31日|底|末)))"
    rf"|(?P<months>{_CN_MONTH}\s*(?:月份?)?\s*[至到—–\-~～]\s*{_CN_MONTH}\s*月|截[至止]{_CN_MONTH}\s*月"
    r"|(?<![\d年\-/.\s])(?:1[0-2]|0?[1-9])\s*月份?(?!\s*\d|日|号)|(?:十[一二]?|[一二三四五六七八九])月份)"
    r"|(?P<stock>累计|以来|截[至止]目前|截[至止]今|至今)"
    r"|(?P<year>(?:19|20)\d{2})\s*年)"
)
COMPARED = re.compile(r"(?:较|比|与|跟|同比|相比)之?$")
OPEN_LIST = re.compile(r"^等|^等等")
OTHER_PART = re.compile(r"其他|其它|其余")
# Parts that are channels may overlap (one item on the website and on 微信): more than the whole is no error.
CHANNEL_PART = re.compile(
    r"网站|微博|微信|公众号|新媒体|客户端|APP|App|app|头条|抖音|快手|视频号|公报|报刊|电视|广播|公开栏|显示屏"
)
# The splits a list of cases can be by: a list mixing them is not one exhaustive split of its whole.
PART_KINDS = (
    ("group", re.compile(r"复议|诉讼|起诉")),
    ("outcome", re.compile(r"维持|纠正|纠错|撤销|确认违法|败诉|胜诉|审结|审理|结案|其他结果")),
)
