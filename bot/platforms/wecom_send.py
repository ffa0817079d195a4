"""What a WeCom delivery sends: text split into pieces, and each API's message body."""

from __future__ import annotations

from typing import Any

# text and markdown bodies of WeCom's send APIs stop at 2,048 bytes.
PIECE_BYTES = 2048
# An AI bot's reply (response_url markdown, like its stream content) takes up
# to 20,480 bytes of UTF-8: "最长不超过20480个字节" (developer.work.weixin.qq.com
# path/101031 and path/101138).
RESPONSE_URL_BYTES = 20480
# message/send drops a request whose JSON equals one it took within
# duplicate_check_interval seconds (developer.work.weixin.qq.com/document/
# path/90236, 重复消息检查; default 1800, at most 4 hours), so a send retried
# after a timeout is not shown twice. appchat/send gets the same fields; no
# document says it honours them. Each outbox row has its own interval in
# [DUPLICATE_CHECK_SECONDS, 2 × that): its retries repeat its JSON exactly,
# while two rows with the same words (a question asked twice, the same
# answer) almost never do, so the second is not dropped as a repeat.
DUPLICATE_CHECK_SECONDS = 600


def split_text(text: str, limit: int = PIECE_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut at line ends where a line fits."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _fit(line, limit):
            joined = f"{current}\n{part}" if current else part
            if current and len(joined.encode()) > limit:
                pieces.append(current)
                current = part
            else:
                current = joined
    if current or not pieces:
        pieces.append(current)
    return pieces


def cut_head(text: str, limit: int) -> tuple[str, str]:
    """(head, rest): the longest run of whole lines within `limit` bytes, and what follows.

    A first line longer than `limit` is cut between characters.
    """
    head = split_text(text, limit)[0]
    return head, text[len(head) :].lstrip("\n")


def _fit(line: str, limit: int) -> list[str]:
    """A line longer than `limit` bytes, cut between characters."""
    if len(line.encode()) <= limit:
        return [line]
    parts: list[str] = []
    current = ""
    size = 0
    for ch in line:
        n = len(ch.encode())
        if size + n > limit:
            parts.append(current)
            current, size = "", 0
        current += ch
        size += n
    parts.append(current)
    return parts


def webhook_body(text: str, markdown: bool, mentions: list[str]) -> dict[str, Any]:
    if markdown:
        mention = "".join(f"<@{m}>" for m in mentions)
        return {"msgtype": "markdown", "markdown": {"content": f"{mention}{text}"}}
    content: dict[str, Any] = {"content": text}
    if mentions:
        content["mentioned_list"] = mentions
    return {"msgtype": "text", "text": content}


def check_interval(row: int) -> int:
    return DUPLICATE_CHECK_SECONDS + row % DUPLICATE_CHECK_SECONDS


def app_body(text: str, markdown: bool, row: int) -> dict[str, Any]:
    """message/send and appchat/send: outbox row `row`'s text, repeats of it dropped."""
    kind = "markdown" if markdown else "text"
    return {
        "msgtype": kind,
        kind: {"content": text},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": check_interval(row),
    }


def response_url_body(text: str) -> dict[str, Any]:
    # A response_url accepts markdown or a template card, not plain text.
    return {"msgtype": "markdown", "markdown": {"content": text}}


def file_body(media_id: str) -> dict[str, Any]:
    """A file message, the same shape for message/send, appchat/send and webhook/send."""
    return {"msgtype": "file", "file": {"media_id": media_id}}
