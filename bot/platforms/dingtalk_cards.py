"""Tap to answer on DingTalk: the buttons as dtmd links in a markdown message.

A markdown (or ActionCard) message may hold links of the form
`dtmd://dingtalkclient/sendMessage?content=<percent-encoded text>`: a tap sends
that text into the conversation as the person's own message, which reaches
the robot as an ordinary callback. So a tap needs no callback of its own and
the router nothing new. The same markdown goes through the sessionWebhook and
the OpenAPI (sampleMarkdown). Sources and what is unconfirmed: docs/dingtalk.md.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.platforms.dingtalk_api import Message

SEND = "dtmd://dingtalkclient/sendMessage?content="


def link(label: str, reply: str) -> str:
    safe_label = label.replace("[", "【").replace("]", "】")
    return f"[{safe_label}]({SEND}{quote(reply, safe='')})"


def with_taps(msg: Message, choices: list[tuple[str, str]]) -> Message:
    """The message as markdown, its buttons as links under the text."""
    text = msg.text if msg.markdown else msg.text.replace("\n", "  \n")
    links = " ｜ ".join(link(label, reply) for label, reply in choices)
    return Message(f"{text}\n\n{links}", True, msg.mentions)
