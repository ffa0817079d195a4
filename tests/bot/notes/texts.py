"""Every sentence of the notes feature."""

from __future__ import annotations

HELP = "个人便签"
HELP_ADD = "记一条便签"
EMPTY = "请在「/便签 记」后面写上内容。"
KEPT = "记下了。发送「/便签」查看。"
NONE = "您还没有便签。"


def listing(texts: list[str]) -> str:
    return "您的便签：\n" + "\n".join(f"{i}. {text}" for i, text in enumerate(texts, 1))


# What `tongxin person export` shows a person of their own records.
NOTES = "便签"
K_TEXT = "内容"
K_AT = "时间"
