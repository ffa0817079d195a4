"""What the engine itself says: routing, roles, conversations. Features keep their own."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.roles import Role

FALLBACK = "您好，我是同心助手。发送「/帮助」看看我能做什么。"
EMPTY_ANSWER = "请回复内容。"
CONFIRM_PROMPT = "回复「确认」提交，回复「取消」放弃。"
CONFIRM_HINT = "请回复「确认」或「取消」。"
CONFIRM_BUTTON = "确认"
CANCEL_BUTTON = "取消"
FLOW_GONE = "之前的操作已失效，请重新发起。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。"
INTERNAL_ERROR = "抱歉，处理这条消息时出了点问题，已记录，请稍后再试。"
EXAMPLES = "一句话就能办，例如："
NO_PUBLIC_URL = "后台地址尚未配置（TONGXIN_PUBLIC_URL），请联系管理员。"


def unknown_command(word: str, suggestion: str | None) -> str:
    if suggestion:
        return f"没有「/{word}」这个命令。您是想用「/{suggestion}」吗？发送「/帮助」查看全部命令。"
    return f"没有「/{word}」这个命令。发送「/帮助」查看可用命令。"


def needs_role(role: Role, command: str) -> str:
    return f"抱歉，「{command}」需要{role.zh}权限。如需开通，请联系管理员。"


def not_your_unit(command: str) -> str:
    return f"抱歉，您不是本群所属支部的书记，不能在这里使用「{command}」。"


def choose_hint(n: int) -> str:
    return f"请回复选项前的序号（1–{n}）。"


def too_many_items(n: int) -> str:
    return f"最多 {n} 项，多出的没有记下。发送「完成」结束。"


def too_few_items(n: int, have: int) -> str:
    return f"至少需要 {n} 项，现在有 {have} 项，请继续发送。"


def collected(n: int) -> str:
    return f"已记下 {n} 项，继续发送，或发送「完成」结束。"


def cancelled(title: str) -> str:
    return f"已取消「{title}」。" if title else "已取消。"


def replaced_flow(title: str) -> str:
    return f"之前未完成的「{title}」已放弃。"


def resumed(title: str) -> str:
    return f"您之前的「{title}」还没有完成，接着上次的问题："


def timed_out(title: str) -> str:
    return f"会话已超时，「{title}」已取消。需要时请重新发送命令。"


def download_link(label: str, url: str) -> str:
    return f"{label}已生成，点击下载（10 分钟内有效，仅限一次）：\n{url}"


def late_note(due: datetime) -> str:
    at = f"{due.month}月{due.day}日 {due.hour}:{due.minute:02d}"
    return f"（本提醒原定 {at} 发送，因系统暂停而延后。）"


def timer_gave_up(what: str, attempts: int) -> str:
    return (
        f"【系统提醒】定时任务「{what}」连续 {attempts} 次执行失败，已停止重试。"
        "请查看服务日志，或联系技术人员处理。"
    )


def job_failing(name: str, times: int) -> str:
    return (
        f"【系统提醒】后台任务「{name}」已连续 {times} 次执行失败，仍在重试。"
        "请查看服务日志，或联系技术人员处理。"
    )


WRITE_LOST = (
    "【系统提醒】一份匿名提交（投票或意见）多次写入失败，已放弃。"
    "提交人已收到回执，请查看服务日志，或联系技术人员处理。"
)


DEADLINE_NEEDS_TIME = "请写明具体时刻，例如「今天15:30」或「明天下午3点」。"


def deadline_too_soon(lead: timedelta) -> str:
    if lead <= timedelta(0):
        return "这个时间已经过去了，请写一个以后的时间，例如「明天17:00」。"
    minutes = int(lead.total_seconds() // 60)
    span = f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"
    return f"截止时间太近了，请留出至少 {span}，例如「明天17:00」。"


PLATFORM_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "local": "本地通道"}


def delivery_alert(summary: dict[str, dict[str, int]], link: str) -> str:
    """To admins, once: messages given up, and messages still being retried."""
    lines = ["【同心】消息发送出现问题："]
    for platform, states in sorted(summary.items()):
        parts = []
        if states.get("failed"):
            parts.append(f"{states['failed']} 条未能送达")
        if states.get("pending"):
            parts.append(f"{states['pending']} 条多次发送失败、仍在重试")
        lines.append(f"· {PLATFORM_NAMES.get(platform, platform)}：{'，'.join(parts)}")
    where = f"后台「发送失败」页（{link}）" if link else "后台「发送失败」页"
    lines.append(f"请到{where}查看原因，可逐条重发。之后再有问题，一小时内不再重复提醒。")
    return "\n".join(lines)
