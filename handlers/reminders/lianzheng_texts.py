"""Everything /廉政日历 says (the reminders' own words are in schedules.lianzheng_texts)."""

from __future__ import annotations

from collections.abc import Sequence

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
