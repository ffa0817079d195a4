"""The platform-neutral message model: what adapters produce and consume."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ChatType = Literal["group", "direct"]

# NFKC already folds full-width ASCII (／：，（）０-９) to ASCII; these are the
# CJK punctuation marks it leaves alone but users type as separators.
_PUNCT = str.maketrans({"、": ",", "　": " ", "～": "~"})
_SPACES = re.compile(r"[^\S\n]+")


def fold(text: str) -> str:
    """Full-width forms as ASCII (NFKC), CJK separators as ASCII, no zero-width spaces.

    What matching needs of a text, character by character: bot.typed maps a
    folded fragment back to what was typed, for what features store.
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    return text.replace("\u2005", " ").replace("\u200b", "")


def normalize_text(text: str, bot_names: tuple[str, ...] = ()) -> str:
    """Fold full-width forms, drop the @-mentions a message starts with, collapse spaces.

    Line breaks stay: people send one option per line.

    Chinese quotes “” ‘’ and 「」 are kept: they carry meaning for the argument
    parser. In groups both platforms deliver only messages that mention the
    bot, so the mentions in front address the message (the bot, or the bot and
    a colleague: `@张三 @同心 /帮助`); mentions after the command are its
    arguments (`/授权 @张三 书记`) and stay. `bot_names` (TONGXIN_BOT_NAMES)
    lets a name with a space (`@同心 助手`) or a name glued to the command
    (`@同心签到`) be recognised; without them a mention ends at a space.
    """
    text = _drop_leading_mentions(fold(text), bot_names)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _drop_leading_mentions(text: str, bot_names: tuple[str, ...]) -> str:
    tags = sorted({"@" + fold(n).strip() for n in bot_names if n.strip()}, key=len, reverse=True)
    rest = text.lstrip()
    while rest.startswith("@"):
        tag = next((t for t in tags if rest.startswith(t)), None)
        if tag is None:
            # Someone else's mention (or ours, unnamed): it ends at a space.
            parts = rest.split(maxsplit=1)
            rest = parts[1] if len(parts) > 1 else ""
            continue
        after = rest[len(tag) :]
        if after and not after[0].isspace() and after[0] != "@":
            return after  # `@同心签到`: the command follows the name at once
        rest = after.lstrip()
    return rest


class Incoming(BaseModel):
    """One message from a person, as every handler sees it."""

    model_config = ConfigDict(frozen=True)

    platform: str
    chat_id: str
    chat_type: ChatType
    sender_id: str
    sender_name: str = ""
    text: str
    msg_id: str
    at: datetime
    chat_title: str = ""
    # The text as typed, before `normalize_text`: what a feature relays word
    # for word (a broadcast) keeps its full-width ，：、. Empty when the
    # adapter did not keep it.
    raw_text: str = ""
    mentions: list[str] = Field(default_factory=list)
    # Platform-specific ways to answer this very message (response_url,
    # sessionWebhook and its expiry); opaque to handlers.
    reply_handle: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.chat_type == "group"

    @property
    def direct_chat_id(self) -> str:
        return self.sender_id


class Attachment(BaseModel):
    """A file to send, by reference: a registered export (`Feature.export(kind)`).

    The outbox row keeps only this reference; the adapter builds the file at
    delivery, with the asker's scope checked again (`bot.attachments`).
    """

    model_config = ConfigDict(frozen=True)

    export: str
    params: dict[str, str] = Field(default_factory=dict)
    person_id: int


class Choice(BaseModel):
    """A tap-to-answer button: what it shows, and the message a tap sends back as the
    person's own (the router needs nothing new: a tap is an Incoming with `reply`)."""

    model_config = ConfigDict(frozen=True)

    label: str
    reply: str


class Outgoing(BaseModel):
    """One message to deliver, before it becomes an outbox row."""

    platform: str
    chat_type: ChatType
    chat_id: str
    text: str
    markdown: bool = False
    mentions: list[str] = Field(default_factory=list)
    reply_handle: dict[str, Any] = Field(default_factory=dict)
    # Same key, same message: a retried handler or a resumed broadcast
    # cannot enqueue it twice.
    key: str | None = None
    # Body and recipient are sealed in the outbox while it waits, and wiped
    # once delivered or given up (bot.sensitive): anonymous ballots' echoes,
    # relays to an anonymous author, sign-in and download links.
    sensitive: bool = False
    # A group-commit batch name, e.g. a broadcast's id, to report progress by.
    batch: str = ""
    # A file message instead of (or, where a platform cannot, beside) the text.
    attachment: Attachment | None = None
    # Until when the message still matters: through an outage it is retried
    # until then, and never sent later (a meeting reminder: its meeting's
    # start). None: a day after it was written, or, while the platform refuses
    # every message until an admin acts (a spent quota), until it is fixed.
    expires_at: datetime | None = None
    # A push made in the quiet hours waits in the outbox until then (bot.quiet).
    not_before: datetime | None = None
    # Buttons where the platform has them; the text alone must still say how to answer.
    choices: list[Choice] = Field(default_factory=list)

    @classmethod
    def group(
        cls,
        platform: str,
        chat_id: str,
        text: str,
        *,
        key: str | None = None,
        mentions: Sequence[str] = (),
        markdown: bool = False,
        batch: str = "",
        reply_handle: dict[str, Any] | None = None,
    ) -> Outgoing:
        """A message to a group chat."""
        return cls(
            platform=platform,
            chat_type="group",
            chat_id=chat_id,
            text=text,
            key=key,
            mentions=list(mentions),
            markdown=markdown,
            batch=batch,
            reply_handle=reply_handle or {},
        )

    @classmethod
    def direct(
        cls,
        platform: str,
        user_id: str,
        text: str,
        *,
        key: str | None = None,
        sensitive: bool = False,
        markdown: bool = False,
        batch: str = "",
        reply_handle: dict[str, Any] | None = None,
        attachment: Attachment | None = None,
    ) -> Outgoing:
        """A message to one person's direct chat."""
        return cls(
            platform=platform,
            chat_type="direct",
            chat_id=user_id,
            text=text,
            key=key,
            sensitive=sensitive,
            markdown=markdown,
            batch=batch,
            reply_handle=reply_handle or {},
            attachment=attachment,
        )

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text}
        if self.markdown:
            body["markdown"] = True
        if self.mentions:
            body["mentions"] = self.mentions
        if self.reply_handle:
            body["reply_handle"] = self.reply_handle
        if self.sensitive:
            body["sensitive"] = True
        if self.attachment is not None:
            body["attachment"] = self.attachment.model_dump()
        if self.choices:
            body["choices"] = [[c.label, c.reply] for c in self.choices]
        return body
