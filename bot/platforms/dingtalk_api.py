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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.delivery import PermanentError, TransientError, maybe_sent, parse_retry_after

# The custom robot is blocked for ten minutes after 20 messages in a minute.
ROBOT_BLOCK_SECONDS = 600.0
SEND_TOO_FAST = 130101
# A flow-controlled person may be tried again after a minute (the platform
# gives no figure).
FLOW_CONTROL_SECONDS = 60.0
TOKEN_EARLY = timedelta(minutes=5)


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

    def webhook_body(self) -> dict[str, Any]:
        """The robot-webhook shape (sessionWebhook and custom robot)."""
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
        if self.mentions:
            body["at"] = {"atUserIds": list(self.mentions)}
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
    ) -> None:
        self.http = http
        self.clock = clock
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
            try:
                data = await self._post_json(
                    f"{self.api_base}/v1.0/oauth2/accessToken",
                    {"appKey": self.app_key, "appSecret": self.app_secret},
                    what="accessToken",
                )
            except (PermanentError, _BadToken) as err:
                # A wrong secret is fixed in the settings, not in the
                # message: keep the messages for the retries meanwhile.
                raise TransientError(str(err)) from None
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

    async def send_session(self, url: str, msg: Message) -> None:
        """Reply through a message's sessionWebhook (no token needed)."""
        data = await self._post_json(url, msg.webhook_body(), what="sessionWebhook")
        _check_errcode(data, "sessionWebhook")

    async def send_robot(self, access_token: str, secret: str, msg: Message) -> None:
        """A custom robot (自定义机器人) webhook, signed (加签) when it has a secret."""
        params = {"access_token": access_token}
        if secret:
            ts = str(epoch_ms(self.clock.now()))
            params.update(timestamp=ts, sign=sign(ts, secret))
        data = await self._post_json(
            f"{self.oapi_base}/robot/send", msg.webhook_body(), what="robot/send", params=params
        )
        _check_errcode(data, "robot/send")

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
            _check_errcode(data, "media/upload")
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
        if staff_id in (data.get("invalidStaffIdList") or []):
            raise PermanentError(f"oToMessages: {staff_id} is not a member of the organisation")
        if staff_id in (data.get("flowControlledStaffIdList") or []):
            raise TransientError("oToMessages: flow controlled", FLOW_CONTROL_SECONDS)

    async def _openapi(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An OpenAPI call; a token the platform no longer accepts is renewed once."""
        for attempt in (1, 2):
            token = await self.token()
            try:
                return await self._post_json(
                    f"{self.api_base}{path}",
                    body,
                    what=path.rsplit("/", 2)[-2],
                    headers={"x-acs-dingtalk-access-token": token},
                )
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
        if status == 429 or "Throttling" in code or "Flowcontrol" in code:
            wait = parse_retry_after(retry_after, self.clock.now())
            raise TransientError(reason, wait or FLOW_CONTROL_SECONDS)
        if status >= 500:
            raise TransientError(reason)
        raise PermanentError(reason)


class _BadToken(Exception):
    pass


def _code(data: dict[str, Any]) -> str:
    if "errcode" in data:
        return f"errcode {data.get('errcode')} {data.get('errmsg', '')}".strip()
    if "code" in data:
        return f"{data.get('code')} {data.get('message', '')}".strip()
    return "no error code"


def _check_errcode(data: dict[str, Any], what: str) -> None:
    errcode = data.get("errcode", 0)
    if errcode in (0, "0", None):
        return
    if str(errcode) == str(SEND_TOO_FAST):
        raise TransientError(f"{what}: send too fast (130101)", ROBOT_BLOCK_SECONDS)
    raise PermanentError(f"{what}: {_code(data)}")
