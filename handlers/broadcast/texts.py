"""Everything the broadcast command says."""

from __future__ import annotations

from collections.abc import Sequence

TITLE = "群发广播"
HELP = "向各群群发通知（管理员）"
HELP_STATUS = "查看广播的送达情况"
HELP_LIST = "查看最近的广播记录"
USAGE = (
    "用法：/广播 通知内容\n"
    "只发给某些单位的群：/广播 单位 一支部,二支部 通知内容\n"
    "只发给某个平台的群：/广播 平台 钉钉 通知内容\n"
    "只发给指定的群：/广播 群 群名或群ID,… 通知内容\n"
    "发出前我会先给您看一遍，确认后才发送。"
)
STATUS_USAGE = "用法：/广播 状态 [编号]，不写编号就看最近一次。"
NO_BROADCASTS = "还没有发过广播。"
ALL_GROUPS = "全部群"


def empty_body(scope: str) -> str:
    return f"已选定范围（{scope}），但还没有写通知内容。\n{USAGE}"


def unknown_units(names: Sequence[str]) -> str:
    return f"没有找到单位：{'、'.join(names)}。请核对单位名称（与花名册一致）。"


def unknown_platform(name: str, known: Sequence[str]) -> str:
    have = "、".join(known) if known else "暂无"
    return f"没有「{name}」平台的群。现有群所在平台：{have}。"


def unknown_groups(ids: Sequence[str]) -> str:
    return f"我不在这些群里，或它们还没有@过我：{'、'.join(ids)}。"


def no_groups(scope: str) -> str:
    return f"范围（{scope}）内没有我能发送的群，广播未发出。"


def too_long(platform: str, size: int, limit: int) -> str:
    return (
        f"通知太长：{platform} 的群消息最多 {limit} 字节（约 {limit // 3} 个汉字），"
        f"这条约 {size} 字节。请精简，或分成几条发送。"
    )


def unit_scope(names: Sequence[str]) -> str:
    return "单位：" + "、".join(names)


def platform_scope(name: str) -> str:
    return f"平台：{name}"


def groups_scope(ids: Sequence[str]) -> str:
    return "指定群：" + "、".join(ids)


def preview(text: str, scope: str, count: int, off: int, off_platforms: Sequence[str]) -> str:
    lines = [f"将向 {count} 个群发送以下通知（范围：{scope}）：", "————", text, "————"]
    if off:
        lines.append(
            f"另有 {off} 个群所在的平台（{'、'.join(off_platforms)}）当前未开通，这次不发。"
        )
    return "\n".join(lines)


def started(broadcast_id: int, count: int) -> str:
    return (
        f"广播 #{broadcast_id} 已开始发送，共 {count} 个群。"
        f"各群按平台限速依次送达，发送「/广播 状态 {broadcast_id}」查看进度。"
    )


def unknown_broadcast(broadcast_id: int) -> str:
    return f"没有编号为 #{broadcast_id} 的广播。发送「/广播 记录」查看最近的广播。"


def status_head(
    broadcast_id: int, who: str, when: str, scope: str, count: int, excerpt: str
) -> str:
    head = f"广播 #{broadcast_id}：{who} 于 {when} 发出，范围：{scope}，共 {count} 个群。"
    return f"{head}\n「{excerpt}」"


def status_counts(sent: int, pending: int, retrying: int, failed: int) -> str:
    retry = f"（其中 {retrying} 个在重试）" if retrying else ""
    return f"已送达 {sent}，待发送 {pending}{retry}，失败 {failed}。"


def status_done() -> str:
    return "已全部送达。"


FAILED_HEADER = "发送失败的群："
PENDING_HEADER = "尚未送达的群："


def group_line(title: str, platform: str, chat_id: str, reason: str) -> str:
    name = f"{title}（{platform}:{chat_id}）" if title else f"{platform}:{chat_id}"
    return f"· {name}：{reason}" if reason else f"· {name}"


def retry_reason(attempts: int, reason: str) -> str:
    return f"已试 {attempts} 次，{reason}" if reason else f"已试 {attempts} 次"


def more(n: int) -> str:
    return f"……另有 {n} 个群"


def history_line(
    broadcast_id: int, when: str, who: str, scope: str, count: int, excerpt: str
) -> str:
    return f"#{broadcast_id} {when} {who} → {scope}（{count} 个群）：{excerpt}"


HISTORY_HEADER = "最近的广播："

# What `tongxin person export` shows a person of their own records.
SENT = "发出的广播"
SENDERS = "广播发送人"
K_NUMBER = "编号"
K_AT = "时间"
K_SCOPE = "范围"
K_GROUPS = "群数"
K_TEXT = "内容"
