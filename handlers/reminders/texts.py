"""Everything the scheduler and the holiday commands say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

HELP = "提醒与放假安排"
HELP_HOLIDAYS = "载入国务院放假安排"
HELP_LIST = "查看近期提醒"
HELP_STATUS = "提醒排期与免打扰设置"
CALENDAR_HELP = "廉政日历提醒"
HELP_ON = "本群开启廉政提醒"
HELP_OFF = "本群关闭廉政提醒"
HELP_SHOW = "查看今年的廉政日历"
HELP_TEMPLATE = "查看或修改廉政提醒文本"
HOLIDAYS_USAGE = (
    "用法：/提醒 放假安排 后接国务院办公厅通知的放假安排，每行一条，例如：\n"
    "2027-10-01~2027-10-07,休,国庆节\n"
    "2027-09-26,班,国庆节"
)
CLI_HOLIDAYS_USAGE = "tongxin: 用法：tongxin holidays load 文件（国务院放假安排的 CSV 或 JSON）"
CLI_CALENDAR_USAGE = "tongxin: 用法：tongxin calendar 年份（1901–2099 的 4 位数字，例如 2026）"


def cli_no_file(path: str) -> str:
    return f"找不到文件：{path}"


def holidays_loaded(count: int, years: Sequence[int]) -> str:
    shown = "、".join(str(y) for y in years)
    return f"已载入 {shown} 年放假安排 {count} 天。此后的提醒按新的安排重新排期。"


def holidays_partial(year: int, missing: Sequence[str]) -> str:
    return (
        f"{year} 年还缺：{'、'.join(missing)}。这些假期仍按估算安排"
        "（不会当作工作日），请补充载入通知中的相应条目。"
    )


def holidays_missing(year: int, missing: Sequence[str]) -> str:
    what = f"{year} 年的放假安排尚未载入"
    if len(missing) < 7:
        what = f"{year} 年的放假安排还缺：{'、'.join(missing)}"
    return (
        f"【放假安排提醒】{what}。在此之前，这些假期的节前廉政提醒"
        "和遇节假日调整的会议按估算日期安排。国务院办公厅通知发布后，请用"
        "「/提醒 放假安排」或 tongxin holidays load 载入。"
    )


def status(pending: int, sent: int, missed: int, quiet: str, grace: int) -> str:
    quiet_line = f"免打扰时段：{quiet}" if quiet else "免打扰时段：无"
    return (
        f"未来 60 天待发提醒 {pending} 条；已发 {sent} 条，错过 {missed} 条。\n"
        f"{quiet_line}（期间不推送，顺延到早上）。\n"
        f"系统暂停后 {grace} 分钟内到期的提醒仍会补发，超过则记为错过。"
    )


# What /提醒 列表 and the console's reminders page call each kind of row.
UPCOMING_BEFORE = "会前提醒"
UPCOMING_START = "会议开始（发起签到）"
UPCOMING_LIANZHENG = "廉政提醒"
UPCOMING_ESTIMATED = "（日期为估算）"
UPCOMING_THIS_GROUP = "本群"
UPCOMING_NONE = "未来 60 天没有安排提醒。"
UPCOMING_NO_GROUPS = "您还没有可以查看的群。请在群里 @我 发送「/提醒 列表」。"
UPCOMING_MORE = "……另有 {n} 条，完整日程请在网页后台查看（/后台）。"


def upcoming_header(name: str) -> str:
    return f"{name}近期提醒："


def upcoming_line(due: str, kind: str, title: str) -> str:
    return f"{due} {kind} · {title}"


# --- the 廉政 calendar ----------------------------------------------------------

# The names an admin uses for the templates, and the keys of lianzheng_texts.DEFAULTS.
TEMPLATE_NAMES = {
    "教育日": "jiaoyuri",
    "教育日预告": "jiaoyuri_pre",
    "反腐败日": "fanfubai",
    "反腐败日预告": "fanfubai_pre",
    "清明": "qingming",
    "端午": "duanwu",
    "中秋": "zhongqiu",
    "春节": "chunjie",
    "教师节": "jiaoshijie",
    "寒假": "hanjia",
    "暑假": "shujia",
    "高考": "gaokao",
    "中考": "zhongkao",
    "七一": "qiyi",
    "组织生活会": "pingyi",
    "党费": "dangfei",
    "节前": "jieqian",
    "清明节前": "jieqian_qm",
}


RESET_WORDS = ("默认", "恢复默认", "reset")


GROUP_ONLY = "请在要接收廉政提醒的群里发送这条命令。"


ON = (
    "本群已开启廉政日历：党风廉政教育日、国际反腐败日、四个传统节日、各法定节假日前，"
    "以及教师节、寒暑假前、高考中考、七一和组织生活会前，我会按时发送廉政提醒。"
)


ALREADY_ON = "本群已经开启了廉政日历。"


OFF = "本群已关闭廉政日历，不再发送廉政提醒。"


ALREADY_OFF = "本群没有开启廉政日历。"


BAD_TEMPLATE = "模板里只能用 {holiday}（节日名称）这一个占位符，花括号请成对使用。"


def show(year: int, subscribed: bool, lines: str) -> str:
    state = "本群已开启廉政日历。" if subscribed else "本群未开启，发送「/廉政日历 开启」即可开启。"
    return f"{year}年廉政日历：\n{lines}\n{state}"


def template_list(custom: Sequence[str]) -> str:
    names = "、".join(TEMPLATE_NAMES)
    changed = f"已修改：{'、'.join(custom)}。" if custom else "均为默认文本。"
    return (
        f"可修改的模板：{names}。{changed}\n"
        "查看：/廉政日历 模板 清明\n修改：/廉政日历 模板 清明 新的文本\n"
        "恢复：/廉政日历 模板 清明 默认\n"
        "（「节前」是节前廉政提醒的要求，「清明节前」是清明假期前的，不祝节日愉快。）"
    )


def unknown_template(name: str) -> str:
    return f"没有「{name}」这个模板。可选：{'、'.join(TEMPLATE_NAMES)}。"


def template_text(name: str, text: str, custom: bool) -> str:
    source = "（已修改）" if custom else "（默认）"
    return f"「{name}」模板{source}：\n{text}"


def template_saved(name: str) -> str:
    return f"已更新「{name}」模板，此后的廉政提醒使用新文本。"


def template_reset(name: str) -> str:
    return f"「{name}」模板已恢复默认文本。"


# --- the console --------------------------------------------------------------

TITLE = "提醒日程"


INTRO = "各群未来 60 天内将发出的会议提醒和廉政提醒。"


NO_GROUPS = "您还没有可以查看的群。"


NOTHING = "未来 60 天没有安排提醒。"


HEAD = ["提醒时间", "类型", "事项", "活动时间"]


GROUP = "群"


FILE = "提醒日程.xlsx"


DOWNLOAD = "下载 Excel"


def group_label(title: str, chat_id: str, unit: str) -> str:
    name = title or chat_id
    return f"{name}（{unit}）" if unit else name


# --- term dates ---------------------------------------------------------------

HELP_TERMS = "设置学期日期（寒暑假不催办，寒暑假前发廉政提醒）"
TERMS_USAGE = (
    "用法：/提醒 学期 后接各学期的起止日期，例如：\n"
    "/提醒 学期 2026-09-01至2027-01-22，2027-02-22至2027-07-09\n"
    "清除：/提醒 学期 清除"
)
TERMS_NO_UNIT = "请在支部群里发送，或先确认您只负责一个支部（/我是谁）。"
TERMS_ODD = "每个学期要写开始和结束两个日期（带年份），例如「2026-09-01至2027-01-22」。"
TERMS_OVERLAP = f"学期日期有误：有学期的结束早于开始，或两个学期重叠。{TERMS_ODD}"
CLEAR_WORDS = ("清除", "删除", "clear")


def _scope(unit: str) -> str:
    return unit or "全县"


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def terms_shown(
    unit: str,
    terms: Sequence[tuple[date, date]],
    vacations: Sequence[tuple[str, date, date]],
    own: bool,
) -> str:
    if not terms:
        return (
            f"{_scope(unit)}还没有设置学期日期：定期工作照常提醒，"
            f"寒暑假前的廉政提醒按往年时间估算。\n{TERMS_USAGE}"
        )
    source = "" if own or not unit else "（沿用全县的学期日期）"
    lines = [f"{_scope(unit)}的学期{source}："]
    lines += [f"· {_day(a)} 至 {_day(b)}" for a, b in terms]
    lines += [f"· {kind} {_day(a)} 至 {_day(b)}（不催办定期工作）" for kind, a, b in vacations]
    return "\n".join(lines)


def vacations_brief(vacations: Sequence[tuple[str, date, date]]) -> str:
    if not vacations:
        return "未设置学期日期，寒暑假前的提醒按往年时间估算（设置：/提醒 学期）"
    return "；".join(f"{kind} {_day(a)} 至 {_day(b)}" for kind, a, b in vacations)


def terms_saved(unit: str, count: int) -> str:
    return (
        f"已设置{_scope(unit)}的 {count} 个学期。寒暑假期间不催办定期工作，"
        "此后的提醒按新的日期重新排期。"
    )


def terms_cleared(unit: str) -> str:
    return f"已清除{_scope(unit)}的学期日期。"


# --- the 廉政 calendar's settings and own occasions ------------------------------------

HELP_SETTINGS = "廉政日历设置：高考、中考日期，党费提醒"
HELP_ADD = "添加自定的廉政提醒日（如 招生工作）"
HELP_REMOVE = "删除自定的廉政提醒日"
SETTINGS_USAGE = (
    "修改：/廉政日历 设置 中考 6月16日 · /廉政日历 设置 高考 6月7日 · "
    "/廉政日历 设置 党费 每月（或 每季度、关闭）· 不考中考：/廉政日历 设置 中考 关闭"
)
OFF_WORDS = ("关闭", "不设", "无", "off")
DUES_WORDS = {"每月": "monthly", "每季度": "quarterly", "关闭": "off", "不提醒": "off"}
DUES_LABELS = {"monthly": "每月第一个工作日", "quarterly": "每季度第一个工作日", "off": "不提醒"}
BAD_MONTH_DAY = "没看懂日期，请写「6月16日」这样的月和日。"
ADD_USAGE = (
    "用法：/廉政日历 添加 名称 日期 [提前N天] [提醒内容]，例如：\n"
    "/廉政日历 添加 招生工作 6月20日 提前3天 严守招生纪律，不收受家长财物。\n"
    "/廉政日历 添加 校庆 每年10月15日\n"
    "/廉政日历 添加 腊八 每年农历腊月初八\n"
    "写了年份或不写「每年」的，只提醒一次。"
)
NO_NAME = "请在日期前写上名称，例如「/廉政日历 添加 招生工作 6月20日」。"
NAME_TOO_LONG = "名称请不超过 32 个字。"
TEXT_TOO_LONG = "提醒内容请不超过 500 个字。"
AHEAD_TOO_FAR = "最多提前 30 天。"
REMOVE_USAGE = "请写编号，例如：/廉政日历 删除 3。编号见 /廉政日历 设置。"

_LUNAR_MONTHS = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
_LUNAR_TENS = ("初", "十", "廿", "三")
_CN = "一二三四五六七八九十"


def _lunar_day(day: int) -> str:
    if day == 10:
        return "初十"
    if day == 20:
        return "二十"
    if day == 30:
        return "三十"
    return _LUNAR_TENS[day // 10] + _CN[day % 10 - 1]


def occasion_when(month: int, day: int, lunar: bool, year: int | None) -> str:
    """ "每年6月20日", "2027年6月20日", "每年农历腊月初八", "农历2027年八月十五"."""
    if lunar:
        said = f"{_LUNAR_MONTHS[month - 1]}月{_lunar_day(day)}"
        return f"农历{year}年{said}" if year else f"每年农历{said}"
    return f"{year}年{month}月{day}日" if year else f"每年{month}月{day}日"


def no_such_day(said: str) -> str:
    return f"没有「{said}」这一天，请检查日期。"


def occasion_line(
    number: int, name: str, when: str, ahead: int, text: str, next_day: date | None
) -> str:
    before = f"，提前{ahead}天提醒" if ahead else ""
    upcoming = f"，下次 {_day(next_day)}" if next_day else "，已过"
    note = f"：{text}" if text else ""
    return f"{number}. {name}（{when}{before}{upcoming}）{note}"


def occasion_added(name: str, when: str, next_day: date | None) -> str:
    upcoming = f"下次是 {_day(next_day)}，" if next_day else ""
    return f"已添加「{name}」（{when}）。{upcoming}订阅廉政日历的群会按时收到提醒。"


def occasion_removed(name: str) -> str:
    return f"已删除「{name}」，不再提醒。"


def unknown_occasion(ref: str) -> str:
    return f"没有编号为 {ref} 的自定提醒日。{REMOVE_USAGE}"


def settings_shown(
    gaokao: tuple[int, int],
    zhongkao: tuple[int, int] | None,
    dues: str,
    terms: str,
    occasions: Sequence[str],
) -> str:
    lines = [
        "廉政日历设置：",
        f"高考：{gaokao[0]}月{gaokao[1]}日（前一天提醒）",
        f"中考：{f'{zhongkao[0]}月{zhongkao[1]}日（前一天提醒）' if zhongkao else '未设置'}",
        f"党费：{DUES_LABELS[dues]}",
        f"寒暑假：{terms}",
        "自定提醒日：" + ("" if occasions else "无"),
        *occasions,
        SETTINGS_USAGE,
        "添加自定提醒日：/廉政日历 添加（发送可看用法）",
    ]
    return "\n".join(lines)


def exam_saved(name: str, md: tuple[int, int] | None) -> str:
    if md is None:
        return f"已取消{name}提醒。"
    return f"已设置{name}日期为 {md[0]}月{md[1]}日，前一天发送廉政提醒。"


def dues_saved(dues: str) -> str:
    return f"党费提醒：{DUES_LABELS[dues]}。"


# --- the console's own occasions -------------------------------------------------------

PAGE_OCCASIONS = "自定廉政提醒日"
PAGE_OCCASIONS_HINT = (
    "订阅廉政日历的群会在这些日子收到提醒。日期可写「6月20日」（只提醒一次）、"
    "「每年10月15日」「每年农历腊月初八」或「2027年6月20日」。"
)
PAGE_OCCASION_HEAD = ["名称", "日期", "提前天数", "下次", "提醒内容", ""]
PAGE_NAME = "名称"
PAGE_WHEN = "日期"
PAGE_AHEAD = "提前几天"
PAGE_TEXT = "提醒内容（可不填）"
PAGE_ADD = "添加"
PAGE_REMOVE = "删除"
PAGE_PAST = "已过"
PAGE_ADDED = "已添加。"
PAGE_REMOVED = "已删除。"

# What `tongxin person export` shows a person of their own records.
SUBSCRIBED = "订阅廉政日历的群"
TEMPLATES = "修改过的廉政提醒"
SUBSCRIBERS = "廉政日历订阅人"
EDITORS = "廉政提醒修改人"
K_GROUP = "群"
K_AT = "时间"
K_TEMPLATE = "提醒"
K_TEXT = "内容"


# What `tongxin person export` shows of the term dates, the 廉政 calendar's
# settings and the own occasions a person set, and its erasure's summary.
PD_TERMS = "设置的学期"
PD_OPTIONS = "修改过的廉政日历设置"
PD_OCCASIONS = "添加的廉政提醒日"
PD_TERM_SETTERS = "学期日期设置人"
PD_OPTION_SETTERS = "廉政日历设置修改人"
PD_OCCASION_ADDERS = "廉政提醒日添加人"
PD_SCOPE = "范围"
PD_START = "开始"
PD_END = "结束"
PD_SETTING = "设置"
PD_VALUE = "内容"
PD_NAME = "名称"
PD_WHEN = "日期"
PD_AHEAD = "提前天数"
PD_TEXT = "提醒内容"
PD_AT = "时间"
PD_OPTION_NAMES = {"gaokao": "高考日期", "zhongkao": "中考日期", "dangfei": "党费提醒"}


def pd_scope(unit: str) -> str:
    return _scope(unit)


def pd_option(key: str, day: tuple[int, int] | None, value: str) -> str:
    """A setting as the person set it: a month and day, 未设置, or the 党费 choice."""
    if key == "dangfei":
        return DUES_LABELS.get(value, value)
    return f"{day[0]}月{day[1]}日" if day else "未设置"
