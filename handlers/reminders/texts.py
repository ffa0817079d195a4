"""Everything the scheduler and the holiday commands say."""

from __future__ import annotations

from collections.abc import Sequence

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
CLI_HOLIDAYS_USAGE = "usage: tongxin holidays load FILE (CSV or JSON of the State Council notice)"
CLI_CALENDAR_USAGE = "usage: tongxin calendar YEAR (1901–2099)"


def holidays_loaded(count: int, years: Sequence[int]) -> str:
    shown = "、".join(str(y) for y in years)
    return f"已载入 {shown} 年放假安排 {count} 天。此后的提醒按新的安排重新排期。"


def holidays_missing(year: int) -> str:
    return (
        f"【放假安排提醒】{year} 年的放假安排尚未载入。在此之前，{year} 年的节前廉政提醒"
        "和遇节假日顺延的会议按估算日期安排。国务院办公厅通知发布后，请用"
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

# The names an admin uses for the templates, and the keys of lianzheng_texts.
TEMPLATE_NAMES = {
    "教育日": "jiaoyuri",
    "反腐败日": "fanfubai",
    "清明": "qingming",
    "端午": "duanwu",
    "中秋": "zhongqiu",
    "春节": "chunjie",
    "节前": "jieqian",
}


RESET_WORDS = ("默认", "恢复默认", "reset")


GROUP_ONLY = "请在要接收廉政提醒的群里发送这条命令。"


ON = (
    "本群已开启廉政日历：党风廉政教育日、国际反腐败日、四个传统节日"
    "和各法定节假日前，我会按时发送廉政提醒。"
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
        "恢复：/廉政日历 模板 清明 默认"
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
