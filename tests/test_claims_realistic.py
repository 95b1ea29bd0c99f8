"""Claims extraction on realistic sentences of the kind real annual reports write, including the
shapes that share words with the tables but count something else.

Every expectation below was written by reading the sentence (never by running the extractor):
what a careful reviewer holds the report's tables to. Where a figure cannot be pinned to a table
cell (a consolidated, partial-year, cumulative or other-domain figure, a figure of another year),
the sentence must yield no checkable claim: a missed check costs less than a false error.

Notation of an expected claim (aliases: app. = applications., rl. = review_litigation.,
a20. = article20., pro. = proactive.):

- ``app.new_received.total=215``       a count; ``@region`` / ``@sub`` when its scope is a whole
  area (全区/全市/我县…) or subordinate units (下属单位/各乡镇/区直部门…); body and no scope are alike
- ``%app.granted.total=60/137``         a share of a stated count (value/base), or a rate
  (``%app.completion_rate.total=100``); only the shares a rule checks are listed
- ``Δapp.new_received.total=-38``       a stated change against last year, ``Δ%`` in percent
- ``Σ262=2+2+1``                        an exhaustive list: whole = parts (open lists are not checked)
- a leading ``?`` marks a claim that is right but not required (a miss is acceptable)

The end-to-end cases at the bottom run whole reports through the narrative rules: a consistent
report raises no narrative.* finding, an inconsistent one is still caught.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from audit.extract.claims import claims_frame, claims_from_lines
from audit.validate import load_rules, run_rules
from audit.validate.testing import build_frames

ALIASES = {"app.": "applications.", "rl.": "review_litigation.", "a20.": "article20.", "pro.": "proactive."}
CHECKED_SHARES = ("proactive.part", "proactive.website")


def _expand(claim: str) -> str:
    mark = next((m for m in ("Δ%", "Δ", "%") if claim.startswith(m)), "")
    claim = claim[len(mark) :]
    for short, full in ALIASES.items():
        if claim.startswith(short):
            return mark + full + claim[len(short) :]
    return mark + claim


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(float(value), 6))


def observed(frame: Any) -> Counter[str]:
    """The checkable claims of a claims frame in the notation above."""
    out: Counter[str] = Counter()
    rows = frame.to_dict("records")
    lists: dict[str, dict[str, Any]] = {}
    for r in rows:
        kind, metric = r["kind"], r["metric"]
        if kind == "count":
            scope = f"@{r['scope']}" if r["scope"] in ("region", "agencies", "sub") else ""
            out[f"{metric}={_n(r['value'])}{scope}"] += 1
        elif kind == "percent":
            base = r["base"]
            if metric == "applications.completion_rate.total":
                out[f"%{metric}={_n(r['value'])}"] += 1
            elif (metric.startswith("applications.") or metric in CHECKED_SHARES) and not math.isnan(base):
                out[f"%{metric}={_n(r['value'])}/{_n(base)}"] += 1
        elif kind == "change":
            out[f"Δ{metric}={_n(r['value'])}"] += 1
        elif kind == "change_percent":
            out[f"Δ%{metric}={_n(r['value'])}"] += 1
        elif kind in ("whole", "part"):
            entry = lists.setdefault(r["group"], {"whole": None, "parts": []})
            if kind == "whole":
                entry["whole"] = r["value"]
            else:
                entry["parts"].append(r["value"])
    for entry in lists.values():
        if entry["parts"]:
            out[f"Σ{_n(entry['whole'])}=" + "+".join(_n(p) for p in entry["parts"])] += 1
    return out


def C(text: str | list[str], *expected: str, year: int | None = None, id: str = "") -> Any:  # noqa: A002
    """One case: the line(s) of a report, the claims they must give, the report year (when the
    sentence names years); `id` says what the case is about."""
    lines = [text] if isinstance(text, str) else text
    return (lines, expected, year, id)


def _check(lines: list[str], expected: tuple[str, ...], year: int | None) -> None:
    frame = claims_frame(claims_from_lines("doc", list(enumerate(lines, start=1)), year=year))
    got = observed(frame)
    required = Counter(_expand(e) for e in expected if not e.startswith("?"))
    optional = Counter(_expand(e[1:]) for e in expected if e.startswith("?"))
    missing = required - got
    unexpected = got - required - optional
    assert not missing and not unexpected, f"{lines}: missing {dict(missing)}, unexpected {dict(unexpected)}"


# -- 1. 依申请公开 summaries (2019 / 2021 formats, governments, offices and departments) -----------

APPLICATIONS = [
    C(
        "2021年，本机关共新收政府信息公开申请36件，上年结转政府信息公开申请2件。",
        "app.new_received.total=36",
        "app.carried_over.total=2",
    ),
    C(
        "本年度共收到政府信息公开申请48件，其中自然人申请45件，法人或其他组织申请3件。",
        "app.new_received.total=48",
        "app.new_received.natural_person=45",
        "?Σ48=45+3",  # exhaustive indeed: 自然人 + 法人或其他组织 is everyone
    ),
    C(
        "全年共受理政府信息公开申请126件，办结126件，按时办结率100%。",
        "app.new_received.total=126",
        "app.results_total.total=126",
    ),
    C(
        "2022年度，共收到政府信息公开申请20件（其中上年结转1件），均已按时办结。",
        "app.new_received.total=20",
        "app.carried_over.total=1",
    ),
    C("2020年，我单位共收到政府信息公开申请5件，已全部按期答复，无结转下年度情况。", "app.new_received.total=5"),
    C(
        "在已办结的申请中，予以公开18件，部分公开3件，不予公开2件，无法提供10件，不予处理1件，其他处理2件。",
        "app.granted.total=18",
        "app.partially_granted.total=3",
        "app.denied.total=2",
        "app.unavailable.total=10",
        "app.not_processed.total=1",
        "app.other.total=2",
    ),
    C(
        "在本年度办理的申请中，不予公开的4件中，属于国家秘密1件，属于三类内部事务信息3件；无法提供的12件中，"
        "本机关不掌握相关政府信息10件，没有现成信息需要另行制作2件。",
        "app.denied.total=4",
        "app.unavailable.total=12",
        "app.unavailable.not_held.total=10",
        "app.unavailable.needs_creation.total=2",
    ),
    C(
        "本年度办结政府信息公开申请45件，结转下年度继续办理3件。",
        "app.results_total.total=45",
        "app.carried_forward.total=3",
    ),
    C(
        "共收到政府信息公开申请31件，较上年减少9件，同比下降22.5%。",
        "app.new_received.total=31",
        "Δapp.new_received.total=-9",
        "Δ%app.new_received.total=-22.5",
    ),
    C("2019年共受理政府信息公开申请23件，其中网上申请19件，信函申请4件。", "app.new_received.total=23"),
    C("全年收到政府信息公开申请１５件，均在法定时限内答复。", "app.new_received.total=15", id="full-width digits"),
    C(
        "本年度共收到政府信息公开申请十二件，上年结转两件。",
        "app.new_received.total=12",
        "app.carried_over.total=2",
        id="chinese numerals",
    ),
    C(
        "本年度新收政府信息公开申请0件，上年结转0件，无结转下年度申请。",
        "app.new_received.total=0",
        "app.carried_over.total=0",
    ),
    C("本机关全年未收到政府信息公开申请。", id="no applications, no number"),
    C(
        "共收到政府信息公开申请 128 件，同比增长 12.3%。",
        "app.new_received.total=128",
        "Δ%app.new_received.total=12.3",
        id="spaces around numbers",
    ),
    C(
        "区政府办公室（区政府）全年受理政府信息公开申请211件，其中当面申请15件，网络申请163件，信函申请33件。",
        "app.new_received.total=211",
        "Σ211=15+163+33",
    ),
    C(
        "对收到的政府信息公开申请，予以公开57件，占46.3%；部分公开11件，占8.9%。",
        "app.granted.total=57",
        "%app.granted.total=46.3/57",
        "app.partially_granted.total=11",
        "%app.partially_granted.total=8.9/11",
    ),
    C(
        "收到申请38件予以公开20件部分公开6件无法提供9件不予处理3件",
        "app.new_received.total=38",
        "app.granted.total=20",
        "app.partially_granted.total=6",
        "app.unavailable.total=9",
        "app.not_processed.total=3",
        id="run-on without punctuation",
    ),
    C(
        "截至12月31日，共办结政府信息公开申请40件，结转下年度2件。",
        "app.results_total.total=40",
        "app.carried_forward.total=2",
    ),
    C("依申请公开办理结果中，其他处理3件，均为申请人无正当理由逾期不补正。", "app.other.total=3"),
    C("本年度共受理政府信息公开申请12宗，全部按时答复。", "app.new_received.total=12", id="宗 (Guangdong)"),
    C(
        "2022年1月1日至2022年12月31日，本机关共收到政府信息公开申请42件。",
        "app.new_received.total=42",
        id="full-year period",
    ),
    C(
        "上年结转的2件政府信息公开申请已于今年1月办结。",
        "app.carried_over.total=2",
    ),
    C(
        "办结的38件申请中，予以公开21件、部分公开4件、无法提供8件、不予处理5件。",
        "app.results_total.total=38",
        "app.granted.total=21",
        "app.partially_granted.total=4",
        "app.unavailable.total=8",
        "app.not_processed.total=5",
    ),
    C(
        "全年共收到政府信息公开申请 12 件 ，办结 12 件 。",
        "app.new_received.total=12",
        "app.results_total.total=12",
    ),
    C(
        "共收到政府信息公开申请12件;予以公开8件;无法提供4件",
        "app.new_received.total=12",
        "app.granted.total=8",
        "app.unavailable.total=4",
    ),
    C("全年收到政府信息公开申请件数12件，以予公开8件。", "app.new_received.total=12", id="typo 以予公开"),
    C(
        "2022年，收到政府信息公开申请128件，涉及住房保障、征地拆迁等12个领域。",
        "app.new_received.total=128",
    ),
    C(
        "收到的53件政府信息公开申请中，有48件予以公开或部分公开。",
        "app.new_received.total=53",
        id="予以公开或部分公开 is two rows",
    ),
    C(
        "本年度收到市政府办公室转来的政府信息公开申请3件，均已按期答复。",
        "app.new_received.total=3",
    ),
    C(
        "2021年，我局共收到政府信息公开申请9件，其中商业企业申请2件，自然人申请7件。",
        "app.new_received.total=9",
        "app.new_received.commercial=2",
        "app.new_received.natural_person=7",
    ),
    C(
        "本年度收到法人或其他组织提出的政府信息公开申请6件，自然人申请30件。",
        "?app.new_received.natural_person=30",
        id="法人或其他组织 is no column",
    ),
    C("其中企业申请3件，个人申请25件。", id="企业/个人 are not the table's columns"),
    C(
        "全年依申请公开办理政府信息公开申请54件，其中予以公开32件，部分公开6件，不予公开2件，无法提供10件，"
        "不予处理3件，其他处理1件。",
        "app.new_received.total=54",
        "app.granted.total=32",
        "app.partially_granted.total=6",
        "app.denied.total=2",
        "app.unavailable.total=10",
        "app.not_processed.total=3",
        "app.other.total=1",
        id="outcomes that sum to the received count",
    ),
    C(
        "共收到政府信息公开申请45件，其中予以公开20件，部分公开5件，无法提供12件，不予处理3件。",
        "app.new_received.total=45",
        "app.granted.total=20",
        "app.partially_granted.total=5",
        "app.unavailable.total=12",
        "app.not_processed.total=3",
        id="outcomes under a received count are no exhaustive split (carried forward)",
    ),
    C(
        "本年度共办结政府信息公开申请45件，其中按期答复43件，延期答复2件。",
        "app.results_total.total=45",
        id="延期/按期 答复 are parts of the results",
    ),
    C(
        "对收到的政府信息公开申请，书面答复30件，电子邮件答复6件。",
        id="answers by channel are parts",
    ),
    C(
        "全年共收到政府信息公开申请42件，其中网上收到30件，当面受理8件，信函收到4件。",
        "app.new_received.total=42",
        "Σ42=30+8+4",
        id="received by channel are parts",
    ),
    C(
        "本年度通过当面、网络、信函等方式共收到政府信息公开申请36件。",
        "?app.new_received.total=36",
    ),
    C(
        "本年度收到公民、法人或者其他组织提出的政府信息公开申请36件。",
        "app.new_received.total=36",
        id="公民、法人或者其他组织 is everyone",
    ),
    C(
        "全区政府信息公开申请办理情况：新收36件，上年结转2件，已办结36件，正在办理2件。",
        "app.new_received.total=36@region",
        "app.carried_over.total=2@region",
        "app.results_total.total=36@region",
        "?app.carried_forward.total=2@region",
    ),
    C(
        "本年度共收到政府信息公开申请36件，其中转交其他机关办理3件。",
        "app.new_received.total=36",
    ),
    C(
        "不予公开和不予处理的申请共5件，均已依法告知理由。",
        id="one number for two rows",
    ),
    C(
        "依申请公开中，当场答复12件，其余均在法定期限内答复。",
        id="当场答复 is a part",
    ),
    C(
        "2021年度，我委共收到政府信息公开申请5件（其中1件为上年度结转），已全部办结。",
        "app.new_received.total=5",
        "?app.carried_over.total=1",
        year=2021,
    ),
    C(
        "申请公开的内容主要集中在征地拆迁（23件）、规划建设（12件）、社会保障（8件）等方面。",
        id="counts of topics in parentheses",
    ),
    C(
        "依申请公开信息办理情况：本年度新收申请12件，其中予以公开5件，部分公开2件，无法提供3件，不予处理1件，"
        "其他处理1件，均在法定期限内答复。",
        "app.new_received.total=12",
        "app.granted.total=5",
        "app.partially_granted.total=2",
        "app.unavailable.total=3",
        "app.not_processed.total=1",
        "app.other.total=1",
    ),
    C(
        "按申请方式统计，网上申请10件、信函申请2件；按申请人类型统计，自然人11件、法人1件。",
        id="splits without the whole",
    ),
    C(
        "今年共受理政府信息公开申请件数为36件，比去年增加了12件，增长50%。",
        "app.new_received.total=36",
        "Δapp.new_received.total=12",
        "Δ%app.new_received.total=50",
    ),
    C(
        "本年度全区各行政机关共办理政府信息公开申请4215件，其中区政府本级受理213件。",
        "app.new_received.total=213",
        "?app.new_received.total=4215@region",
    ),
    C(
        "受理申请的46件中，予以公开的32件，占比69.6%。",
        "app.new_received.total=46",
        "app.granted.total=32",
        "%app.granted.total=69.6/32",
    ),
    C("行政机关收到政府信息公开申请后，应当在20个工作日内予以答复。", id="the statute's time limit"),
    C(
        "因申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请0件。",
        id="a 2021 row we have no word for",
    ),
    C(
        "全年共收到政府信息公开申请36件，环比增长20%。",
        "app.new_received.total=36",
        id="环比 is no change against last year",
    ),
    C("2021年共收到政府信息公开申请36件，与2020年持平。", "app.new_received.total=36", year=2021),
    C(
        "一、总体情况2021年，区政府办公室共收到政府信息公开申请36件，上年结转2件，办结36件，结转下年2件。"
        "二、主动公开政府信息情况",
        "app.new_received.total=36",
        "app.carried_over.total=2",
        "app.results_total.total=36",
        "app.carried_forward.total=2",
        year=2021,
        id="headings glued to the text",
    ),
    C("本年度收到政府信息公开申请10件，政务服务“好差评”差评0件。", "app.new_received.total=10"),
    C(
        "2021年共收到政府信息公开申请215件，2020年为341件，同比减少126件。",
        "app.new_received.total=215",
        "?Δapp.new_received.total=-126",
        year=2021,
    ),
]

# -- 2. 行政复议 / 行政诉讼 -----------------------------------------------------------------------

REVIEW = [
    C(
        "2021年，本机关因政府信息公开工作被申请行政复议2件，其中结果维持1件，结果纠正1件；被提起行政诉讼1件，尚未审结。",
        "rl.review.total=2",
        "rl.review.upheld=1",
        "rl.review.corrected=1",
        "rl.litigation.total=1",
        "rl.litigation.pending=1",
    ),
    C(
        "全年未发生因政府信息公开引起的行政复议、行政诉讼案件。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C(
        "本年度无因政府信息公开申请行政复议、提起行政诉讼的情况。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C(
        "2020年，因政府信息公开被申请行政复议0件，被提起行政诉讼0件。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C("全年共受理行政复议申请86件，审结79件，纠错率12%。", id="司法局's own review work"),
    C(
        "区政府作为复议机关，全年受理涉及政府信息公开的行政复议案件12件，已全部审结。",
        id="the government as review organ",
    ),
    C(
        "市人民政府本年度共审理政府信息公开类行政复议案件27件，其中驳回复议申请8件，维持12件，撤销或确认违法7件。",
        id="审理 as review organ with outcomes",
    ),
    C(
        "市政府办公室全年办理政府信息公开行政复议答复3件、行政诉讼应诉2件。",
        "rl.review.total=3",
        "rl.litigation.total=2",
    ),
    C(
        "本年度发生政府信息公开行政诉讼案件3件，其中一审判决驳回原告诉讼请求2件，原告撤诉1件。",
        "rl.litigation.total=3",
        id="诉讼请求 is not another count of cases",
    ),
    C(
        "因政府信息公开被申请行政复议3件，复议机关维持原行政行为2件，撤销1件。",
        "rl.review.total=3",
        "rl.review.upheld=2",
        "rl.review.corrected=1",
    ),
    C(
        "政府信息公开行政诉讼2件，均胜诉。",
        "rl.litigation.total=2",
        "rl.litigation.upheld=2",
    ),
    C(
        "因政府信息公开答复被提起行政诉讼1件，法院判决确认违法。",
        "rl.litigation.total=1",
        "rl.litigation.corrected=1",
    ),
    C(
        "因政府信息公开被申请行政复议1件，经复议维持原答复；被提起行政诉讼1件，一审判决撤销原答复，我机关已提起上诉。",
        "rl.review.total=1",
        "rl.review.upheld=1",
        "rl.litigation.total=1",
        id="an appealed judgment is no final outcome",
    ),
    C(
        "全年共发生行政复议案件5件，其中涉及政府信息公开1件，结果维持。",
        "?rl.review.total=1",
        "?rl.review.upheld=1",
    ),
    C(
        ["四、政府信息公开行政复议、行政诉讼情况", "2021年度，我局发生行政复议1件，行政诉讼0件。"],
        "rl.review.total=1",
        "rl.litigation.total=0",
        id="under the heading",
    ),
    C(
        ["四、政府信息公开行政复议、行政诉讼情况", "本年度共办理行政复议案件56件，其中涉及政府信息公开的3件。"],
        "?rl.review.total=3",
        id="under the heading, the sentence tells general cases from disclosure ones",
    ),
    C(
        [
            "四、政府信息公开行政复议、行政诉讼情况",
            "本年度发生行政复议1件，系申请人对我局政府信息公开答复不服，复议机关维持原答复。",
        ],
        "rl.review.total=1",
        "?rl.review.upheld=1",
        id="under the heading, a case described after its count",
    ),
    C(
        "因政府信息公开申请行政复议、提起行政诉讼的情况：无。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C(
        "本年度因政府信息公开引起的行政复议和行政诉讼均为零。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C(
        "2019年度，我县政府信息公开行政复议案件2件、行政诉讼案件3件，分别比上年减少1件、增加2件。",
        "rl.review.total=2@region",
        "rl.litigation.total=3@region",
        "?Δrl.review.total=-1",
        "?Δrl.litigation.total=2",
        id="分别: changes of two counts",
    ),
    C(
        "因政府信息公开被申请行政复议1件（复议机关维持原答复），被提起行政诉讼1件（法院驳回起诉）。",
        "rl.review.total=1",
        "rl.litigation.total=1",
        "?rl.review.upheld=1",
    ),
    C("2022年，本机关政府信息公开行政复议案件较上年增加1件。", id="a change without this year's count"),
    C(
        "全市政府信息公开行政复议案件共45件，其中维持30件，纠正5件，其他结果4件，尚未审结6件。",
        "rl.review.total=45@region",
        "rl.review.upheld=30@region",
        "rl.review.corrected=5@region",
        "rl.review.other=4@region",
        "rl.review.pending=6@region",
        "Σ45=30+5+4+6",
    ),
    C("行政复议纠错率、行政诉讼败诉率均为0。", id="rates of the whole body"),
    C("全年行政诉讼案件中，涉及政府信息公开的有2件。", "?rl.litigation.total=2"),
    C(
        "政府信息公开申请办理工作中，申请人提出行政复议的1件，结果维持。",
        "rl.review.total=1",
        "rl.review.upheld=1",
    ),
    C(
        "因政府信息公开被提起行政诉讼2件（均为上年度结转案件），本年度均已审结，其中维持1件，纠正1件。",
        "rl.litigation.total=2",
        "rl.litigation.upheld=1",
        "rl.litigation.corrected=1",
    ),
    C(
        "政府信息公开答复中均告知申请人可在收到答复之日起60日内申请行政复议或在6个月内提起行政诉讼。",
        id="time limits",
    ),
    C(
        "因政府信息公开被申请行政复议、提起行政诉讼分别为2件、1件。",
        "?rl.review.total=2",
        "?rl.litigation.total=1",
        id="分别为 two counts",
    ),
    C(
        "全年共有3件政府信息公开申请被申请人提起行政复议。",
        "?rl.review.total=3",
        id="共有 N件申请 led to reviews",
    ),
    C(
        "本年度发生政府信息公开行政诉讼1例，法院判决驳回原告诉讼请求。",
        "rl.litigation.total=1",
        id="例",
    ),
    C("全年政府信息公开工作无一例行政复议被纠错，无一例行政诉讼败诉。", id="no zero of the cases"),
    C(
        "本年度政府信息公开工作中未出现因申请人不服答复而申请行政复议的情况，但发生行政诉讼1件。",
        "rl.review.total=0",
        "rl.litigation.total=1",
    ),
    C(
        ["四、政府信息公开行政复议、行政诉讼情况", "本年度被申请行政复议2件，其中维持1件，申请人撤回复议申请1件。"],
        "rl.review.total=2",
        "rl.review.upheld=1",
        id="a withdrawn review is no second count",
    ),
    C("申请人对答复不服的，可依法申请行政复议或提起行政诉讼。", id="boilerplate"),
    C(
        "本年度发生政府信息公开行政复议案件2件已审结，均维持原答复。",
        "rl.review.total=2",
        "?rl.review.upheld=2",
        id="审结 after the count is no 复议机关",
    ),
    C(
        "发生政府信息公开行政复议1件，复议机关维持原答复。",
        "rl.review.total=1",
        "rl.review.upheld=1",
    ),
    C(
        "全年办理行政复议案件56件，其中涉及政府信息公开的4件。",
        "?rl.review.total=4",
        id="办理 行政复议 as the organ",
    ),
    C(
        "全年共发生行政复议案件1件（申请人对本机关政府信息公开答复不服），复议机关维持了本机关的答复。",
        "?rl.review.total=1",
        "?rl.review.upheld=1",
    ),
    C(
        [
            "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
            "2021年，本机关被申请行政复议1件，结果维持；被提起行政诉讼0件。",
        ],
        "rl.review.total=1",
        "rl.review.upheld=1",
        "rl.litigation.total=0",
        year=2021,
    ),
    C("（三）行政复议和行政诉讼情况：本年度无。", "?rl.review.total=0", "?rl.litigation.total=0"),
    C(
        "政府信息公开行政复议被纠错0件，行政诉讼败诉0件。",
        "rl.review.corrected=0",
        "rl.litigation.corrected=0",
    ),
    C(
        "本年度本机关政府信息公开行政复议案件1件，复议机关以申请人撤回申请终止审理。",
        "rl.review.total=1",
    ),
    C("因政府信息公开被提起行政诉讼1件，法院裁定驳回起诉。", "rl.litigation.total=1"),
    C("因政府信息公开被提起行政诉讼1件，一审维持，二审尚在审理中。", "rl.litigation.total=1"),
    C(
        "因政府信息公开被申请行政复议1件，复议决定维持原答复。",
        "rl.review.total=1",
        "rl.review.upheld=1",
    ),
    C(
        "2021年，县政府因政府信息公开被申请行政复议3件，其中县政府作为被申请人2件，县政府办公室作为被申请人1件。",
        "rl.review.total=3",
        year=2021,
    ),
    C(
        "区政府作为复议机关，受理涉及政府信息公开答复的行政复议案件12件。",
        id="答复 of the cases decided is not the body's own 复议答复",
    ),
    C(
        "本年度，本机关政府信息公开行政复议和行政诉讼均为0件。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C("因政府信息公开被申请行政复议和提起行政诉讼共3件。", id="one number for both groups"),
    C(
        "本机关作为被申请人的政府信息公开行政复议案件2件，其中维持1件，尚未审结1件。",
        "rl.review.total=2",
        "rl.review.upheld=1",
        "rl.review.pending=1",
    ),
    C(
        "因政府信息公开被提起行政诉讼3件，其中一审2件，二审1件。",
        "rl.litigation.total=3",
    ),
    C(
        "政府信息公开行政复议和行政诉讼案件数量均为零。",
        "rl.review.total=0",
        "rl.litigation.total=0",
    ),
    C(
        "本年度因政府信息公开申请被申请行政复议3件、被提起行政诉讼2件，同比分别减少2件、1件。",
        "rl.review.total=3",
        "rl.litigation.total=2",
        "?Δrl.review.total=-2",
        "?Δrl.litigation.total=-1",
        id="同比分别",
    ),
]

# -- 3. 规范性文件 / 规章 (第二十条第(一)项) ----------------------------------------------------

DOCUMENTS = [
    C(
        "2021年，区政府共制发行政规范性文件6件，废止2件，截至年底现行有效行政规范性文件38件。",
        "a20.normative_documents.issued=6",
        "a20.normative_documents.repealed=2",
        "a20.normative_documents.in_force=38",
    ),
    C("全年共审查规范性文件32件，提出修改意见15条。", id="审查"),
    C(
        "开展规范性文件清理工作，共清理规范性文件156件，其中保留132件，修改14件，废止10件。",
        "Σ156=132+14+10",
        id="清理",
    ),
    C("向市政府和区人大常委会报备规范性文件8件，报备率、及时率、规范率均达100%。", id="报备"),
    C("本年度出台12个规章制度，进一步规范内部管理。", id="规章制度"),
    C("修订完善内部规章制度8个，制定规章制度12个。", id="规章制度 after the verb"),
    C(
        "全年以区政府及区政府办公室名义印发规范性文件5件，均按要求在政府网站公开。",
        "a20.normative_documents.issued=5",
    ),
    C(
        "市政府制定政府规章3件，修改规章2件，废止规章1件。",
        "a20.regulations.issued=3",
        "a20.regulations.repealed=1",
    ),
    C("对《关于进一步加强城市管理的若干意见》等3件规范性文件进行了合法性审核。", id="合法性审核"),
    C(
        "印发《××市行政规范性文件管理办法》（×政发〔2021〕12号），全年共发布规范性文件9件。",
        "a20.normative_documents.issued=9",
    ),
    C(
        "落实规范性文件“三统一”制度，全年统一登记、统一编号、统一发布规范性文件21件。",
        "?a20.normative_documents.issued=21",
    ),
    C(
        "截至2021年底，我区现行有效规范性文件共计75件，全部在区政府门户网站“规范性文件”专栏集中公开。",
        "a20.normative_documents.in_force=75@region",
        year=2021,
    ),
    C(
        "2019年新制作规范性文件8件，新公开8件，对外公开规范性文件总数达到96件。",
        "a20.normative_documents.issued=8",
        id="2019 format 新制作",
    ),
    C("废止和宣布失效规范性文件7件。", id="废止 and 失效 together"),
    C(
        "今年以来，县政府共出台规范性文件3件，同比减少2件。",
        "a20.normative_documents.issued=3",
        "Δa20.normative_documents.issued=-2",
    ),
    C("县政府办公室牵头对县政府及县政府办公室规范性文件进行全面清理，宣布失效5件、废止3件。", id="清理 results"),
    C(
        "2021年，市政府共制定出台规范性文件12件，市政府各部门制发部门规范性文件86件。",
        "a20.normative_documents.issued=12",
        "?a20.normative_documents.issued=86@sub",
    ),
    C("行政规范性文件备案审查率100%。", id="备案审查率"),
    C("本部门无规章制定权，本年度未制发规范性文件。", id="no number"),
    C("本年度印发规范性文件2件，分别为《××》和《××》。", "a20.normative_documents.issued=2"),
    C("全年发布政策解读材料46篇，其中对规范性文件进行解读12篇。", id="解读 篇"),
    C("全年共公开规范性文件15件。", id="公开 is not 制发"),
    C(
        "本年制发规章0件、规范性文件3件。",
        "a20.regulations.issued=0",
        "?a20.normative_documents.issued=3",
    ),
    C(
        "印发《关于支持企业发展的二十条措施》等规范性文件5件。",
        "?a20.normative_documents.issued=5",
        id="二十条 inside a title",
    ),
    C("对规范性文件开展合法性审查45件，出具审查意见45份。", id="合法性审查"),
    C(
        "截至目前，区政府现行有效规范性文件共计112件，本年度新制发18件，废止9件。",
        "a20.normative_documents.in_force=112",
        "?a20.normative_documents.issued=18",
        "a20.normative_documents.repealed=9",
    ),
    C("自2008年以来，累计制发规范性文件236件。", year=2021, id="cumulative since 2008"),
    C("第一季度印发规范性文件2件。", id="one quarter"),
    C(
        "本年度制发的规范性文件均已按规定进行合法性审核、集体讨论决定，并在政府网站公开，共计7件。",
        "?a20.normative_documents.issued=7",
    ),
    C("对涉及市场主体经济活动的规范性文件进行公平竞争审查21件。", id="公平竞争审查"),
    C(
        "2020年度制发规范性文件3件，2021年度制发规范性文件5件。",
        "a20.normative_documents.issued=5",
        year=2021,
    ),
    C("政府常务会议审议通过规范性文件5件。", "?a20.normative_documents.issued=5", id="审议通过"),
    C(
        "计划2022年制发规范性文件5件。",
        year=2021,
        id="next year's plan",
    ),
    C(
        "全年制定市政府规章2件，废止规章1件，截至年底现行有效规章48件。",
        "a20.regulations.issued=2",
        "a20.regulations.repealed=1",
        "a20.regulations.in_force=48",
    ),
]

# -- 4. 主动公开 ---------------------------------------------------------------------------------

PROACTIVE = [
    C(
        "2021年，区政府门户网站共主动公开政府信息8562条，同比增长15.2%。",
        "pro.website=8562",
        "Δ%pro.website=15.2",
    ),
    C(
        "全年主动公开政府信息1.2万余条，其中政策文件356条，政策解读128条，工作动态5236条等。",
        "pro.total=12000",
    ),
    C(
        "本年度通过政府网站、政务微博、微信公众号等渠道主动公开政府信息3265条。",
        "pro.total=3265",
    ),
    C("本年度累计主动公开政府信息12.6万条。", "pro.total=126000", id="本年度累计 is the year's"),
    C(
        "一、总体情况 全年（包括区本级和各区属单位）累计主动公开政府信息14259条。",
        "pro.total=14259",
        id="全年(…)累计 is the year's",
    ),
    C(
        "2021年，全区累计主动公开政府信息2.6万条，其中区政府门户网站1.8万条。",
        "pro.total=26000@region",
        year=2021,
    ),
    C("截至目前，政府信息公开专栏累计发布各类政府信息3.5万条。", id="a stock"),
    C("各乡镇（街道）共主动公开政府信息4235条。", "pro.part=4235@sub"),
    C("主动公开人事信息45条、财政信息32条、规划信息18条。", id="kinds of information"),
    C(
        "2020年，县政府门户网站发布信息12453条，其中政府信息公开专栏发布4321条。",
        id="website posts are not 政府信息",
    ),
    C(
        "主动公开政府信息数 2428 条，其中：政府网站 2100 条，政务新媒体 1800 条。",
        "pro.total=2428",
    ),
    C("在政府信息公开平台主动公开文件类信息326条、部门动态信息1032条。", id="类 信息"),
    C(
        "市政府门户网站全年公开政府信息2.3万条，较上年增长8%。",
        "pro.website=23000",
        "Δ%pro.website=8",
    ),
    C("全年通过政府公报刊发规范性文件18件。", id="公报 刊发"),
    C(
        "全年主动公开政府信息3460条，其中县政府网站公开2180条，占63%。",
        "pro.total=3460",
    ),
    C(
        "各镇街主动公开政府信息1638条，占全区总数的47%。",
        "pro.part=1638@sub",
        "%pro.part=47/1638",
    ),
    C(
        "主动公开政府信息12000条，比上年多公开1500条。",
        "pro.total=12000",
        "?Δpro.total=1500",
    ),
    C(
        "全区贯彻落实《关于主动公开政府信息20条重点事项的通知》，全年主动公开政府信息3260条。",
        "pro.total=3260@region",
        id="a count inside a title",
    ),
    C(
        "全年共主动公开政府信息4562条，较上年减少12.5%，主要原因是机构改革后部分职能划转。",
        "pro.total=4562",
        "Δ%pro.total=-12.5",
    ),
    C(
        "全年新增主动公开政府信息1234条，累计公开政府信息56789条。",
        "pro.total=1234",
        id="累计 is a stock",
    ),
    C("主动公开政府信息数同比增加1024条。", id="a change alone"),
    C(
        "主动公开政府信息5600条，其中网站发布3200条，微信发布1500条，微博发布900条。",
        "pro.total=5600",
        "Σ5600=3200+1500+900",
    ),
    C(
        "主动公开信息2000余条，其中政策文件200余条，工作动态1500余条，其他300余条。",
        "pro.total=2000",
        "Σ2000=200+1500+300",
    ),
    C(
        "全年主动公开政府信息3460条，其中政策文件120条，政策解读56条，人事信息32条。",
        "pro.total=3460",
        id="highlights, not a split",
    ),
    C(
        "全年主动公开政府信息1.2万条，其中政府网站发布8000条，政务微信发布5000条，政务微博发布4000条。",
        "pro.total=12000",
        id="channels overlap",
    ),
    C(
        "全年主动公开政府信息300条，其中政府网站200条，政务微博60条，其他渠道50条。",
        "pro.total=300",
        "Σ300=200+60+50",
        id="an 其他 part makes a partition",
    ),
    C(
        "全年通过区政府门户网站公开政府信息3562条，其中政府文件45条、人事信息23条、财政预决算信息56条、"
        "重点领域信息1238条、其他信息2200条。",
        "pro.website=3562",
        "Σ3562=45+23+56+1238+2200",
    ),
    C("全年主动公开政府信息2,356条。", "pro.total=2356", id="thousands separator"),
    C("全年主动公开政府信息 1.2 万余条。", "?pro.total=12000", id="spaced 万"),
    C(
        "全市政府系统共主动公开政府信息56.3万条。",
        "pro.total=563000@agencies",
    ),
    C("疫情防控期间，累计发布疫情防控信息1560条，召开新闻发布会42场。", id="疫情信息"),
    C(
        "2016年共主动公开政府信息2356条，其中全文电子化率100%。",
        "pro.total=2356",
        year=2016,
    ),
    C(
        "严格落实公文公开属性源头认定机制，全年共制发公文356件，其中主动公开128件，依申请公开45件，不予公开183件。",
        "Σ356=128+45+183",
        id="公文公开属性",
    ),
    C(
        "本年度，县政府及县政府办公室发文中，标注“主动公开”的86件，“依申请公开”的12件，“不予公开”的5件。",
        id="公开属性 of documents",
    ),
    C("经保密审查，不予公开的信息3条。", id="保密审查"),
    C("全年共审核拟公开信息2350条，其中不予公开15条。", id="审核 拟公开"),
    C(
        "公开属性为不公开的文件23件，依申请公开的文件11件。",
        id="公开属性 不公开",
    ),
]

# -- 5. Other domains that share the words --------------------------------------------------------

OTHER_DOMAINS = [
    C("全年共受理政务服务事项办件35.6万件，办结率99.8%。", id="政务服务办件"),
    C("12345政务服务便民热线共受理群众诉求23456件，办结率98.5%，满意率96%。", id="12345"),
    C("承办人大代表建议45件、政协提案62件，办结率100%，满意率100%。", id="建议提案"),
    C("全年受理群众信访事项156件，按期办结率100%。", id="信访"),
    C("接到群众来电咨询政府信息公开有关问题320件，均予以解答。", id="来电咨询"),
    C(
        "接受群众关于政府信息公开申请的现场咨询、电话咨询256件，网上咨询132件。",
        id="咨询 about applications",
    ),
    C("区长信箱收到来信480件，已全部办结。", id="信箱"),
    C("全年共收到各类申请事项2.3万件。", id="申请事项"),
    C("办理不动产登记查询申请1200件。", id="登记查询"),
    C("受理行政许可申请3562件，办结3560件。", id="许可 then 办结"),
    C(
        "全年共收到政府信息公开申请18件，此外接受电话咨询96次。",
        "app.new_received.total=18",
    ),
    C("本年度共接收信访举报投诉类申请3件，已告知申请人通过信访渠道反映。", id="信访类申请"),
    C("全年共收到群众来信来访42件（次），均已妥善处理。", id="来信来访"),
    C("共处理网民留言1234条，答复率100%。", id="留言"),
    C("区行政服务中心共受理审批服务事项12.5万件，办结12.4万件。", id="审批服务"),
    C("本年度收到上级政府信息公开协助调查函11件。", id="协助调查函"),
    C(
        "全年共受理政府信息公开申请12件、政府信息公开咨询156件。",
        "app.new_received.total=12",
    ),
    C("办理市长热线转办件326件，依法答复率100%。", id="热线转办"),
    C("全年共受理群众投诉举报申请56件，办结54件。", id="投诉举报"),
    C("全年受理依申请类政务服务事项1.2万件，当场办结率85%。", id="依申请类政务服务"),
    C("全年共收到人大代表建议和政协提案申请答复56件，均已办结答复。", id="建议提案答复"),
    C("全年共收到申请人补正材料5件。", "?app.new_received.total=5", id="补正材料"),
    C(
        "全年召开政务公开工作会议3次，开展政府信息公开培训2期，培训人员150人次。",
        id="meetings and training",
    ),
    C("共收到行政复议申请书副本3份。", id="份"),
]

# -- 6. Other years, cumulative figures, partial periods, ranges ---------------------------------

PERIODS = [
    C(
        "与2020年收到的341件相比，2021年收到政府信息公开申请215件，减少126件。",
        "app.new_received.total=215",
        "?Δapp.new_received.total=-126",
        year=2021,
    ),
    C("2018年以来，累计收到政府信息公开申请1356件。", year=2021, id="since 2018"),
    C("近三年共收到政府信息公开申请126件，年均42件。", id="近三年"),
    C("自《条例》修订实施以来，本机关共收到政府信息公开申请68件。", id="since the 条例"),
    C("截至目前，区政府信息公开平台累计公开政府信息15.6万条。", id="累计 stock"),
    C("第一季度共收到政府信息公开申请8件。", id="第一季度"),
    C("1—6月，共受理政府信息公开申请12件；7—12月，共受理21件。", id="half years"),
    C("上半年收到政府信息公开申请15件。", id="上半年"),
    C("每月平均收到政府信息公开申请3至5件。", id="range per month"),
    C("每件政府信息公开申请均在15个工作日内答复。", id="time limit"),
    C(
        "1至11月，共收到政府信息公开申请20件，12月收到3件，全年共计23件。",
        "?app.new_received.total=23",
        id="months then the year",
    ),
    C(
        "本年度共收到政府信息公开申请42件，较2020年的36件增加6件。",
        "app.new_received.total=42",
        "Δapp.new_received.total=6",
        year=2021,
    ),
    C(
        "本年度收到政府信息公开申请42件，上年同期为36件。",
        "app.new_received.total=42",
    ),
    C(
        "去年收到政府信息公开申请36件，今年收到42件。",
        "app.new_received.total=42",
        id="去年 … 今年",
    ),
    C("2019年至2021年，共收到政府信息公开申请96件。", year=2021, id="2019年至2021年"),
    C(
        "2009年共收到政府信息公开申请12件，比2008年增加4件。",
        "app.new_received.total=12",
        "Δapp.new_received.total=4",
        year=2009,
    ),
    C(
        "2020年收到政府信息公开申请176件，2021年收到政府信息公开申请215件。",
        "app.new_received.total=215",
        year=2021,
        id="last year's count before this year's",
    ),
    C("机构改革以来，共收到政府信息公开申请32件。", id="since the reform"),
    C(
        "2021年以来，我局共收到政府信息公开申请14件。",
        "app.new_received.total=14",
        year=2021,
        id="the report year 以来",
    ),
    C(
        "截至2021年 12月 31日，共收到政府信息公开申请36件。",
        "app.new_received.total=36",
        year=2021,
        id="a spaced date",
    ),
    C(
        "落实统一月报制度，全年共收到政府信息公开申请36件。",
        "app.new_received.total=36",
        id="统一月报 is no month",
    ),
    C(
        "于6月修订完善规范性文件管理办法，全年共制发规范性文件5件。",
        "a20.normative_documents.issued=5",
    ),
    C("截至11月底，共收到政府信息公开申请29件。", id="up to November"),
    C(
        "今年以来，共收到政府信息公开申请31件，均已办结。",
        "app.new_received.total=31",
        "?app.results_total.total=31",
        id="今年以来 is the year",
    ),
    C(
        "2020年度政府信息公开行政复议案件3件，2021年度无。",
        "?rl.review.total=0",
        year=2021,
        id="last year's review cases",
    ),
    C("较上年的215件减少了12件。", id="last year's count in a change"),
    C("每年收到政府信息公开申请约20件。", id="每年"),
    C("全年受理的政府信息公开申请中，12月份受理9件。", id="one month"),
    C("10月至12月共收到政府信息公开申请7件。", id="a quarter by months"),
]

# -- 7. Titles, document numbers, article numbers, dates and phone numbers ------------------------

REFERENCES = [
    C(
        "根据《政府信息公开条例》第三十三条规定，本机关共收到政府信息公开申请18件。",
        "app.new_received.total=18",
    ),
    C(
        "不予公开的政府信息公开申请均依照《条例》第十四条答复，共3件。",
        "?app.denied.total=3",
        id="第十四条 after 不予公开",
    ),
    C(
        "认真落实《关于做好政府信息公开申请答复工作的十项措施》，收到政府信息公开申请12件。",
        "app.new_received.total=12",
    ),
    C(
        "本年度收到政府信息公开申请16件，咨询电话：0591-23165250，办公时间8:30-17:30。",
        "app.new_received.total=16",
    ),
    C(
        "依据《中华人民共和国政府信息公开条例》第二十条、第二十一条规定，主动公开政府信息1863条。",
        "pro.total=1863",
    ),
    C(
        "依据《条例》第三十六条第（二）项规定，予以公开的申请12件。",
        "app.granted.total=12",
    ),
    C(
        "按照《××省政府信息公开申请办理规范》（×政办发〔2020〕8号）要求，全年办结政府信息公开申请25件。",
        "app.results_total.total=25",
    ),
    C(
        "发布时间：2022-01-20 访问量：1234次 本年度收到政府信息公开申请6件。",
        "app.new_received.total=6",
    ),
    C(
        "《××区2021年政府信息公开申请30件办理情况的通报》已印发。",
        id="a count inside a title only",
    ),
    C(
        "根据《条例》第三十八条，对没有现成信息需要另行制作的1件申请，告知申请人不予提供。",
        "app.unavailable.needs_creation.total=1",
    ),
]

# -- 8. Consolidated figures and subordinate units ------------------------------------------------

SCOPES = [
    C(
        "全区各级行政机关共收到政府信息公开申请1256件，其中区政府本级收到215件。",
        "app.new_received.total=1256@agencies",
        "app.new_received.total=215",
    ),
    C("各乡镇（街道）共收到政府信息公开申请56件。", "app.new_received.total=56@sub"),
    C(
        "区直各部门共收到政府信息公开申请312件，各镇收到28件。",
        "app.new_received.total=312@sub",
        "app.new_received.total=28@sub",
    ),
    C(
        "全县共受理政府信息公开申请428件，其中县政府办公室受理35件，县直部门受理356件，乡镇受理37件。",
        "app.new_received.total=428@region",
        "app.new_received.total=35",
        "app.new_received.total=356@sub",
        "app.new_received.total=37@sub",
        "Σ428=35+356+37",
    ),
    C(
        "市本级收到政府信息公开申请120件，区县收到政府信息公开申请860件。",
        "app.new_received.total=120",
        "app.new_received.total=860@sub",
    ),
    C(
        "局机关收到政府信息公开申请8件，下属单位收到3件。",
        "app.new_received.total=8",
        "app.new_received.total=3@sub",
    ),
    C(
        "各县（市、区）政府共收到政府信息公开申请2356件。",
        "app.new_received.total=2356@sub",
    ),
    C(
        "全市共受理政府信息公开申请3421件，同比增长18.6%，其中市级部门受理1203件，区县受理2218件。",
        "app.new_received.total=3421@region",
        "Δ%app.new_received.total=18.6",
        "app.new_received.total=1203@sub",
        "app.new_received.total=2218@sub",
    ),
    C("本部门及所属单位共收到政府信息公开申请6件。", "app.new_received.total=6@sub"),
    C(
        "全市（含各区县）共收到政府信息公开申请3421件。",
        "app.new_received.total=3421@region",
        id="(含各区县) widens the figure",
    ),
    C(
        "各市场主体通过政府信息公开申请获取信息，全年共收到政府信息公开申请36件。",
        "app.new_received.total=36",
        id="各市场主体 is no subordinate unit",
    ),
    C("市政府办公厅全年共收到政府信息公开申请152件。", "app.new_received.total=152"),
    C(
        "区级层面共收到政府信息公开申请100件，镇街层面收到56件。",
        "app.new_received.total=100",
        "app.new_received.total=56@sub",
    ),
    C(
        "市政府及市政府办公室共收到政府信息公开申请52件，其中市政府收到30件，市政府办公室收到22件。",
        "app.new_received.total=52",
        "app.new_received.total=30@sub",
        "app.new_received.total=22@sub",
        id="parts of the body's own total are no table row",
    ),
    C(
        "本年度共受理政府信息公开申请36件，其中局机关受理30件，下属单位受理6件。",
        "app.new_received.total=36",
        "app.new_received.total=30@sub",
        "app.new_received.total=6@sub",
    ),
    C(
        "2022年，XX市人民政府办公室共收到政府信息公开申请67件，较2021年（52件）增长28.8%。",
        "app.new_received.total=67",
        "?Δ%app.new_received.total=28.8",
        year=2022,
    ),
    C(
        "我市全年共收到政府信息公开申请1320件。",
        "app.new_received.total=1320@region",
    ),
    C(
        "各区县政府信息公开行政复议案件共26件。",
        "rl.review.total=26@sub",
    ),
    C(
        "全市公安系统共受理政府信息公开申请89件。",
        "app.new_received.total=89@region",
    ),
    C(
        "市直单位共主动公开政府信息23568条，各县区主动公开政府信息45210条。",
        "pro.part=23568@sub",
        "pro.part=45210@sub",
    ),
    C(
        "各镇人民政府共受理政府信息公开申请14件。",
        "app.new_received.total=14@sub",
    ),
    C(
        "县本级共受理政府信息公开申请67件，各乡镇、县直各单位共受理361件。",
        "app.new_received.total=67",
        "app.new_received.total=361@sub",
    ),
]

# -- 9. 2008–2018 reports ------------------------------------------------------------------------

OLD_REGIME = [
    C(
        "2012年，我局共受理政府信息公开申请15件，其中当面申请3件，网上申请10件，信函申请2件。",
        "app.new_received.total=15",
        "Σ15=3+10+2",
        year=2012,
    ),
    C(
        "所有申请均已按时答复，其中同意公开12件，同意部分公开1件，不属于本机关公开范围2件。",
        "app.granted.total=12",
        "app.partially_granted.total=1",
        "app.unavailable.not_held.total=2",
        id="同意部分公开",
    ),
    C(
        "2015年度，本机关未收到政府信息公开申请，没有因政府信息公开申请提起行政复议、行政诉讼的情况。",
        "rl.review.total=0",
        "rl.litigation.total=0",
        year=2015,
    ),
    C("本年度政府信息公开工作未收取任何费用。", id="fees"),
    C(
        "2010年，我区共收到政府信息公开申请36件，已答复36件，其中同意公开28件，部分公开3件，不予公开1件，"
        "信息不存在2件，非本机关掌握2件。",
        "app.new_received.total=36@region",
        "app.results_total.total=36@region",
        "app.granted.total=28@region",
        "app.partially_granted.total=3@region",
        "app.denied.total=1@region",
        "app.unavailable.nonexistent.total=2@region",
        "app.unavailable.not_held.total=2@region",
        "Σ36=28+3+1+2+2",
        year=2010,
    ),
    C("受理申请中，属于主动公开范围的5件，已告知申请人获取途径。", id="主动公开范围"),
    C(
        "2014年共收到政府信息公开申请42件，同比增加8件，增长23.5%。",
        "app.new_received.total=42",
        "Δapp.new_received.total=8",
        "Δ%app.new_received.total=23.5",
        year=2014,
    ),
    C(
        "全年共主动公开政府信息5632条，其中通过政府网站公开4891条，通过政府公报公开36条，通过其他方式公开705条。",
        "pro.total=5632",
        "Σ5632=4891+36+705",
    ),
    C(
        "2011年，区政府对申请作出答复31件，其中同意公开19件，同意部分公开4件，不同意公开2件，"
        "告知作出更改补充1件，告知通过其他途径办理5件。",
        "app.results_total.total=31",
        "app.granted.total=19",
        "app.partially_granted.total=4",
        "app.denied.total=2",
        "app.unavailable.unclear.total=1",
        "Σ31=19+4+2+1+5",
        year=2011,
    ),
    C("2013年，我办未发生因政府信息公开申请引起的行政复议和行政诉讼。", "rl.review.total=0", "rl.litigation.total=0"),
]

# -- 10. Shares, rates and changes ---------------------------------------------------------------

SHARES = [
    C(
        "予以公开86件，占办结总数的61.4%。",
        "app.granted.total=86",
        "%app.granted.total=61.4/86",
    ),
    C("申请人对政府信息公开申请答复满意度达98%。", id="满意度"),
    C("政府信息公开申请答复率100%。", id="答复率"),
    C("依申请公开办结率100%。", "%app.completion_rate.total=100"),
    C("政府信息公开申请按期答复率100%，行政复议纠错率为零。", id="按期答复率"),
    C(
        "收到政府信息公开申请215件，其中自然人申请占97.2%。",
        "app.new_received.total=215",
        id="a share of a column, not of the count",
    ),
    C(
        "共收到政府信息公开申请56件，其中涉及征地拆迁的有23件，占41.1%。",
        "app.new_received.total=56",
        id="a share of an unnamed part",
    ),
    C(
        "收到政府信息公开申请215件，其中网上申请168件，占比78.1%。",
        "app.new_received.total=215",
        id="a share of a channel",
    ),
    C(
        "共收到政府信息公开申请215件，予以公开137件，公开率63.7%，同比提高5个百分点。",
        "app.new_received.total=215",
        "app.granted.total=137",
        id="百分点 is no count",
    ),
    C(
        "共收到政府信息公开申请215件，较上年减少5件，降幅为2.3%。",
        "app.new_received.total=215",
        "Δapp.new_received.total=-5",
    ),
    C("其中，予以公开占比60%，部分公开占比8%。", id="shares without counts"),
    C("政府信息公开申请数量较上年增长一倍。", id="一倍"),
    C("政府信息公开申请数量同比下降三成。", id="三成"),
    C("约三分之一的政府信息公开申请涉及征地拆迁。", id="三分之一"),
    C("今年收到的政府信息公开申请中，涉及房屋征收的占40%。", id="a share of a topic"),
    C(
        "全年收到政府信息公开申请32件，办结30件，结转下年度2件，办结率93.75%。",
        "app.new_received.total=32",
        "app.results_total.total=30",
        "app.carried_forward.total=2",
        "%app.completion_rate.total=93.75",
    ),
    C("全年受理政府信息公开申请32件，全部按时办结，按时办结率100%。", "app.new_received.total=32"),
    C("政务服务事项网上可办率达98%，即办件占比60%。", id="政务服务 shares"),
    C(
        "收到政府信息公开申请10件，均在法定期限内办结，办结率100%。",
        "app.new_received.total=10",
        "%app.completion_rate.total=100",
    ),
    C(
        "收到政府信息公开申请215件，其中网上申请168件，同比增加20件。",
        "app.new_received.total=215",
        id="a change after a part is not the whole's",
    ),
    C(
        "2021年，我区共计收到政府信息公开申请341件，同比去年增加了163件，上升了93%。",
        "app.new_received.total=341@region",
        "Δapp.new_received.total=163",
        "Δ%app.new_received.total=93",
    ),
    C(
        "全年共收到政府信息公开申请50件，其中予以公开30件，占60%，同比上升10个百分点。",
        "app.new_received.total=50",
        "app.granted.total=30",
        "%app.granted.total=60/30",
    ),
    C(
        "申请人主要为自然人（占95%），内容主要涉及征地拆迁，共收到政府信息公开申请40件。",
        "app.new_received.total=40",
    ),
    C("申请量比上年多23件，共收到政府信息公开申请86件。", "app.new_received.total=86", id="change before its count"),
    C(
        "本年度申请数量与上年持平，均为36件。",
        "?app.new_received.total=36",
    ),
    C(
        "予以公开和部分公开分别为120件、30件，分别占57.1%、14.3%。",
        "?app.granted.total=120",
        "?app.partially_granted.total=30",
        "?%app.granted.total=57.1/120",
        "?%app.partially_granted.total=14.3/30",
        id="分别 lists",
    ),
]


FAMILIES = {
    "applications": APPLICATIONS,
    "review": REVIEW,
    "documents": DOCUMENTS,
    "proactive": PROACTIVE,
    "other_domains": OTHER_DOMAINS,
    "periods": PERIODS,
    "references": REFERENCES,
    "scopes": SCOPES,
    "old_regime": OLD_REGIME,
    "shares": SHARES,
}
CASES = [
    pytest.param(lines, expected, year, id=f"{family}-{i:02d}")
    for family, cases in FAMILIES.items()
    for i, (lines, expected, year, _) in enumerate(cases, start=1)
]


@pytest.mark.parametrize(("lines", "expected", "year"), CASES)
def test_realistic_sentence(lines: list[str], expected: tuple[str, ...], year: int | None) -> None:
    _check(lines, expected, year)


def test_the_set_is_large_enough() -> None:
    assert len(CASES) >= 150


# -- end to end: whole reports through the narrative rules ---------------------------------------

NARRATIVE_RULES = [r for r in load_rules() if r["id"].startswith("narrative.")]

APPS_2021 = {
    "new_received": [34, 2, 0, 0, 0, 0, 36],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [19, 1, 0, 0, 0, 0, 20],
    "partially_granted": [5, 0, 0, 0, 0, 0, 5],
    "denied.state_secret": [0, 0, 0, 0, 0, 0, 0],
    "denied.prohibited_by_law": [0, 0, 0, 0, 0, 0, 0],
    "denied.safety_stability": [0, 0, 0, 0, 0, 0, 0],
    "denied.third_party": [1, 0, 0, 0, 0, 0, 1],
    "denied.internal_affairs": [0, 0, 0, 0, 0, 0, 0],
    "denied.process_info": [1, 0, 0, 0, 0, 0, 1],
    "denied.enforcement_file": [0, 0, 0, 0, 0, 0, 0],
    "denied.administrative_query": [0, 0, 0, 0, 0, 0, 0],
    "unavailable.not_held": [5, 1, 0, 0, 0, 0, 6],
    "unavailable.needs_creation": [1, 0, 0, 0, 0, 0, 1],
    "unavailable.unclear": [0, 0, 0, 0, 0, 0, 0],
    "not_processed.petition": [1, 0, 0, 0, 0, 0, 1],
    "not_processed.duplicate": [0, 0, 0, 0, 0, 0, 0],
    "not_processed.publication": [0, 0, 0, 0, 0, 0, 0],
    "not_processed.excessive": [0, 0, 0, 0, 0, 0, 0],
    "not_processed.confirmation": [0, 0, 0, 0, 0, 0, 0],
    "other.no_correction": [1, 0, 0, 0, 0, 0, 1],
    "other.unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
    "other.other": [0, 0, 0, 0, 0, 0, 0],
    "results_total": [34, 2, 0, 0, 0, 0, 36],
    "carried_forward": [2, 0, 0, 0, 0, 0, 2],
}
# 行政复议 1 (维持 1); 直接起诉 1 (尚未审结 1); 复议后起诉 0
RL_2021 = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
A20_2021 = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 6, "repealed": 2, "in_force": 38},
    "licensing": {"decisions": 1520},
    "penalty": {"decisions": 86},
    "coercion": {"decisions": 3},
    "fees": {"amount_10k_yuan": 0},
}


def _narrative_findings(documents: list[dict[str, Any]]) -> list[str]:
    frames, sources = build_frames({"documents": documents})
    findings, _ = run_rules(frames, sources, rules=NARRATIVE_RULES)
    return [f"{r}: {m}" for r, m in zip(findings["rule"], findings["message"], strict=True)]


CONSISTENT = [
    pytest.param(
        "某县人民政府办公室",
        [
            "2021年，全县各级行政机关共收到政府信息公开申请428件，其中县政府办公室受理38件（含法人或其他组织申请2件），"
            "县直部门受理356件，乡镇受理34件。",
            "县政府办公室本年度新收政府信息公开申请36件，上年结转2件，办结36件，其中予以公开20件，部分公开5件，"
            "不予公开2件，无法提供7件，不予处理1件，其他处理1件；结转下年度继续办理2件。",
            "各乡镇（街道）共收到政府信息公开申请34件，各镇收到28件。",
            "全县政府信息公开行政复议案件共26件，其中维持20件，纠正2件，尚未审结4件。",
            "全县共受理政府信息公开申请428件，予以公开300件，占70.1%；各乡镇予以公开20件，占58.8%。",
        ],
        id="a county office: 全县 and 县直部门 figures are not its table",
    ),
    pytest.param(
        "某市司法局",
        [
            "四、政府信息公开行政复议、行政诉讼情况",
            "本年度市司法局共受理行政复议申请86件，审结79件，其中涉及政府信息公开的复议案件12件。",
            "本机关因政府信息公开被申请行政复议1件，经复议维持原答复；被提起行政诉讼1件，尚未审结。",
            "市政府作为复议机关，全年受理涉及政府信息公开的行政复议案件12件，已全部审结。",
        ],
        id="a justice bureau: its review work is not the review table",
    ),
    pytest.param(
        "某区人民政府",
        [
            "严格落实公文公开属性源头认定机制，全年共制发公文356件，其中主动公开128件，依申请公开45件，不予公开183件。",
            "经保密审查，不予公开的信息3条。",
            "2021年，区政府共收到政府信息公开申请36件，上年结转2件。办结的36件申请中，予以公开20件、部分公开5件、"
            "不予公开2件、无法提供7件、不予处理1件、其他处理1件。",
            "全年共收到政府信息公开申请36件，其中自然人申请占94.4%，涉及征地拆迁的有12件，占33.3%。",
        ],
        id="公文公开属性 and shares of a column",
    ),
    pytest.param(
        "某区人民政府",
        [
            "与2020年收到的52件相比，2021年收到政府信息公开申请36件，减少16件。",
            "第一季度共收到政府信息公开申请8件，上半年收到政府信息公开申请15件。",
            "2018年以来，累计收到政府信息公开申请256件。近三年共收到政府信息公开申请126件。",
            "截至目前，累计公开政府信息15.6万条，区政府门户网站本年度主动公开政府信息8562条。",
            "自2008年以来，累计制发规范性文件236件；截至2021年底，区政府现行有效行政规范性文件38件，"
            "本年度制发行政规范性文件6件，废止2件。",
            "本年度出台12个规章制度，修订完善内部规章制度8个。",
        ],
        id="other years, partial periods and stocks",
    ),
    pytest.param(
        "某区人民政府",
        [
            "共收到政府信息公开申请36件，其中予以公开20件，部分公开5件，无法提供7件，不予处理1件。",
            "受理行政许可申请3562件，办结3560件。",
            "12345政务服务便民热线共受理群众诉求23456件，办结率98.5%。",
            "接受群众关于政府信息公开申请的现场咨询、电话咨询256件，网上咨询132件。",
            "全年共受理政府信息公开申请36件，全部按时办结，按时办结率100%。",
            "共收到政府信息公开申请36件，予以公开20件，公开率55.6%，同比提高5个百分点。",
        ],
        id="other domains and a partial list of outcomes",
    ),
    pytest.param(
        "某区人民政府",
        [
            "全年共审查规范性文件32件，向区人大常委会报备规范性文件8件。",
            "开展规范性文件清理工作，共清理规范性文件156件，其中保留132件，修改14件，废止10件。",
            "对《关于进一步加强城市管理的若干意见》等3件规范性文件进行了合法性审核。",
            "区直各部门制发规范性文件23件，各镇街制发规范性文件9件。",
        ],
        id="规范性文件 work that is not the 第二十条 table",
    ),
]


@pytest.mark.parametrize(("agency", "narrative"), CONSISTENT)
def test_a_consistent_report_raises_no_narrative_finding(agency: str, narrative: list[str]) -> None:
    document = {
        "year": 2021,
        "agency": agency,
        "narrative": narrative,
        "tables": {"applications": APPS_2021, "review_litigation": RL_2021, "article20": A20_2021},
    }
    assert _narrative_findings([document]) == []


def test_changes_against_last_year_that_agree_raise_nothing() -> None:
    last_year = {
        "year": 2020,
        "agency": "某区人民政府",
        "narrative": ["2020年，区政府共收到政府信息公开申请30件。"],
        "tables": {"applications": {"new_received": [30, 0, 0, 0, 0, 0, 30]}},
    }
    this_year = {
        "year": 2021,
        "agency": "某区人民政府",
        "narrative": [
            "2021年，区政府共收到政府信息公开申请36件，同比增加6件，增长20%。",
            "本年度共收到政府信息公开申请36件，较2020年的30件增加6件。",
            "收到政府信息公开申请36件，其中网上申请20件，同比增加5件。",  # the part's change: not read
            "2019年至2021年共收到政府信息公开申请80件，比上年增加10件。",  # several years: not read
            "因政府信息公开被申请行政复议1件、被提起行政诉讼1件，分别比上年增加1件、减少2件。",
        ],
        "tables": {"applications": APPS_2021, "review_litigation": RL_2021},
    }
    assert _narrative_findings([last_year, this_year]) == []


def test_changes_of_figures_the_table_does_not_hold_are_not_checked() -> None:
    """A county office's report: the 全县 and 各乡镇 figures changed, its own table is another count."""
    office = "某县人民政府办公室"
    last_year = {"year": 2020, "agency": office, "tables": {"applications": {"new_received": [30, 0, 0, 0, 0, 0, 30]}}}
    this_year = {
        "year": 2021,
        "agency": office,
        "narrative": [
            "2021年，全县共受理政府信息公开申请428件，同比增加28件。",
            "各乡镇（街道）共收到政府信息公开申请56件，同比增加6件。",
            "县政府办公室共收到政府信息公开申请36件，同比增加6件。",
        ],
        "tables": {"applications": APPS_2021},
    }
    assert _narrative_findings([last_year, this_year]) == []


def test_an_inconsistent_report_is_still_caught() -> None:
    document = {
        "year": 2021,
        "agency": "某区人民政府",
        "narrative": [
            "2021年，区政府共收到政府信息公开申请34件，上年结转2件。",  # table: 36
            "因政府信息公开被申请行政复议2件，其中维持1件，纠正1件。",  # table: 1, 维持 1
            "本年度制发行政规范性文件8件，截至年底现行有效行政规范性文件38件。",  # table: issued 6
            "全年收到政府信息公开申请36件，办结36件，办结率90%。",  # 36 / 38 = 94.7%, 36 / 36 = 100%
        ],
        "tables": {"applications": APPS_2021, "review_litigation": RL_2021, "article20": A20_2021},
    }
    findings = _narrative_findings([document])
    assert any("「34件」" in f for f in findings), findings
    assert any("「2件」(行政复议" in f for f in findings), findings
    assert any("「1件」(行政复议 结果纠正" in f for f in findings), findings
    assert any("「8件」(规范性文件" in f for f in findings), findings
    assert any(f.startswith("narrative.percentage") and "90%" in f for f in findings), findings
