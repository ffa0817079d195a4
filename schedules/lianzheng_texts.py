"""Every word of the 廉政 calendar that a user reads: titles, messages, the listing.

A message is a header with the title, the text of each occasion it carries,
and — when it is sent before a holiday — the 节前 points of the 中央八项规定 for
`{holiday}`. Each occasion has its own default text, which an admin may
replace (the key of a text is the occasion's kind: "jiaoyuri", "jieqian" …).
Templates are formatted with str.format and the values given to `render`; the
default ones use only `{holiday}`, and read right whether the message goes out
on the day or on the workday before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

TITLES = {
    "jiaoyuri": "党风廉政教育日",
    "jiaoyuri_pre": "党风廉政教育日将至",
    "fanfubai": "国际反腐败日",
    "fanfubai_pre": "国际反腐败日将至",
    "qingming": "清明话“清”",
    "duanwu": "端午颂“洁”",
    "zhongqiu": "中秋思“正”",
    "chunjie": "新春贺“廉”",
    "jiaoshijie": "教师节廉洁从教提醒",
    "hanjia": "寒假前廉洁从教提醒",
    "shujia": "暑假前廉洁从教提醒",
    "gaokao": "高考廉洁提醒",
    "zhongkao": "中考及招生廉洁提醒",
    "qiyi": "“七一”评选表彰和党员教育提醒",
    "pingyi": "组织生活会和民主评议党员提醒",
    "dangfei": "党费交纳提醒",
    "jieqian": "{holiday}前廉政提醒",
}

THEMES = {
    "jiaoyuri": (
        "5月10日是党风廉政教育日。请各支部组织一次警示教育：学习身边的典型案例，"
        "以案为鉴、以案促改，对照检视自身，筑牢拒腐防变的思想防线。"
        "学习情况请记入支部工作台账。"
    ),
    "jiaoyuri_pre": (
        "5月10日党风廉政教育日即将到来。请各支部提前谋划，在教育日前后组织一次警示教育："
        "选好身边的典型案例，安排好时间、地点和主讲人，并做好学习记录。"
    ),
    "fanfubai": (
        "12月9日是国际反腐败日。请大家重温《中国共产党廉洁自律准则》和"
        "《中国共产党纪律处分条例》，严守纪律规矩，干干净净做事、清清白白做人。"
    ),
    "fanfubai_pre": (
        "12月9日国际反腐败日即将到来。请各支部提前安排一次廉政教育：重温廉洁自律准则，"
        "观看警示教育片，或请纪检委员讲一次廉政党课。"
    ),
    "qingming": (
        "清明时节，缅怀先烈、慎终追远。请大家文明祭扫、移风易俗，"
        "常思一个“清”字：清白做人，清正做事。"
    ),
    "duanwu": (
        "粽叶飘香，我们纪念“苏世独立，横而不流”的屈原，更要守住一个“洁”字：洁身自好，廉洁从教。"
    ),
    "zhongqiu": (
        "月圆人团圆。请大家守住一个“正”字：心有所畏、言有所戒、行有所止，过一个清廉、平安的佳节。"
    ),
    "chunjie": (
        "辞旧迎新之际，以“廉”相贺、以俭为福：拜年不送礼，贺岁不收钱，带头树立文明节俭的新风尚。"
    ),
    "jiaoshijie": (
        "教师节将至。请全体教师廉洁从教：不收受学生和家长的礼品礼金、购物卡和电子红包，"
        "不接受家长宴请，不组织或参与有偿补课，以良好师德回报社会的尊重。"
    ),
    "hanjia": (
        "寒假将至。请全体教师严守师德规范：严禁组织或参与有偿补课，严禁收受学生和家长的"
        "礼品礼金、购物卡和电子红包，严禁借假期之机向家长推销教辅资料、索要财物。"
    ),
    "shujia": (
        "暑假将至。请全体教师严守师德规范：严禁组织或参与有偿补课，严禁收受学生和家长的"
        "礼品礼金、购物卡和电子红包，严禁借假期之机向家长推销教辅资料、索要财物。"
    ),
    "gaokao": (
        "高考在即。参与考务的同志请严守考试纪律和保密规定，坚持公平公正；招生录取中严格执行政策，"
        "不打招呼、不递条子，不收受考生和家长的任何财物。"
    ),
    "zhongkao": (
        "中考在即。参与考务和招生工作的同志请严守考试纪律和招生政策，公开、公平、公正，"
        "不打招呼、不递条子，不收受考生和家长的任何财物；教辅资料坚持自愿选用，严禁收取回扣。"
    ),
    "qiyi": (
        "“七一”将至。各支部开展评选表彰要坚持标准、公开透明、民主推荐，不搞平衡照顾；"
        "请结合建党纪念日组织党员教育，重温入党誓词，守纪律、讲规矩。"
    ),
    "pingyi": (
        "年度组织生活会和民主评议党员即将开展。请各支部提前谋划：把遵守廉洁自律准则和"
        "中央八项规定精神作为对照检查的重要内容，认真开展批评和自我批评，实事求是地评议。"
    ),
    "dangfei": (
        "请各位党员按时足额交纳党费。党费由本人按规定标准交纳，支部按时收缴、登记并公开，"
        "不得由他人代交，不得以其他款项抵扣。"
    ),
}

JIEQIAN = (
    "{holiday}假期将至，请全体党员干部严格落实中央八项规定精神，廉洁过节：\n"
    "一、不收送礼金礼品、购物卡和电子红包，不收受学生和家长的任何馈赠；\n"
    "二、不用公款吃喝，不参加可能影响公正执行公务的宴请；\n"
    "三、不公车私用，不借节日之机公款旅游；\n"
    "四、不违规发放津贴补贴和福利，不借婚丧喜庆事宜敛财。\n"
    "节日期间注意安全，祝大家节日愉快！"
)

# 清明 is a day of remembrance: its 节前 points wish nobody a happy holiday.
JIEQIAN_QINGMING = (
    "{holiday}假期将至，请全体党员干部严格落实中央八项规定精神：\n"
    "一、不收送礼金礼品、购物卡和电子红包，不收受学生和家长的任何馈赠；\n"
    "二、不用公款吃喝，不参加可能影响公正执行公务的宴请；\n"
    "三、不公车私用，不借祭扫之机公款旅游；\n"
    "四、丧葬祭扫从简，不大操大办，不借机敛财。\n"
    "祭扫出行请注意交通和防火安全。"
)

# The admin-editable texts by key: the themes and both kinds of 节前 points.
DEFAULTS = {**THEMES, "jieqian": JIEQIAN, "jieqian_qm": JIEQIAN_QINGMING}

ESTIMATED_NOTE = "（放假安排尚未公布，本提醒的发送日期为估算，请以国务院办公厅通知为准。）"

# The marker `tongxin calendar YEAR` puts after an estimated entry.
ESTIMATED_MARK = "（估算：尚无当年放假安排）"

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_JIEQIAN_PREFIX = "jieqian:"


def kind(key: str) -> str:
    """The kind of an entry key: "jieqian:国庆节" → "jieqian", "dangfei:03" → "dangfei"."""
    found = key.partition(":")[0]
    if found not in TITLES:
        raise KeyError(f"unknown 廉政 reminder key: {key!r}")
    return found


def jieqian_key(holidays: Sequence[str]) -> str:
    """The text of the 节前 points for `holidays`: 清明 alone has its own."""
    return "jieqian_qm" if tuple(holidays) == ("清明节",) else "jieqian"


def title(key: str, also: Sequence[str] = ()) -> str:
    """The title of `key`, naming `also` when it carries their 节前 points too.

    "jieqian:国庆节" is "国庆节前廉政提醒"; "zhongqiu" with also=("国庆节",) is
    "中秋思“正”暨国庆节前廉政提醒".
    """
    text = TITLES[kind(key)].format(holiday=key.removeprefix(_JIEQIAN_PREFIX))
    if also:
        text += "暨" + TITLES["jieqian"].format(holiday="、".join(also))
    return text


def joined(titles: Sequence[str]) -> str:
    """Several occasions due the same day, in one title."""
    return "暨".join(titles)


def render(
    key: str,
    *,
    estimated: bool = False,
    templates: Mapping[str, str] | None = None,
    **values: str,
) -> str:
    """The message for `key` alone.

    `holiday` (names joined with "、") adds the 节前 points; a "jieqian:<name>" key
    has them for <name> unless told otherwise. `templates` replace the default
    texts by kind. `estimated` adds a note that the sending day is a guess.
    """
    found = kind(key)
    texts = {**DEFAULTS, **(templates or {})}
    holiday = values.get("holiday") or (
        key.removeprefix(_JIEQIAN_PREFIX) if found == "jieqian" else ""
    )
    values = {**values, "holiday": holiday}
    parts = [f"【{title(key)}】"]
    if found in THEMES:
        parts.append(texts[found].format_map(values))
    if holiday:
        parts.append(texts[jieqian_key(holiday.split("、"))].format_map(values))
    if estimated:
        parts.append(ESTIMATED_NOTE)
    return "\n".join(parts)


def day_label(day: date, year: int) -> str:
    """ "4月5日", with the year when it is not `year`."""
    prefix = "" if day.year == year else f"{day.year}年"
    return f"{prefix}{day.month}月{day.day}日"


def listing_line(
    day: date, title: str, estimated: bool, occasions: Sequence[tuple[str, date]]
) -> str:
    """One line of `tongxin calendar YEAR`: the day, the title, and beside it each
    occasion whose own date is not the sending day ("— 清明 4月5日")."""
    line = f"{day.isoformat()} {WEEKDAYS[day.weekday()]}  {title}"
    others = [f"{name} {day_label(on, day.year)}" for name, on in occasions if on != day]
    if others:
        line += " — " + "；".join(others)
    if estimated:
        line += ESTIMATED_MARK
    return line
