"""Every word of the 廉政 calendar that a user reads: titles, messages, the listing.

A message is a header with the title, the theme of its key, and — when it is
sent before a holiday — the 节前 points of the 中央八项规定 for `{holiday}`.
Templates are formatted with str.format and the values given to `render`; the
default ones use only `{holiday}`.
"""

from __future__ import annotations

from collections.abc import Sequence

TITLES = {
    "jiaoyuri": "党风廉政教育日",
    "fanfubai": "国际反腐败日",
    "qingming": "清明话“清”",
    "duanwu": "端午颂“洁”",
    "zhongqiu": "中秋思“正”",
    "chunjie": "新春贺“廉”",
    "jieqian": "{holiday}前廉政提醒",
}

THEMES = {
    "jiaoyuri": (
        "今天是5月10日党风廉政教育日。请各支部组织一次警示教育：学习身边的典型案例，"
        "以案为鉴、以案促改，对照检视自身，筑牢拒腐防变的思想防线。"
        "学习情况请记入支部工作台账。"
    ),
    "fanfubai": (
        "今天是12月9日国际反腐败日。请大家重温《中国共产党廉洁自律准则》和"
        "《中国共产党纪律处分条例》，严守纪律规矩，干干净净做事、清清白白做人。"
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
}

JIEQIAN = (
    "{holiday}假期将至，请全体党员干部严格落实中央八项规定精神，廉洁过节：\n"
    "一、不收送礼金礼品、购物卡和电子红包，不收受学生和家长的任何馈赠；\n"
    "二、不用公款吃喝，不参加可能影响公正执行公务的宴请；\n"
    "三、不公车私用，不借节日之机公款旅游；\n"
    "四、不违规发放津贴补贴和福利，不借婚丧喜庆事宜敛财。\n"
    "节日期间注意安全，祝大家节日愉快！"
)

ESTIMATED_NOTE = "（放假安排尚未公布，本提醒的发送日期为估算，请以国务院办公厅通知为准。）"

# The marker `tongxin calendar YEAR` puts after an estimated entry.
ESTIMATED_MARK = "（估算：尚无当年放假安排）"

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_JIEQIAN_PREFIX = "jieqian:"


def _kind(key: str) -> str:
    kind = "jieqian" if key.startswith(_JIEQIAN_PREFIX) else key
    if kind not in TITLES:
        raise KeyError(f"unknown 廉政 reminder key: {key!r}")
    return kind


def title(key: str, also: Sequence[str] = ()) -> str:
    """The title of `key`, naming `also` when it carries their 节前 points too.

    "jieqian:国庆节" is "国庆节前廉政提醒"; "zhongqiu" with also=("国庆节",) is
    "中秋思“正”暨国庆节前廉政提醒".
    """
    kind = _kind(key)
    text = TITLES[kind].format(holiday=key.removeprefix(_JIEQIAN_PREFIX))
    if also:
        text += "暨" + TITLES["jieqian"].format(holiday="、".join(also))
    return text


def render(key: str, *, estimated: bool = False, **values: str) -> str:
    """The message for `key`.

    `holiday` (names joined with "、") adds the 节前 points; a "jieqian:<name>" key
    has them for <name> unless told otherwise. `estimated` adds a note that the
    sending day is a guess.
    """
    kind = _kind(key)
    holiday = values.get("holiday") or (
        key.removeprefix(_JIEQIAN_PREFIX) if kind == "jieqian" else ""
    )
    values = {**values, "holiday": holiday}
    parts = [f"【{title(key)}】"]
    if kind in THEMES:
        parts.append(THEMES[kind].format_map(values))
    if holiday:
        parts.append(JIEQIAN.format_map(values))
    if estimated:
        parts.append(ESTIMATED_NOTE)
    return "\n".join(parts)
