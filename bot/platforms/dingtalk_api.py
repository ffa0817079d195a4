"""DingTalk outbound calls: signatures, the access token, and the four ways to send.

Every call goes through the app's one aiohttp session against the configured
base URLs, and every failure is sorted into the outbox's two kinds: try again
later (`TransientError`, with the wait the platform asked for) or never
(`PermanentError`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.delivery import (
    NeedsAdmin,
    PermanentError,
    TransientError,
    maybe_sent,
    parse_retry_after,
)
from bot.platforms import texts
from bot.platforms.alerts import REFUSAL_MEMORY_SECONDS, RETRY_SECONDS, Alerts
from bot.platforms.dingtalk_quota import SPENT, QuotaMeter
from bot.platforms.pacer import Pacer

log = logging.getLogger("tongxin.dingtalk")

# The custom robot is blocked for ten minutes after 20 messages in a minute.
ROBOT_BLOCK_SECONDS = 600.0
SEND_TOO_FAST = 130101
# A flow-controlled person may be tried again after a minute (the platform
# gives no figure).
FLOW_CONTROL_SECONDS = 60.0
TOKEN_EARLY = timedelta(minutes=5)
# DingTalk's "调用频次与限流" page: the new API answers HTTP 403 with these
# codes ({"code", "message", "requestid"}), the old one (oapi) with errcodes.
# Per app and API: about 20 calls a second ("sleep 1 秒，然后继续"), or a
# per-minute figure; per API for all apps together (peaks on the hour).
THROTTLED = {
    "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": 1.0,
    "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi": 60.0,
    "Forbidden.AccessDenied.QpsLimitForApi": 5.0,
    "90018": 1.0,
}
# The organisation's monthly quota of calls is spent (standard edition):
# nothing proactive goes out until the month turns.
QUOTA_SPENT = frozenset({"Forbidden.AccessDenied.ApiCountLimitForOrg", "90020"})
IP_NOT_ALLOWED = "Forbidden.AccessDenied.IpNotInWhiteList"
BAD_CREDENTIALS = "invalidClientIdOrSecret"
# oapi's "系统繁忙": try again shortly.
BUSY = "-1"
# The client-side pace per API (the documented ~20 a second, less a margin).
CALLS_PER_SECOND = 18
APP_PROBLEMS = ("dingtalk.credentials", "dingtalk.ip", SPENT)


def sign(timestamp: str, secret: str) -> str:
    """base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)): callbacks and 加签 alike."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_matches(timestamp: str, secret: str, given: str) -> bool:
    return hmac.compare_digest(sign(timestamp, secret).encode(), given.encode())


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True)
class Message:
    """What to say, independent of the route it takes."""

    text: str
    markdown: bool = False
    mentions: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        first = self.text.strip().splitlines()[0] if self.text.strip() else "通知"
        return first.lstrip("#").strip()[:20] or "通知"

    def webhook_body(self, asker: str = "") -> dict[str, Any]:
        """The robot-webhook shape (sessionWebhook and custom robot).

        `asker`, the staff id of the person a session reply answers, is
        @-mentioned the way the official SDK's reply_text does it: in
        `at.atUserIds` only, the text left as it is.
        """
        body: dict[str, Any]
        text = self.text
        if self.mentions:
            # DingTalk highlights a mention only where "@staffId" is in the text.
            missing = [m for m in self.mentions if f"@{m}" not in text]
            if missing:
                text = f"{text}\n" + " ".join(f"@{m}" for m in missing)
        if self.markdown:
            body = {"msgtype": "markdown", "markdown": {"title": self.title, "text": text}}
        else:
            body = {"msgtype": "text", "text": {"content": text}}
        at = [*self.mentions, *([asker] if asker and asker not in self.mentions else [])]
        if at:
            body["at"] = {"atUserIds": at}
        return body

    def msg_key_param(self) -> tuple[str, str]:
        """The OpenAPI shape: msgKey and msgParam, the latter a JSON *string*."""
        if self.markdown:
            param = {"title": self.title, "text": self.text}
            return "sampleMarkdown", json.dumps(param, ensure_ascii=False)
        return "sampleText", json.dumps({"content": self.text}, ensure_ascii=False)


@dataclass(frozen=True)
class FileMessage:
    """A file already uploaded (media/upload), as the OpenAPI sends carry it."""

    media_id: str
    filename: str

    def msg_key_param(self) -> tuple[str, str]:
        kind = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else "file"
        param = {"mediaId": self.media_id, "fileName": self.filename, "fileType": kind}
        return "sampleFile", json.dumps(param, ensure_ascii=False)


# oapi errcodes for a token that is expired or not (any longer) valid.
OAPI_TOKEN_ERRORS = frozenset({"40001", "40014", "42001"})


class DingTalkApi:
    """Token cache and sends; one per adapter, so per app key."""

    def __init__(
        self,
        http: Callable[[], aiohttp.ClientSession],
        clock: Clock,
        *,
        app_key: str,
        app_secret: str,
        robot_code: str,
        api_base: str,
        oapi_base: str,
        alerts: Alerts,
        meter: QuotaMeter,
        tz: tzinfo,
    ) -> None:
        self.http = http
        self.clock = clock
        self.alerts = alerts
        self.meter = meter
        self.tz = tz
        self.pacer = Pacer(CALLS_PER_SECOND, 1.0)
        self._refused: tuple[datetime, NeedsAdmin] | None = None
        self.app_key = app_key
        self.app_secret = app_secret
        self.robot_code = robot_code or app_key
        self.api_base = api_base
        self.oapi_base = oapi_base
        self._token: str = ""
        self._token_until: datetime | None = None
        self._token_lock = asyncio.Lock()
        self.refreshes = 0  # tokens fetched (tongxin_token_refreshes)

    # -- access token -------------------------------------------------------

    async def token(self) -> str:
        """The cached token; under concurrency only one caller fetches a new one."""
        if self._token_valid():
            return self._token
        async with self._token_lock:
            if self._token_valid():
                return self._token
            refused = self._refused
            if refused is not None and self.clock.now() < refused[0]:
                raise refused[1]
            try:
                data = await self._post_json(
                    f"{self.api_base}/v1.0/oauth2/accessToken",
                    {"appKey": self.app_key, "appSecret": self.app_secret},
                    what="accessToken",
                )
            except NeedsAdmin as err:
                # Asked again only a minute later: a batch of messages
                # would otherwise ask once each.
                self._refused = (self.clock.now() + timedelta(seconds=REFUSAL_MEMORY_SECONDS), err)
                raise
            except (PermanentError, _BadToken) as err:
                raise TransientError(str(err)) from None
            self._refused = None
            self.alerts.cleared("dingtalk.credentials")
            token = data.get("accessToken")
            if not isinstance(token, str) or not token:
                raise TransientError(f"accessToken: no token in the answer ({_code(data)})")
            expire_in = int(data.get("expireIn") or 7200)
            self._token = token
            self._token_until = self.clock.now() + timedelta(seconds=expire_in) - TOKEN_EARLY
            self.refreshes += 1
            return token

    def _token_valid(self) -> bool:
        return bool(self._token) and (
            self._token_until is not None and self.clock.now() < self._token_until
        )

    def forget_token(self, token: str) -> None:
        if self._token == token:
            self._token = ""
            self._token_until = None

    # -- sends ---------------------------------------------------------------

    async def send_session(self, url: str, msg: Message, asker: str = "") -> None:
        """Reply through a message's sessionWebhook (no token needed)."""
        data = await self._post_json(url, msg.webhook_body(asker), what="sessionWebhook")
        self._check_errcode(data, "sessionWebhook")

    async def send_robot(self, access_token: str, secret: str, msg: Message) -> None:
        """A custom robot (自定义机器人) webhook, signed (加签) when it has a secret."""
        params = {"access_token": access_token}
        if secret:
            ts = str(epoch_ms(self.clock.now()))
            params.update(timestamp=ts, sign=sign(ts, secret))
        data = await self._post_json(
            f"{self.oapi_base}/robot/send", msg.webhook_body(), what="robot/send", params=params
        )
        self._check_errcode(data, "robot/send")

    async def upload_file(self, filename: str, content: bytes) -> str:
        """oapi media/upload (type file) with the app's token; the media_id."""
        for attempt in (1, 2):
            token = await self.token()
            # Raw UTF-8 in the header: a quoted (%XX) name would be shown as such.
            form = aiohttp.FormData(quote_fields=False)
            form.add_field(
                "media", content, filename=filename, content_type="application/octet-stream"
            )
            params = {"access_token": token, "type": "file"}
            await self.pacer.turn("media/upload")
            try:
                data = await self._post(
                    f"{self.oapi_base}/media/upload", what="media/upload", form=form, params=params
                )
                if str(data.get("errcode", 0)) in OAPI_TOKEN_ERRORS:
                    raise _BadToken(f"media/upload: {_code(data)}")
            except _BadToken:
                self.forget_token(token)
                if attempt == 2:
                    raise TransientError(
                        "media/upload: the new access token was refused too"
                    ) from None
                continue
            self._check_errcode(data, "media/upload")
            self.meter.count()
            self.alerts.cleared(*APP_PROBLEMS)
            media_id = data.get("media_id")
            if not isinstance(media_id, str) or not media_id:
                raise TransientError("media/upload: no media_id in the answer")
            return media_id
        raise AssertionError("unreachable")

    async def send_group(self, open_conversation_id: str, msg: Message | FileMessage) -> None:
        key, param = msg.msg_key_param()
        body = {
            "robotCode": self.robot_code,
            "openConversationId": open_conversation_id,
            "msgKey": key,
            "msgParam": param,
        }
        await self._openapi("/v1.0/robot/groupMessages/send", body)

    async def send_direct(self, staff_id: str, msg: Message | FileMessage) -> None:
        key, param = msg.msg_key_param()
        body = {
            "robotCode": self.robot_code,
            "userIds": [staff_id],
            "msgKey": key,
            "msgParam": param,
        }
        data = await self._openapi("/v1.0/robot/oToMessages/batchSend", body)
        # Accepted is not delivered: the answer lists whom it will not reach.
        # filteredStaffIdList is in the newer SDK models (alibabacloud-go
        # dingtalk robot_1_0), beside the two older lists.
        refused = {
            kind: list(data.get(kind) or [])
            for kind in ("invalidStaffIdList", "filteredStaffIdList", "flowControlledStaffIdList")
        }
        if any(refused.values()):
            log.warning("oToMessages/batchSend did not reach everyone: %s", refused)
        if staff_id in refused["invalidStaffIdList"]:
            raise PermanentError(f"oToMessages: {staff_id} is not a member of the organisation")
        if staff_id in refused["filteredStaffIdList"]:
            raise PermanentError(
                f"oToMessages: DingTalk filtered the message to {staff_id} out "
                "(filteredStaffIdList: outside the app's visible range, or not accepting "
                "robot messages)"
            )
        if staff_id in refused["flowControlledStaffIdList"]:
            raise TransientError("oToMessages: flow controlled", FLOW_CONTROL_SECONDS)

    async def _openapi(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An OpenAPI call; a token the platform no longer accepts is renewed once."""
        what = "/".join(path.rsplit("/", 2)[-2:])
        for attempt in (1, 2):
            token = await self.token()
            await self.pacer.turn(what)
            try:
                data = await self._post_json(
                    f"{self.api_base}{path}",
                    body,
                    what=what,
                    headers={"x-acs-dingtalk-access-token": token},
                )
                self.meter.count()
                self.alerts.cleared(*APP_PROBLEMS)
                return data
            except _BadToken:
                self.forget_token(token)
                if attempt == 2:
                    raise TransientError(f"{path}: the new access token was refused too") from None
        raise AssertionError("unreachable")

    async def _post_json(
        self,
        url: str,
        body: dict[str, Any],
        *,
        what: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        return await self._post(url, what=what, body=body, params=params, headers=headers)

    async def _post(
        self,
        url: str,
        *,
        what: str,
        body: dict[str, Any] | None = None,
        form: aiohttp.FormData | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            async with self.http().post(
                url, json=body, data=form, params=params, headers=headers
            ) as resp:
                status = resp.status
                raw = await resp.read()
                retry_after = resp.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError) as err:
            reason = f"{what}: {type(err).__name__} {err}"
            raise TransientError(reason, maybe_sent=maybe_sent(err)) from None
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if status == 200:
            return data
        reason = f"{what}: HTTP {status} {_code(data)}"
        code = str(data.get("code", ""))
        if status == 401 or code in ("InvalidAuthentication", "InvalidAccessToken"):
            raise _BadToken(reason)
        self._raise_for_code(code, reason)
        if status == 429 or "Throttling" in code or "Flowcontrol" in code:
            wait = parse_retry_after(retry_after, self.clock.now())
            raise TransientError(reason, wait or FLOW_CONTROL_SECONDS)
        if status >= 500:
            raise TransientError(reason)
        raise PermanentError(reason)

    def _raise_for_code(self, code: str, reason: str) -> None:
        """Throttling and set-up problems, by the code either API uses for them."""
        if code in THROTTLED:
            raise TransientError(f"{reason} (throttled)", THROTTLED[code])
        if code in QUOTA_SPENT:
            raise NeedsAdmin(reason, SPENT, texts.DINGTALK_QUOTA_SPENT, self._until_next_month())
        if code == IP_NOT_ALLOWED:
            raise NeedsAdmin(reason, "dingtalk.ip", texts.DINGTALK_IP_NOT_ALLOWED, RETRY_SECONDS)
        if code == BAD_CREDENTIALS:
            raise NeedsAdmin(
                reason, "dingtalk.credentials", texts.DINGTALK_BAD_CREDENTIALS, RETRY_SECONDS
            )

    def _until_next_month(self) -> float:
        """Seconds until the 1st of next month, local time: when a monthly quota renews."""
        now = self.clock.now().astimezone(self.tz)
        first = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=self.tz)
        return max((first - now).total_seconds(), RETRY_SECONDS)

    def _check_errcode(self, data: dict[str, Any], what: str) -> None:
        """The oapi and robot-webhook answers: HTTP 200 with an errcode."""
        errcode = data.get("errcode", 0)
        if errcode in (0, "0", None):
            return
        code = str(errcode)
        if code == str(SEND_TOO_FAST):
            raise TransientError(f"{what}: send too fast (130101)", ROBOT_BLOCK_SECONDS)
        if code == BUSY:
            raise TransientError(f"{what}: DingTalk busy ({_code(data)})")
        self._raise_for_code(code, f"{what}: {_code(data)}")
        raise PermanentError(f"{what}: {_code(data)}")


class _BadToken(Exception):
    pass


def _code(data: dict[str, Any]) -> str:
    if "errcode" in data:
        return f"errcode {data.get('errcode')} {data.get('errmsg', '')}".strip()
    if "code" in data:
        return f"{data.get('code')} {data.get('message', '')}".strip()
    return "no error code"
