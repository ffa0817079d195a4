"""WeCom (企业微信): the self-built app's XML callback, the AI bot's JSON callback, delivery.

Inbound, both receivers run the same chain (wecom_crypto): size cap, signature
in constant time, decryption, and only then parsing (wecom_inbound). A message
is recorded by the ingest (its dedup key committed) before the 200 goes back;
handling happens later, so WeCom's 1 s / 5 s deadlines are met.

Outbound, a reply goes over the AI bot's response_url while it is valid (one
call, within the hour), otherwise:
- to a person: the app's message/send with touser;
- to a group: the group's 群机器人 webhook key (`wecom_webhook`), or appchat/send
  for a group the app created (`wecom_appchat`), as bound by `tongxin group bind`.
A file message (an export, `bot.attachments`) is uploaded first on the same
route (media/upload, or the robot's webhook/upload_media), then sent by media_id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.attachments import build_attachment
from bot.delivery import Delivery, Limit, NeedsAdmin, PermanentError
from bot.feature import Job
from bot.messages import Attachment, Incoming
from bot.platforms import texts
from bot.platforms import wecom_cards as cards
from bot.platforms.alerts import Alerts
from bot.platforms.base import AdapterEnv
from bot.platforms.wecom_api import (
    AccessToken,
    ApiError,
    check,
    media_id,
    post_file,
    post_json,
)
from bot.platforms.wecom_crypto import (
    MAX_BODY,
    Receiver,
    Rejected,
    Signed,
    check_fresh,
    read_envelope,
)
from bot.platforms.wecom_inbound import NAME, parse_app_message, parse_bot_message
from bot.platforms.wecom_send import (
    RESPONSE_URL_BYTES,
    app_body,
    check_interval,
    cut_head,
    file_body,
    response_url_body,
    split_text,
    webhook_body,
)
from storage.people import group_credentials

log = logging.getLogger("tongxin.wecom")

WEBHOOK_KIND = "wecom_webhook"
APPCHAT_KIND = "wecom_appchat"
# 群机器人: 20 messages a minute per robot; app messages: 30 a minute per member.
GROUP_LIMIT = (20, 60.0)
MEMBER_LIMIT = (30, 60.0)

Parse = Callable[[str, datetime, tuple[str, ...]], Incoming | None]


@dataclass
class _Plan:
    pieces: list[str]
    # The first piece goes over the AI bot's response_url.
    via_url: bool = False
    done: int = 0
    # The buttons of a message with choices are still to go (its text went first).
    card: bool = False


class WeComAdapter:
    name = NAME
    inline_replies = False

    def __init__(self, env: AdapterEnv, app: Receiver | None, bot: Receiver | None) -> None:
        self.env = env
        self.app = app
        self.bot = bot
        s = env.runtime.settings
        self.base = s.wecom_api_base
        self.agent_id = s.wecom_agent_id
        self.bot_names = tuple(s.bot_names)
        self.alerts = Alerts(env.runtime, NAME)
        self.token = (
            AccessToken(
                s.wecom_api_base,
                s.wecom_corp_id,
                s.wecom_secret,
                env.runtime.clock,
                env.http,
                self.alerts,
            )
            if s.wecom_corp_id and s.wecom_secret
            else None
        )
        # How each message in delivery is cut and routed, and how far it got,
        # so a retry resumes after the pieces already sent. Per process, by
        # outbox row.
        self._plans: dict[int, _Plan] = {}

    def routes(self) -> list[web.RouteDef]:
        routes = []
        if self.app is not None:
            routes += [
                web.get("/wecom/callback", self.app_verify),
                web.post("/wecom/callback", self.app_message),
            ]
        if self.bot is not None:
            routes += [
                web.get("/wecom/bot", self.bot_verify),
                web.post("/wecom/bot", self.bot_message),
            ]
        return routes

    async def start(self) -> None:
        on = [
            n for n, r in (("app /wecom/callback", self.app), ("AI bot /wecom/bot", self.bot)) if r
        ]
        log.info("wecom receivers on: %s", ", ".join(on))
        if self.token is None:
            log.info("wecom: no corp id and secret, so no message/send or appchat/send")

    async def close(self) -> None:
        return None

    # -- inbound -------------------------------------------------------------

    async def app_verify(self, request: web.Request) -> web.Response:
        assert self.app is not None
        return self._verify(request, self.app)

    async def bot_verify(self, request: web.Request) -> web.Response:
        assert self.bot is not None
        return self._verify(request, self.bot)

    def _verify(self, request: web.Request, receiver: Receiver) -> web.Response:
        try:
            signed = Signed.from_query(request.query)
            check_fresh(signed, self.env.runtime.clock.now())
            plain = receiver.echo(signed, request.query.get("echostr", ""))
        except Rejected as err:
            log.info("wecom %s verification refused (%d): %s", request.path, err.status, err.reason)
            return web.Response(status=err.status)
        return web.Response(text=plain, content_type="text/plain")

    async def app_message(self, request: web.Request) -> web.Response:
        assert self.app is not None
        return await self._receive(request, self.app, parse_app_message, json_body=False)

    async def bot_message(self, request: web.Request) -> web.Response:
        assert self.bot is not None
        return await self._receive(request, self.bot, parse_bot_message, json_body=True)

    async def _receive(
        self, request: web.Request, receiver: Receiver, parse: Parse, *, json_body: bool
    ) -> web.Response:
        try:
            if (request.content_length or 0) > MAX_BODY:
                raise Rejected(413, "body too large")
            raw = await request.read()
            signed = Signed.from_query(request.query)
            check_fresh(signed, self.env.runtime.clock.now())
            plain = receiver.decrypt(signed, read_envelope(raw, json_body=json_body))
            incoming = parse(plain, self.env.runtime.clock.now(), self.bot_names)
        except Rejected as err:
            log.info("wecom %s refused (%d): %s", request.path, err.status, err.reason)
            return web.Response(status=err.status)
        if incoming is not None:
            try:
                await self.env.ingest.submit(incoming)
            except Exception:
                # Not recorded, so not acknowledged: WeCom will try again.
                log.exception("wecom: recording %s failed", incoming.msg_id)
                return web.Response(status=503)
        # Acknowledged with an empty body: the answer goes out later by API.
        return web.Response(status=200)

    # -- delivery ------------------------------------------------------------

    def limits(self, delivery: Delivery) -> list[Limit]:
        if self._reply_in_one_call(delivery):
            return []
        if delivery.chat_type == "direct":
            return [Limit(f"wecom:member:{delivery.chat_id}", *MEMBER_LIMIT)]
        return [Limit(f"wecom:group:{delivery.chat_id}", *GROUP_LIMIT)]

    def jobs(self) -> list[tuple[timedelta, Job]]:
        return []

    def problems(self) -> list[str]:
        return self.alerts.problems()

    def dedup_seconds(self, delivery: Delivery) -> float:
        """message/send drops a repeat of a text (a file's media_id is new each time)."""
        # A card carries no duplicate check (its task_id is what repeats).
        if delivery.chat_type != "direct" or delivery.attachment is not None or delivery.choices:
            return 0.0
        plan = self._plans.get(delivery.id)
        via_url = plan.via_url if plan is not None else self._url_usable(delivery)
        return 0.0 if via_url else float(check_interval(delivery.id))

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
        plan = self._plans.get(delivery.id)
        try:
            if delivery.choices and (plan is None or plan.card):
                if await self._deliver_card(delivery):
                    self._plans.pop(delivery.id, None)
                    return
                plan = self._plans.get(delivery.id)
        except PermanentError:
            self._plans.pop(delivery.id, None)
            raise
        if plan is None:
            plan = self._plans[delivery.id] = await self._plan(delivery)
        creds: dict[str, tuple[str, str]] | None = None
        try:
            while plan.done < len(plan.pieces):
                i, piece = plan.done, plan.pieces[plan.done]
                if i == 0 and plan.via_url:
                    if not await self._via_response_url(delivery, piece):
                        # Refused (used, expired): all of it by the other route.
                        plan = self._plans[delivery.id] = _Plan(split_text(delivery.text))
                        continue
                elif delivery.chat_type == "direct":
                    body = app_body(piece, delivery.markdown, delivery.id)
                    await self._to_member(delivery.chat_id, body)
                else:
                    if creds is None:
                        async with self.env.runtime.db.reading() as session:
                            creds = await group_credentials(session, NAME, delivery.chat_id)
                    mentions = delivery.mentions if i == 0 else []
                    await self._to_group(delivery, creds, piece, mentions)
                plan.done += 1
        except PermanentError:
            self._plans.pop(delivery.id, None)
            raise
        # Kept only while a retry may resume it (TransientError), so the
        # pieces already sent are not sent again.
        self._plans.pop(delivery.id, None)

    async def _plan(self, d: Delivery) -> _Plan:
        """The pieces of a message and their route, decided at its first attempt.

        A reply goes over the AI bot's response_url, which takes one call: a
        longer reply is cut at a line end there, with a note saying where
        the rest is. It follows by the chat's other route when there is one
        (the app for a person, a bound 群机器人 or app group for a group).
        """
        if not self._url_usable(d):
            return _Plan(split_text(d.text))
        if len(d.text.encode()) <= RESPONSE_URL_BYTES:
            return _Plan([d.text], via_url=True)
        follows = await self._can_follow_up(d)
        note = texts.REST_FOLLOWS if follows else texts.REST_IN_CONSOLE
        head, rest = cut_head(d.text, RESPONSE_URL_BYTES - len(f"\n\n{note}".encode()))
        return _Plan([f"{head}\n\n{note}", *(split_text(rest) if follows else [])], via_url=True)

    async def _can_follow_up(self, d: Delivery) -> bool:
        if d.chat_type == "direct":
            return self.token is not None and self.agent_id is not None
        async with self.env.runtime.db.reading() as session:
            creds = await group_credentials(session, NAME, d.chat_id)
        return WEBHOOK_KIND in creds or APPCHAT_KIND in creds

    async def _deliver_card(self, d: Delivery) -> bool:
        """Buttons where a tap can call back (wecom_cards); False: send the plain text.

        A person gets a card through the app; a group only through the AI bot's
        response_url (a robot webhook's cards cannot call back). A text too long
        for a card goes to a person first as text, then the buttons.
        """
        choices = d.choices
        if not cards.usable(choices):
            return False
        body = cards.card(d.text, choices, cards.task_id(d.key))
        if d.chat_type == "direct" and self.token is not None and self.agent_id is not None:
            if not cards.fits(d.text) and d.id not in self._plans:
                await self._to_member(d.chat_id, app_body(d.text, d.markdown, d.id))
                # Sent: a retry of the buttons must not repeat the text.
                self._plans[d.id] = _Plan([d.text], done=1, card=True)
            await self._to_member(d.chat_id, body)
            return True
        if cards.fits(d.text) and self._url_usable(d):
            url = str(d.reply_handle["response_url"])
            try:
                check(await post_json(self.env.http(), url, body, "response_url"), "response_url")
            except (PermanentError, ApiError) as err:
                log.info("wecom: card over the response_url of %s refused (%s)", d.key, err)
                # The text goes by the chat's other route, not this URL again.
                self._plans[d.id] = _Plan(split_text(d.text))
                return False
            return True
        return False

    def _url_usable(self, d: Delivery) -> bool:
        handle = d.reply_handle
        expires = handle.get("expires")
        return (
            bool(handle.get("response_url"))
            and isinstance(expires, int | float)
            and self.env.runtime.clock.now().timestamp() < expires
        )

    def _reply_in_one_call(self, d: Delivery) -> bool:
        # A response_url carries markdown or a card, never a file.
        if d.attachment is not None:
            return False
        plan = self._plans.get(d.id)
        if plan is not None:
            return plan.via_url and plan.done == 0 and len(plan.pieces) == 1
        return self._url_usable(d) and len(d.text.encode()) <= RESPONSE_URL_BYTES

    async def _via_response_url(self, d: Delivery, text: str) -> bool:
        """True when sent; False when WeCom refused the URL (used, expired): fall back."""
        url = str(d.reply_handle["response_url"])
        try:
            check(
                await post_json(self.env.http(), url, response_url_body(text), "response_url"),
                "response_url",
            )
        except (PermanentError, ApiError) as err:
            log.info("wecom: response_url of outbox %s refused (%s); falling back", d.key, err)
            return False
        return True

    async def _to_member(self, user_id: str, body: dict[str, Any]) -> None:
        token = self._app_token("a direct message")
        payload = {"touser": user_id, "agentid": self.agent_id, **body}
        data = await token.call("/cgi-bin/message/send", payload)
        if user_id in str(data.get("invaliduser", "")).split("|"):
            raise PermanentError("message/send: the person is not visible to the app")

    def _app_token(self, what: str) -> AccessToken:
        if self.token is None or self.agent_id is None:
            raise PermanentError(
                f"{what} needs the WeCom app: TONGXIN_WECOM_CORP_ID, _AGENT_ID, _SECRET"
            )
        return self.token

    async def _to_group(
        self, d: Delivery, creds: dict[str, tuple[str, str]], text: str, mentions: list[str]
    ) -> None:
        if WEBHOOK_KIND in creds:
            body = webhook_body(text, d.markdown, mentions)
            await self._webhook_send(creds[WEBHOOK_KIND][0], body)
            return
        if APPCHAT_KIND in creds:
            await self._appchat_send(creds[APPCHAT_KIND][0], app_body(text, d.markdown, d.id))
            return
        raise _no_group_route(d)

    async def _webhook_send(self, key: str, body: dict[str, Any]) -> None:
        url = f"{self.base}/cgi-bin/webhook/send?key={key}"
        data = await post_json(self.env.http(), url, body, "webhook/send")
        _check_webhook(data, "webhook/send")

    async def _appchat_send(self, chat_id: str, body: dict[str, Any]) -> None:
        if self.token is None:
            raise PermanentError("appchat/send needs the WeCom app: corp id and secret")
        await self.token.call("/cgi-bin/appchat/send", {"chatid": chat_id, **body})

    async def _deliver_file(self, d: Delivery, attachment: Attachment) -> None:
        """A file message: the export built now (scope checked again), uploaded, sent.

        A person gets it through the app (media/upload, message/send); a group
        through its 群机器人 (webhook/upload_media, webhook/send) or, for a group
        the app created, the app (media/upload, appchat/send).
        """
        rt = self.env.runtime
        if d.chat_type == "direct":
            token = self._app_token("a file message")
            filename, content = await build_attachment(rt, attachment)
            await self._to_member(d.chat_id, file_body(await token.upload(filename, content)))
            return
        async with rt.db.reading() as session:
            creds = await group_credentials(session, NAME, d.chat_id)
        if WEBHOOK_KIND in creds:
            key = creds[WEBHOOK_KIND][0]
            filename, content = await build_attachment(rt, attachment)
            url = f"{self.base}/cgi-bin/webhook/upload_media?key={key}&type=file"
            what = "webhook/upload_media"
            data = await post_file(self.env.http(), url, filename, content, what)
            _check_webhook(data, what)
            await self._webhook_send(key, file_body(media_id(data, what)))
            return
        if APPCHAT_KIND in creds:
            token = self._app_token("a file message to an app group")
            filename, content = await build_attachment(rt, attachment)
            media = await token.upload(filename, content)
            await self._appchat_send(creds[APPCHAT_KIND][0], file_body(media))
            return
        raise _no_group_route(d)


def _check_webhook(data: dict[str, Any], what: str) -> None:
    # A robot's key is its only credential: a refused key is no token to renew.
    try:
        check(data, what)
    except ApiError as err:
        raise PermanentError(f"{what}: errcode {err.errcode}") from None


def _no_group_route(d: Delivery) -> PermanentError:
    return PermanentError(
        f"no way to speak first in group {d.chat_id}: bind its 群机器人 webhook "
        f"(tongxin group bind wecom:{d.chat_id} --webhook KEY)"
    )


def _receivers(env: AdapterEnv) -> tuple[Receiver | None, Receiver | None]:
    s = env.runtime.settings
    app = Receiver(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id) if s.wecom_app_enabled else None
    bot = Receiver(s.wecom_bot_token, s.wecom_bot_aes_key, "") if s.wecom_bot_enabled else None
    return app, bot


def create(env: AdapterEnv) -> WeComAdapter | None:
    app, bot = _receivers(env)
    if app is None and bot is None:
        return None
    return WeComAdapter(env, app, bot)
