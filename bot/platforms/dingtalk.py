"""DingTalk (钉钉) enterprise robot: HTTP callbacks or Stream mode in, four routes out.

Inbound (PROTOCOLS.md §3.1–3.2): `POST /dingtalk/callback`, checked in this
order before a byte of the body is parsed: the `timestamp` header within an
hour of now, the `sign` header (constant-time), the body size. Then the
message is recorded (dedup on msgId) and acknowledged at once; handling runs
on. In Stream mode (§3.4) the same messages arrive over the gateway socket
(`dingtalk_stream.py`) and take the same path.

Outbound, in this order of preference:
1. the message's own sessionWebhook while it is valid (no token, no quota);
2. a group bound to a custom robot (`tongxin group bind dingtalk:CID --webhook
   ACCESS_TOKEN --secret SEC…`): that robot's webhook, signed (加签);
3. `groupMessages/send` for groups, `oToMessages/batchSend` for people.
A file message (an export, `bot.attachments`) can take only the third: it is
uploaded (oapi media/upload) and sent as `sampleFile` with its media id.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web
from sqlalchemy import select

from bot.attachments import build_attachment
from bot.delivery import Delivery, Limit, NeedsAdmin, PermanentError
from bot.feature import Job
from bot.messages import Attachment, Incoming
from bot.numbers import LONGEST, whole
from bot.platforms import texts
from bot.platforms.alerts import Alerts
from bot.platforms.base import AdapterEnv
from bot.platforms.dingtalk_api import (
    BAD_CREDENTIALS,
    DingTalkApi,
    FileMessage,
    Message,
    epoch_ms,
    sign_matches,
)
from bot.platforms.dingtalk_cards import with_taps
from bot.platforms.dingtalk_payload import NAME, PayloadError, parse, to_incoming
from bot.platforms.dingtalk_quota import SAVE_EVERY, QuotaMeter
from bot.platforms.dingtalk_stream import StreamClient
from storage.models import ChatGroup, GroupCredential
from storage.people import group_credentials

log = logging.getLogger("tongxin.dingtalk")

MAX_BODY = 64 * 1024
MAX_SKEW_MS = 60 * 60 * 1000
ROBOT_KIND = "dingtalk_robot"
# A sessionWebhook this close to its expiry is not trusted with a message.
SESSION_MARGIN_MS = 30 * 1000
# Documented: a custom robot takes 20 messages a minute. The OpenAPI figures
# are unpublished; this keeps one chat or one person from being flooded.
ROBOT_PER_MINUTE = 20
CHAT_PER_MINUTE = 60


class DingTalkAdapter:
    name = NAME
    inline_replies = False

    def __init__(self, env: AdapterEnv) -> None:
        self.env = env
        s = env.runtime.settings
        self.secret = s.dingtalk_app_secret
        self.mode = s.dingtalk_mode
        self.session_prefix = f"{s.dingtalk_oapi_base}/robot/sendBySession?"
        self.alerts = Alerts(env.runtime, NAME)
        self.meter = QuotaMeter(env.runtime, self.alerts, s.dingtalk_monthly_quota)
        self.api = DingTalkApi(
            env.http,
            env.runtime.clock,
            app_key=s.dingtalk_app_key,
            app_secret=s.dingtalk_app_secret,
            robot_code=s.dingtalk_robot_code,
            api_base=s.dingtalk_api_base,
            oapi_base=s.dingtalk_oapi_base,
            alerts=self.alerts,
            meter=self.meter,
            tz=s.tz,
        )
        self.stream: StreamClient | None = None
        # Groups known to speak through a custom robot, so limits() (which
        # cannot read the database) can hold them to that robot's 20 a minute.
        self._robot_chats: set[str] = set()

    def routes(self) -> list[web.RouteDef]:
        if self.mode == "stream":
            return []
        return [web.post("/dingtalk/callback", self.callback)]

    async def start(self) -> None:
        async with self.env.runtime.db.reading() as session:
            rows = await session.scalars(
                select(ChatGroup.chat_id)
                .join(GroupCredential, GroupCredential.group_id == ChatGroup.id)
                .where(ChatGroup.platform == NAME, GroupCredential.kind == ROBOT_KIND)
            )
            self._robot_chats = set(rows)
        if self.mode == "stream":
            s = self.env.runtime.settings
            self.stream = StreamClient(
                self.env.http,
                api_base=s.dingtalk_api_base,
                client_id=s.dingtalk_app_key,
                client_secret=s.dingtalk_app_secret,
                on_message=self.receive,
                on_open=self._stream_opened,
            )
            self.stream.start()

    async def _stream_opened(self, refused: str) -> None:
        """The gateway's answer to an open: "" when it let us in, else its error code."""
        if not refused:
            self.alerts.cleared("dingtalk.credentials")
        elif refused == BAD_CREDENTIALS:
            await self.alerts.raised("dingtalk.credentials", texts.DINGTALK_BAD_CREDENTIALS)

    def problems(self) -> list[str]:
        return self.alerts.problems()

    def jobs(self) -> list[tuple[timedelta, Job]]:
        return [(SAVE_EVERY, self.meter.watch_dingtalk_quota)] if self.meter.on else []

    async def close(self) -> None:
        if self.stream is not None:
            await self.stream.stop()
            self.stream = None
        if self.meter.on:
            try:
                await self.meter.save()
            except Exception:
                log.exception("saving the count of DingTalk calls failed")

    # -- inbound -------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        timestamp = request.headers.get("timestamp", "")
        given = request.headers.get("sign", "")
        sent_ms = whole(timestamp, hi=LONGEST)
        if sent_ms is None or not given:
            return web.json_response({"error": "timestamp and sign headers required"}, status=403)
        now_ms = epoch_ms(self.env.runtime.clock.now())
        if abs(now_ms - sent_ms) > MAX_SKEW_MS:
            return web.json_response({"error": "stale timestamp"}, status=403)
        if not sign_matches(timestamp, self.secret, given):
            return web.json_response({"error": "bad signature"}, status=403)
        raw = await _read_capped(request, MAX_BODY)
        if raw is None:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            await self.receive(raw)
        except PayloadError as err:
            return web.json_response({"error": str(err)}, status=400)
        except Exception:
            # Not recorded, so not acknowledged: the platform may retry.
            log.exception("recording a DingTalk message failed")
            return web.json_response({"error": "try again"}, status=503)
        return web.Response(status=200)

    async def receive(self, raw: bytes | str) -> bool:
        """Parse, map and record one robot message; True when it was new."""
        incoming = self.incoming(raw)
        is_new, _ = await self.env.ingest.submit(incoming)
        return is_new

    def incoming(self, raw: bytes | str) -> Incoming:
        msg = parse(raw)
        rt = self.env.runtime
        return to_incoming(msg, rt.clock.now(), self.session_prefix, tuple(rt.settings.bot_names))

    # -- outbound ------------------------------------------------------------

    def limits(self, delivery: Delivery) -> list[Limit]:
        if self._session_url(delivery) and delivery.attachment is None:
            # A reply in the conversation: no token, no published quota. A
            # 130101 still backs the message off through its retry_after.
            return []
        # Per chat only: the outbox blocks every key of a message that was
        # told to wait, and one robot's 130101 or one person's flow control
        # must not hold up everyone else.
        if delivery.chat_type == "group":
            robot = delivery.chat_id in self._robot_chats
            per_minute = ROBOT_PER_MINUTE if robot else CHAT_PER_MINUTE
            return [Limit(f"dingtalk:group:{delivery.chat_id}", per_minute, 60.0)]
        return [Limit(f"dingtalk:user:{delivery.chat_id}", CHAT_PER_MINUTE, 60.0)]

    def _session_url(self, delivery: Delivery) -> str:
        """The message's sessionWebhook, while it is still good for a while."""
        handle = delivery.reply_handle
        url = str(handle.get("session_webhook") or "")
        expires_ms = int(handle.get("expires_ms") or 0)
        now_ms = epoch_ms(self.env.runtime.clock.now())
        return url if url and now_ms + SESSION_MARGIN_MS < expires_ms else ""

    async def deliver(self, delivery: Delivery) -> None:
        try:
            await self._deliver(delivery)
        except NeedsAdmin as err:
            await self.alerts.raised(err.problem, err.advice)
            raise

    async def _deliver(self, delivery: Delivery) -> None:
        if delivery.attachment is not None:
            await self._deliver_file(delivery, delivery.attachment)
            return
        msg = Message(delivery.text, delivery.markdown, tuple(delivery.mentions))
        if not msg.text.strip():
            raise PermanentError("empty message")
        if delivery.choices:
            msg = with_taps(msg, delivery.choices)
        url = self._session_url(delivery)
        if url:
            try:
                asker = str(delivery.reply_handle.get("sender") or "")
                await self.api.send_session(url, msg, asker)
                return
            except PermanentError as err:
                # The platform may end a session before its stated expiry.
                log.info("sessionWebhook refused (%s); sending through the API", err.reason)
        if delivery.chat_type == "group":
            await self._deliver_group(delivery.chat_id, msg)
        else:
            await self.api.send_direct(delivery.chat_id, msg)

    async def _deliver_file(self, d: Delivery, attachment: Attachment) -> None:
        """Built now (the asker's scope checked again), uploaded, sent by the OpenAPI:
        neither a sessionWebhook nor a custom robot can carry a file."""
        filename, content = await build_attachment(self.env.runtime, attachment)
        msg = FileMessage(await self.api.upload_file(filename, content), filename)
        if d.chat_type == "group":
            await self.api.send_group(d.chat_id, msg)
        else:
            await self.api.send_direct(d.chat_id, msg)

    async def _deliver_group(self, chat_id: str, msg: Message) -> None:
        async with self.env.runtime.db.reading() as session:
            creds = await group_credentials(session, NAME, chat_id)
        robot = creds.get(ROBOT_KIND)
        if robot is None:
            self._robot_chats.discard(chat_id)
            await self.api.send_group(chat_id, msg)
            return
        self._robot_chats.add(chat_id)
        access_token, secret = robot
        await self.api.send_robot(access_token, secret, msg)


async def _read_capped(request: web.Request, cap: int) -> bytes | None:
    if request.content_length is not None and request.content_length > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(16 * 1024):
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create(env: AdapterEnv) -> DingTalkAdapter | None:
    if not env.runtime.settings.dingtalk_enabled:
        return None
    return DingTalkAdapter(env)
