"""Who publishes a report: the agency name as the text states it, and `agency_key`, the identity
that groups one body's versions and years.

The finders each read one kind of statement (a title, 「由…编制」, 「…门户网站」, a signature, a
contact sentence); meta.py decides which to trust first. Names are returned as printed (minus
spaces and brackets): 人民政府 and 人民政府办公室 are different bodies and are never merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

_CJK = r"\u4e00-\u9fff"
_BODY = r"(?:人民政府办公室|人民政府办公厅|人民政府|管理委员会|管委会|委员会|办公室|办事处|局|厅|委|办)"

# 「2021年度」, and a year with no 年 right before the topic (「示例厅2022政府信息公开…」, §10.22)
TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*度?|(?=政府|政务|信息))")
# 「…人民政府信息公开指南」 shares 政府 between the name and the topic: the name keeps it.
_TOPIC = re.compile(r"(?:(?<!人民)政府信息公开|政务公开|信息公开)")
_TITLE_JUNK = re.compile(r"[\s|《》“”\"「」]+")
_LEADING_WORDS = re.compile(r"^(?:关于|印发|公布)+")
_TRAILING_WORDS = re.compile(r"(?:关于|的|之)+$")
# Pronouns (本机关, 我区, 全县 …), a bare 「区政府」 without its place, 「年度」 (a title cut after its year),
# and anything but CJK/digits/brackets.
_NOT_A_NAME = re.compile(
    rf"^(?:本机关|本单位|本部门|本[局委办厅]|我[区县市局委办镇乡]|全[区县市]|各|该)|^[区县市省镇乡州旗](?:人民)?政府|^年度$|[^{_CJK}()0-9]"
)

_COMPILER = re.compile(rf"由(?P<a>[{_CJK}()]{{2,30}}?)(?:结合[^。,;]{{0,30}}?)?(?:负责|牵头|组织)?编制")
_PORTAL = re.compile(rf"(?:在|于|通过|登录|访问|浏览)(?P<a>[{_CJK}]{{2,24}}?人民政府)门户网站")
_SITE = re.compile(rf"(?:在|于|通过|登录|访问|浏览)(?P<a>[{_CJK}]{{2,24}}?人民政府)(?:门户)?网站")
_CONTACT = re.compile(rf"请与(?P<a>[{_CJK}]{{2,30}}?)(?:\(|联系)")
_OBTAIN = re.compile(rf"获取(?P<a>[{_CJK}]{{2,30}}?{_BODY})(?:及|和|、|的|\()")
# A name may carry a second name in brackets: 「示例市自然资源局(示例市林业局)」 is one body.
_SECOND_NAME = rf"(?:\([{_CJK}]{{2,24}}\))?"
_SIGNATURE = re.compile(rf"[{_CJK}()]{{2,28}}{_BODY}{_SECOND_NAME}")
# Text run into one line ends 「… 平潭综合实验区管委会办公室 2014年12月10日 附件下载」.
_SIGNED_ENDING = re.compile(
    rf"(?:^|[\s。])(?P<a>[{_CJK}()]{{2,28}}{_BODY}{_SECOND_NAME})\s*(?P<d>(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)"
    r"[\s|]*(?:附件下载|附件)?[\s|]*$"
)


def clean_name(name: str | None) -> str | None:
    """The name without spaces, pipes and quotes, or None when it is no body's name."""
    if not name:
        return None
    name = _TITLE_JUNK.sub("", name)
    name = _TRAILING_WORDS.sub("", _LEADING_WORDS.sub("", name))
    if not 2 <= len(name) <= 40 or _NOT_A_NAME.search(name):
        return None
    return name


_ENDS_AS_BODY = re.compile(rf"(?:{_BODY}|政府|中心|院|所|署|街道|镇|乡)$")


def is_body_name(name: str) -> bool:
    """Whether a short line is a body's name on its own (「洪泽区人民政府」, 「某某市教育局」), or a
    place's whose government reports (「平潭综合实验区」 above 「2016年度…年度报告」)."""
    return bool(_ENDS_AS_BODY.search(name)) or is_place_name(name)


def is_place_name(name: str) -> bool:
    """Whether `name` is nothing but a place (「历下区」, 「济南市历下区」, 「平潭综合实验区」)."""
    if not _PLACE_END.search(name):
        return False
    if _PROVINCE.fullmatch(name) or _CITY.fullmatch(name):
        return True
    rest = name
    for level in (_PROVINCE, _CITY):  # the county-level (or lower) place after its province and city
        match = level.match(rest)
        if match and match.end() < len(rest):
            rest = rest[match.end() :]
    return _whole_place(rest)


def _whole_place(rest: str) -> bool:
    match = _LOCAL.fullmatch(rest)
    zone = _ZONE.search(rest)
    return (
        bool(match) and not _ZONE.fullmatch(rest) and (not _NOT_A_PLACE.search(rest) or bool(zone and zone.start() > 1))
    )


def split_title(title: str) -> tuple[str | None, int | None]:
    """(agency, year) of a title: 「苍南县人民政府2021年度政府信息公开工作年度报告」,
    「2020年普陀区政府信息公开工作年度报告」, 「济南市历下区人民政府政府信息公开指南」."""
    text = _TITLE_JUNK.sub("", title)
    year_match = TITLE_YEAR.search(text)
    if not year_match:
        topic = _TOPIC.search(text)
        return (clean_name(text[: topic.start()]) if topic else None), None
    agency = clean_name(text[: year_match.start()])
    if agency is None:  # 「2020年普陀区政府信息公开工作年度报告」: the name follows the year
        after = text[year_match.end() :]
        topic = _TOPIC.search(after)
        agency = clean_name(after[: topic.start()]) if topic else None
    return agency, int(year_match.group(1))


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        name = clean_name(match["a"])
        if name:
            return name
    return None


def from_compiler(text: str) -> str | None:
    """「由济南市历下区人民政府办公室编制」 → the body that compiled the report."""
    return _first(_COMPILER, text) if "编制" in text else None


def from_portal(text: str) -> str | None:
    """「将在济南市历下区人民政府门户网站…公布」 → 济南市历下区人民政府."""
    return _first(_PORTAL, text) if "门户网站" in text else None


def from_any_site(text: str) -> str | None:
    """A guide's 「可以在济南市历下区人民政府网站上查阅」 (门户 or not)."""
    return _first(_SITE, text) if "网站" in text else None


def from_contact(text: str) -> str | None:
    """「请与济南市历下区人民政府办公室联系」: the weakest clue (often the office, not the body)."""
    return _first(_CONTACT, text) if "请与" in text else None


def from_obtain(text: str) -> str | None:
    """A guide's 「…准确获取济南市历下区人民政府及…的政府信息」."""
    return _first(_OBTAIN, text) if "获取" in text else None


def signature(line: str) -> str | None:
    """The line, when it is only a body's name (the signature above the closing date)."""
    text = line.strip(" |\t")
    return clean_name(text) if _SIGNATURE.fullmatch(text) else None


def signed_ending(text: str) -> tuple[str, str] | None:
    """(body, date as printed) when a line ends with a signature and its date on the same line."""
    match = _SIGNED_ENDING.search(text[-120:])
    name = clean_name(match["a"]) if match else None
    return (name, match["d"]) if match and name else None


# ---------------------------------------------------------------------------------------------
# Reports without a title (domain.md §10.23, 10.24)
# ---------------------------------------------------------------------------------------------

_REPORT_NAME = r"[^。，,；;《》]{4,70}?(?:年度报告|公开工作报告|年报)"
_ANNOUNCED = re.compile(rf"现(?:予以|予)?(?:公布|发布|印发)(?P<t>{_REPORT_NAME})")
_BOOK_REPORT = re.compile(rf"《(?P<t>{_REPORT_NAME})》")
# A body named as the subject of a clause: 「南溪区交通运输局根据…」, 「2023年,白鹭市发改委…」.
_SUBJECT = re.compile(rf"(?P<a>[{_CJK}]{{2,30}}?{_BODY}{_SECOND_NAME})")
_CLAUSE_STARTS = re.compile(r"(?:^|[。;；,，:：])\s*(?:(?:19|20)\d{2}\s*年度?\s*[,，]?\s*)?")
# Words a clause starts with that are no name (「按照省政府办公厅…」), and what follows a name that is
# not the reporting body: another body's act or property, the contact, the compiler, a website.
_NOT_A_SUBJECT = re.compile(r"(?:根据|按照|依据|依照|为|在|由|对|经|以|今年|本|我|各|全|该|如|请|向|与|和|及)")
# Verbs that open a clause with no subject (「紧紧围绕区委…」, 「认真落实县政府办…」): no body's name holds them.
_VERB_WORDS = re.compile(
    r"围绕|落实|贯彻|坚持|加强|推进|推动|深入|认真|紧紧|全面|持续|切实|着力|积极|主动|及时|严格|扎实|稳步|大力|加快"
    r"|强化|优化|完善|健全|做好|抓好|建立|提升|提高|统筹|结合|针对|通过|聚焦|对照|进一步|同时|此外|其中"
)
# Words inside a run of text that no body's name holds (「历下区政务公开经验在国办…」).
_NOT_IN_A_NAME = re.compile(r"[在的是被将已了向对]|经验|工作")
# A party committee (「区委」, 「县委办」) is no body that reports under the 条例.
_PARTY_COMMITTEE = re.compile(r"[省市区县镇乡州旗]委办?$")
_NOT_THE_BODY_AFTER = re.compile(r"的|关于|印发|下发|转发|要求|部署|通报|联系|编制|门户|网站|官网|领导|文件|令|函")
_LEADING_GROUP = re.compile(r"领导小组")
_GROUP_TOPIC = re.compile(r"(?:人民政府|政府)?(?:政务公开|政府信息公开|信息公开|推进政府职能|领导小组)")
# An office that serves a place's government: its place is the body when the report speaks for the place.
_OFFICE = re.compile(
    r"(?:人民政府|政府)?(?:党政综合办公室|党政办公室|党政办|综合办公室|政务公开办公室|政务公开办|办公室|办公厅|办)$"
)
_PLACE_VOICE = re.compile(r"(?:我|全)(区|县|市|镇|乡|街道|旗)")
_DEPARTMENT_VOICE = re.compile(r"(?:我|本)(?:局|委|办|厅|中心|院|署|单位|部门)")


def from_announcement(text: str) -> tuple[str | None, int | None] | None:
    """「现公布示例县人民政府2022年政府信息公开工作年度报告」: (agency, year) of the report it names."""
    match = _ANNOUNCED.search(text) if "现" in text else None
    return split_title(match["t"]) if match else None


def from_book_title(text: str) -> str | None:
    """「《南溪区交通运输局2020年政府信息公开工作年度报告》」: the body of a report named in 《》."""
    for match in _BOOK_REPORT.finditer(text) if "《" in text else ():
        if not match["t"].startswith("关于"):
            name = split_title(match["t"])[0]
            if name:
                return name
    return None


def from_subject(text: str) -> str | None:
    """A body named at the start of a clause of the line's first sentence, as its subject
    (「白鹭市发展和改革委员会深入贯彻…」): a name that starts with its place, is no leading group, and
    is not followed by another body's act (「…的领导下」, 「…印发」) or a contact, a compiler or a
    website. Later sentences name other bodies (a 片区管委会 as an example of the work)."""
    end = text.find("。")
    text = text if end < 0 else text[:end]
    for start in _CLAUSE_STARTS.finditer(text):
        at = start.end()
        match = _SUBJECT.match(text, at)
        if match is None or _NOT_A_SUBJECT.match(text, at):
            continue
        name = clean_name(match["a"])
        if (
            name
            and not _LEADING_GROUP.search(name)
            and not _VERB_WORDS.search(name)
            and not _NOT_IN_A_NAME.search(name)
            and not _PARTY_COMMITTEE.search(name)
            and _starts_with_place(name)
            and not _NOT_THE_BODY_AFTER.match(text, match.end())
        ):
            return name
    return None


_PLACE_SUBJECT = re.compile(
    rf"(?P<a>[{_CJK}]{{2,20}}?(?:自治县|自治州|区|县|旗|市|盟|镇|乡|街道))(?=(?:{_VERB_WORDS.pattern}))"
)


def place_subject(text: str, level: str | None) -> str | None:
    """A place named as the subject of the first clause of a report's opening sentence
    (「2022年,历下区坚持以人民为中心…」), when the report speaks for a place of that level
    (「我区」): that place's government is the body."""
    if not level or level == "department":
        return None
    end = text.find("。")
    text = text if end < 0 else text[:end]
    start = _CLAUSE_STARTS.match(text)
    match = _PLACE_SUBJECT.match(text, start.end() if start else 0)
    name = match["a"] if match else None
    return name if name and name.endswith(level) and is_place_name(name) else None


def completes(generic: str, full: str) -> bool:
    """Whether `full` is `generic` with its place before it: 「济南市历下区教育局」 completes 「区教育局」."""
    cut = len(full) - len(generic)
    return cut > 0 and full.endswith(generic[1:]) and full[cut] == generic[0] and agency_key(full) is not None


def _starts_with_place(name: str) -> bool:
    return bool(_PROVINCE.match(name) or _CITY.match(name) or _local_place(name))


def voice(text: str) -> str | None:
    """The level a report speaks for: 「我区」/「全县」 → 区/县 (a place's government), 「本局」/「我委」
    → "department", None when it does not say (「本机关」 is both)."""
    places = Counter(m.group(1) for m in _PLACE_VOICE.finditer(text))
    departments = len(_DEPARTMENT_VOICE.findall(text))
    if places and max(places.values()) > departments:
        return places.most_common(1)[0][0]
    return "department" if departments else None


def place_of_office(name: str | None, level: str | None) -> str | None:
    """The place whose government an office (or the government itself) serves, when the report speaks
    for a place of that level: 「由历下区政府办公室编制」 in a report on 「我区」 → 历下区; the compiling
    or contact office itself is never the reporting body (domain.md §10.24)."""
    if not name or not level or level == "department":
        return None
    if _LEADING_GROUP.search(name):  # 「平潭综合实验区政府信息公开工作领导小组办公室」: its place, never the group
        place = name[: _GROUP_TOPIC.search(name).start()]  # type: ignore[union-attr]  # 领导小组 always matches
        return place if len(place) > len(level) and place.endswith(level) and _starts_with_place(place) else None
    office = _OFFICE.search(name)
    place = name[: office.start()] if office else name
    if place.endswith(("人民政府", "政府")):
        place = place[: -4 if place.endswith("人民政府") else -2]
    return place if len(place) > len(level) and place.endswith(level) and _starts_with_place(place) else None


# ---------------------------------------------------------------------------------------------
# agency_key
# ---------------------------------------------------------------------------------------------

_KEY_PUNCT = re.compile(r"[\s|·•.,，。、:：;；!！?？\"'“”‘’《》〈〉<>\[\]【】\-—_]+")
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
_SHORT_GOVERNMENT = re.compile(r"(?<=[省州盟区县市旗镇乡])政府(?=$|办公室|办公厅|办)")  # not 「区政府信息公开…」
_SHORT_OFFICE = re.compile(r"人民政府办$")  # 「区政府办」 is the 区人民政府办公室
_PROVINCE = re.compile(rf"^(?:[{_CJK}]{{2,8}}?(?:省|自治区)|北京市|天津市|上海市|重庆市)")
_CITY = re.compile(rf"^[{_CJK}]{{2,6}}?(?:市|自治州|地区|盟)")
_LOCAL = re.compile(rf"^[{_CJK}]{{1,8}}?(?:自治县|新区|区|县|旗|市|镇|乡|街道)")
# Words that end like a place but are not one, and zones whose name needs its city to be unique.
_NOT_A_PLACE = re.compile(
    r"(?:城乡|城镇|社区|园区|景区|小区|城区|市区|辖区|地区|开发区|高新区|经开区|示范区|保税区)$|局|委|办|厅|院|会|政府|公司"
)


_ZONE = re.compile(r"(?:实验区|开发区|高新区|经开区|示范区|保税区|新区|园区)$")
_PLACE_END = re.compile(r"(?:自治县|自治州|区|县|旗|市|盟|镇|乡|街道)$")


def _local_place(rest: str) -> str | None:
    """The county-level (or lower) place name `rest` starts with, if any."""
    match = _LOCAL.match(rest)
    if not match or len(match.group()) < 2 or _NOT_A_PLACE.search(match.group()):
        return None
    return match.group()


# A body named by its level alone (「区教育局」, 「县财政局」, 「街道办事处」): many bodies share the name.
_LEVEL_FIRST = re.compile(r"^[省市区县镇乡州旗盟]")
_GENERIC_BODY = re.compile(r"^(?:街道办事处|街道|管理委员会|办公室|人民政府|政府)")


def is_generic(key: str) -> bool:
    """Whether a normalised name says which body it is only together with a place it leaves out."""
    if _GENERIC_BODY.match(key):
        return True
    return bool(_LEVEL_FIRST.match(key)) and _local_place(key) is None and not _CITY.match(key)


def agency_key(name: str | None, region: str | None = None) -> str | None:
    """A normalised identity of an agency, for grouping one body's versions and years.

    Spaces, punctuation and bracketed notes go; 「区政府」 is read as 「区人民政府」 (「省政府」 …),
    「区政府办」 as 「区人民政府办公室」, 「管委会」 as
    「管理委员会」, and a bare county-level place (「历下区」) as its 人民政府; a leading province or
    city is dropped when what follows names a county-level or lower body, so 「淮安市洪泽区人民政府」
    and 「洪泽区人民政府」 share a key while 「济南市历下区人民政府」 and 「济南市历下区人民政府办公室」
    (different bodies) do not. A place name several provinces use (`AMBIGUOUS_PLACES`: 上海市普陀区,
    浙江省舟山市普陀区) keeps its province when `region` (the province read from the document's
    context, `region_of`) is given: 「普陀区@浙江」. Without a region the key stays unqualified.
    A name without its place (「区教育局」, 「街道办事处」) has no key: it would join different bodies.
    """
    if not name:
        return None
    key = unicodedata.normalize("NFKC", name)
    key = _KEY_PUNCT.sub("", _BRACKETED.sub("", key))
    key = _SHORT_GOVERNMENT.sub("人民政府", key).replace("管委会", "管理委员会")
    key = _SHORT_OFFICE.sub("人民政府办公室", key)
    province = _PROVINCE.match(key)
    if province:
        rest = key[province.end() :]
        if _CITY.match(rest) or _local_place(rest):
            key = rest
    city = _CITY.match(key)
    if city and _local_place(key[city.end() :]):
        key = key[city.end() :]
    if is_generic(key):  # 「区教育局」 of which 区? grouping it would join different bodies
        return None
    place = _local_place(key)
    if place == key:  # a bare place names its government (a zone: its 管理委员会)
        key += "管理委员会" if _ZONE.search(key) else "人民政府"
    if place and region and place in AMBIGUOUS_PLACES:
        key = f"{key}@{region}"
    return key or None


# ---------------------------------------------------------------------------------------------
# Region: telling same-named places apart (上海市普陀区 / 浙江省舟山市普陀区)
# ---------------------------------------------------------------------------------------------

PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "内蒙古", "广西", "西藏", "宁夏", "新疆",
)  # fmt: skip
# County-level names used by more than one province: their key carries the province when it is known.
# (Names shared by two cities of one province are not told apart; the province is what context gives.)
AMBIGUOUS_PLACES = frozenset(
    {
        "普陀区", "鼓楼区", "朝阳区", "和平区", "河东区", "河西区", "西湖区", "城关区", "新城区", "江北区",
        "长安区", "新华区", "海州区", "清河区", "白云区", "南山区", "青山区", "通州区", "铁西区", "铁东区",
        "市中区", "宝山区", "城中区", "西安区", "龙华区", "向阳区", "新市区", "东城区", "西城区", "郊区",
        "桥东区", "桥西区", "永定区", "城区", "矿区", "江南区", "江东区", "城东区", "城西区", "城北区",
        "东区", "西区", "南区", "北区", "中山区", "新兴区", "青云谱区", "东河区", "西峰区", "东昌区",
    }
)  # fmt: skip
# Cities (and what is printed for them) whose province the name alone does not say.
CITY_PROVINCE = {
    "舟山": "浙江", "杭州": "浙江", "南京": "江苏", "徐州": "江苏", "淮安": "江苏", "南通": "江苏", "连云港": "江苏",
    "福州": "福建", "开封": "河南", "长春": "吉林", "沈阳": "辽宁", "大连": "辽宁", "济南": "山东", "淄博": "山东",
    "广州": "广东", "深圳": "广东", "贵阳": "贵州", "武汉": "湖北", "包头": "内蒙古", "南昌": "江西",
    "兰州": "甘肃", "拉萨": "西藏", "西安": "陕西", "石家庄": "河北", "鞍山": "辽宁", "海口": "海南",
    "西宁": "青海", "柳州": "广西", "乌鲁木齐": "新疆", "佳木斯": "黑龙江", "哈尔滨": "黑龙江",
}  # fmt: skip
_PROVINCE_MENTION = re.compile(
    "("
    + "|".join(sorted(PROVINCES, key=len, reverse=True))
    + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|政务)"
)
_CITY_MENTION = re.compile("(" + "|".join(sorted(CITY_PROVINCE, key=len, reverse=True)) + ")市")


def region_of(name: str | None, text: str = "") -> str | None:
    """The province an agency is in: from its own name first (「上海市普陀区…」, 「舟山市普陀区…」),
    else the province (or a city of `CITY_PROVINCE`) the document's text mentions most often."""
    for source in (name or "", text):
        counts: dict[str, int] = {}
        for match in _PROVINCE_MENTION.finditer(source):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        for match in _CITY_MENTION.finditer(source):
            province = CITY_PROVINCE[match.group(1)]
            counts[province] = counts.get(province, 0) + 1
        if counts:
            return max(counts, key=lambda p: (counts[p], -source.find(p)))
    return None


_TOWN = re.compile(r"(?:镇|乡|街道)$")
# Where a county's name starts in running text: after its province or city, or a function word.
_COUNTY_START = re.compile(r"[省州盟]|(?<!^)市(?!$)|地区|[由与在对的是为和及向从据经请见、]")


def _town(key: str) -> str | None:
    """The town (镇/乡/街道) a key starts with when no county-level place precedes it."""
    place = _local_place(key)
    return place if place and _TOWN.search(place) else None


def agency_key_in_context(name: str | None, text: str | Callable[[], str] = "") -> str | None:
    """`agency_key` with what the name leaves out read from the document's text — read only when
    needed, so that most documents never scan their text:
    - a place several provinces use (普陀区): the province (`region_of`);
    - a town without its county (「城关镇人民政府」: hundreds of towns share the name): the county the
      text names before it (「连江县城关镇」), else the province; with neither, no key."""
    key = agency_key(name)
    if key is None:
        return None
    town = _town(key)
    if town is not None:
        body = text() if callable(text) else text
        before = (m.group(1) for m in re.finditer(rf"([{_CJK}]{{1,12}}?(?:自治县|县|区|市|旗)){town}", body))
        counties = Counter(_COUNTY_START.split(b)[-1] for b in before)
        county = next((c for c, _ in counties.most_common() if _local_place(c) == c), None)
        if county is not None:
            return agency_key(county + key)
        region = region_of(name, body)
        return f"{key}@{region}" if region else None
    if agency_key(name, "?") == key:
        return key
    return agency_key(name, region_of(name, text() if callable(text) else text))
