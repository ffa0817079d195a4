"""WeCom's server API over the app's aiohttp session: the access token and the calls.

Every failure becomes the outbox's TransientError or PermanentError. Reasons
never carry a credential (a webhook key, a token, a response_url).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.delivery import NeedsAdmin, PermanentError, TransientError, maybe_sent
from bot.platforms import texts
from bot.platforms.alerts import REFUSAL_MEMORY_SECONDS, RETRY_SECONDS, Alerts

# The token is refetched this long before WeCom says it expires.
TOKEN_MARGIN = timedelta(minutes=5)
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# 45009: API frequency limit; 45033: too many concurrent calls; 130101: a robot
# sends too fast. Blocks last a minute (minute limits), so back off that long.
THROTTLE_ERRORS = frozenset({45009, 45033, 130101})
THROTTLE_SECONDS = 60.0
BUSY_ERRORS = frozenset({-1})
# The server's address is not among the app's 企业可信IP; WeCom's errmsg says
# which address it saw ("… from ip: 1.2.3.4, more info at …").
IP_NOT_TRUSTED = 60020
_FROM_IP = re.compile(r"from ip: ?([0-9A-Fa-f.:]+)")
# gettoken: a secret or a corp id WeCom does not know.
BAD_SECRET = 40001
BAD_CORP_ID = 40013


class ApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


async def post_json(
    http: aiohttp.ClientSession, url: str, payload: dict[str, Any], what: str
) -> dict[str, Any]:
    """POST and read a WeCom JSON answer; network trouble and 5xx are transient."""
    return await _request(http, "POST", url, what, payload)


async def post_file(
    http: aiohttp.ClientSession, url: str, filename: str, content: bytes, what: str
) -> dict[str, Any]:
    """Upload one file as multipart field `media` (media/upload, webhook/upload_media)."""
    # Raw UTF-8 in the header: a quoted (%XX) name would be shown as such.
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("media", content, filename=filename, content_type="application/octet-stream")
    return await _request(http, "POST", url, what, form=form)


def media_id(data: dict[str, Any], what: str) -> str:
    found = data.get("media_id")
    if not isinstance(found, str) or not found:
        raise TransientError(f"{what}: no media_id in the answer")
    return found


async def _request(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    what: str,
    payload: dict[str, Any] | None = None,
    form: aiohttp.FormData | None = None,
) -> dict[str, Any]:
    try:
        async with http.request(method, url, json=payload, data=form) as resp:
            if resp.status >= 500 or resp.status == 429:
                raise TransientError(f"{what}: HTTP {resp.status}")
            if resp.status >= 400:
                raise PermanentError(f"{what}: HTTP {resp.status}")
            body = await resp.read()
    except (aiohttp.ClientError, TimeoutError) as err:
        raise TransientError(f"{what}: {type(err).__name__}", maybe_sent=maybe_sent(err)) from None
    try:
        data = json.loads(body)
    except ValueError:
        raise TransientError(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise TransientError(f"{what}: the answer is not a JSON object")
    return data


def check(data: dict[str, Any], what: str) -> None:
    """Raise for a non-zero errcode: ApiError for token trouble, else the outbox's errors."""
    code = data.get("errcode", 0)
    if not isinstance(code, int) or code == 0:
        return
    msg = str(data.get("errmsg", ""))[:200]
    if code == IP_NOT_TRUSTED:
        found = _FROM_IP.search(msg)
        raise NeedsAdmin(
            f"{what}: errcode {code}, this server's address is not a trusted IP of the app",
            "wecom.ip",
            texts.wecom_ip_not_trusted(found.group(1) if found else ""),
            RETRY_SECONDS,
        )
    if code in TOKEN_ERRORS:
        raise ApiError(code, msg)
    if code in THROTTLE_ERRORS:
        raise TransientError(f"{what}: throttled (errcode {code})", retry_after=THROTTLE_SECONDS)
    if code in BUSY_ERRORS:
        raise TransientError(f"{what}: WeCom busy (errcode {code})")
    raise PermanentError(f"{what}: errcode {code} {_hint_free(msg)}")


def _hint_free(msg: str) -> str:
    # WeCom appends "hint: [...], from ip: ..., more info at ..." to errmsg.
    return msg.split(",")[0]


class AccessToken:
    """One app's token: cached, refreshed by one caller at a time, dropped when refused."""

    def __init__(
        self,
        base: str,
        corp_id: str,
        secret: str,
        clock: Clock,
        http: Callable[[], aiohttp.ClientSession],
        alerts: Alerts,
    ) -> None:
        self.base = base
        self.alerts = alerts
        self.corp_id = corp_id
        self.secret = secret
        self.clock = clock
        self.http = http
        self._token = ""
        self._expires: datetime | None = None
        self._lock = asyncio.Lock()
        self._refused: tuple[datetime, NeedsAdmin] | None = None
        self.refreshes = 0  # tokens fetched (tongxin_token_refreshes)

    def _valid(self) -> bool:
        return bool(self._token) and self._expires is not None and self.clock.now() < self._expires

    async def get(self) -> str:
        if self._valid():
            return self._token
        # Single flight: the first caller fetches, the others find it cached
        # (or find the refusal it got, for a minute).
        async with self._lock:
            if not self._valid():
                refused = self._refused
                if refused is not None and self.clock.now() < refused[0]:
                    raise refused[1]
                try:
                    await self._fetch()
                except NeedsAdmin as err:
                    until = self.clock.now() + timedelta(seconds=REFUSAL_MEMORY_SECONDS)
                    self._refused = (until, err)
                    raise
                self._refused = None
                self.alerts.cleared("wecom.secret", "wecom.corp_id")
            return self._token

    def drop(self, token: str) -> None:
        """WeCom refused `token`; forget it unless someone already replaced it."""
        if self._token == token:
            self._token = ""
            self._expires = None

    async def _fetch(self) -> None:
        url = f"{self.base}/cgi-bin/gettoken"
        params = {"corpid": self.corp_id, "corpsecret": self.secret}
        try:
            async with self.http().get(url, params=params) as resp:
                if resp.status >= 500:
                    raise TransientError(f"gettoken: HTTP {resp.status}")
                if resp.status >= 400:
                    raise PermanentError(f"gettoken: HTTP {resp.status}")
                body = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise TransientError(f"gettoken: {type(err).__name__}") from None
        try:
            data = json.loads(body)
        except ValueError:
            raise TransientError("gettoken: the answer is not JSON") from None
        code = data.get("errcode")
        if code == BAD_SECRET:
            raise NeedsAdmin(
                "gettoken: errcode 40001, the secret is wrong",
                "wecom.secret",
                texts.wecom_bad_secret(code),
                RETRY_SECONDS,
            )
        if code == BAD_CORP_ID:
            raise NeedsAdmin(
                "gettoken: errcode 40013, the corp id is wrong",
                "wecom.corp_id",
                texts.wecom_bad_corp_id(code),
                RETRY_SECONDS,
            )
        try:
            check(data, "gettoken")
        except ApiError as err:
            raise TransientError(f"gettoken: errcode {err.errcode}") from None
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise TransientError("gettoken: no access_token in the answer")
        expires_in = data.get("expires_in", 7200)
        lifetime = timedelta(seconds=expires_in if isinstance(expires_in, int) else 7200)
        self._token = token
        self._expires = self.clock.now() + max(lifetime - TOKEN_MARGIN, timedelta(seconds=30))
        self.refreshes += 1

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST to a token-authenticated API; on a refused token, refresh and retry once."""
        return await self._with_token(
            path, lambda url, what: post_json(self.http(), url, payload, what)
        )

    async def upload(self, filename: str, content: bytes) -> str:
        """media/upload of a file (kept 3 days by WeCom); its media_id."""
        path = "/cgi-bin/media/upload"
        data = await self._with_token(
            path,
            lambda url, what: post_file(self.http(), f"{url}&type=file", filename, content, what),
        )
        return media_id(data, "media/upload")

    async def _with_token(
        self, path: str, post: Callable[[str, str], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        what = path.removeprefix("/cgi-bin/")
        for attempt in (1, 2):
            token = await self.get()
            data = await post(f"{self.base}{path}?access_token={token}", what)
            try:
                check(data, what)
            except ApiError as err:
                self.drop(token)
                if attempt == 2:
                    raise TransientError(
                        f"{what}: token refused twice (errcode {err.errcode})"
                    ) from None
                continue
            self.alerts.cleared("wecom.ip")
            return data
        raise AssertionError("unreachable")
