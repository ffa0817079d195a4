"""A fake DingTalk API (api.dingtalk.com and oapi.dingtalk.com on one loopback server).

Besides the sends it takes file uploads (oapi media/upload) and the
`sampleFile` messages that carry them. It records every request and can be
told to misbehave: refuse tokens, answer
with an injected status or errcode, flow-control people, expire sessions,
or keep the organisation to a monthly quota of metered calls.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.platforms.dingtalk_api import sign

TOKEN = "/v1.0/oauth2/accessToken"
GROUP_SEND = "/v1.0/robot/groupMessages/send"
OTO_SEND = "/v1.0/robot/oToMessages/batchSend"
SESSION = "/robot/sendBySession"
ROBOT = "/robot/send"
UPLOAD = "/media/upload"
MSG_KEYS = {"sampleText", "sampleMarkdown", "sampleFile"}
REFUSALS = {
    "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": "当前应用调用该接口超过QPS限制",
    "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi": "当前应用调用该接口超过QPM限制",
    "Forbidden.AccessDenied.QpsLimitForApi": "该接口全局调用超过QPS限制",
    "Forbidden.AccessDenied.ApiCountLimitForOrg": "当前组织本月接口调用量已超过限制",
    "Forbidden.AccessDenied.IpNotInWhiteList": "访问IP不在白名单之中",
    "invalidClientIdOrSecret": "无效的clientId或者clientSecret",
}


@dataclass
class Call:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any

    @property
    def text(self) -> str:
        """The words sent, whichever shape carried them."""
        body = self.body
        if "msgParam" in body:
            param = json.loads(body["msgParam"])
            return str(param.get("content") or param.get("text") or "")
        if body.get("msgtype") == "markdown":
            return str(body["markdown"]["text"])
        return str(body.get("text", {}).get("content", ""))


@dataclass
class Upload:
    filename: str
    size: int
    media_id: str
    content: bytes


@dataclass
class FakeDingTalkApi:
    app_key: str = "ding-app-key"
    app_secret: str = "ding-app-secret"
    token_ttl: int = 7200
    calls: list[Call] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    # path -> what the next requests to it get: (HTTP status, JSON body, headers)
    injected: dict[str, deque[tuple[int, dict[str, Any], dict[str, str]]]] = field(
        default_factory=dict
    )
    flow_controlled: set[str] = field(default_factory=set)
    filtered: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    expired_sessions: set[str] = field(default_factory=set)
    # custom robots: access_token -> 加签 secret
    robots: dict[str, str] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    # The organisation's monthly quota of metered calls (None: unlimited) and
    # this month's metered calls; a test turns the month by setting it to 0.
    monthly_quota: int | None = None
    metered: int = 0

    def __post_init__(self) -> None:
        self.app = web.Application()
        self.app.add_routes(
            [
                web.post(TOKEN, self.token),
                web.post(GROUP_SEND, self.openapi_send),
                web.post(OTO_SEND, self.openapi_send),
                web.post(SESSION, self.session_send),
                web.post(ROBOT, self.robot_send),
                web.post(UPLOAD, self.upload),
            ]
        )
        self.server: TestServer | None = None
        self._issued = 0

    async def start(self) -> None:
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def session_url(self, session: str) -> str:
        return f"{self.url}{SESSION}?session={session}"

    def inject(
        self,
        path: str,
        status: int,
        body: dict[str, Any],
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        answer = (status, body, headers or {})
        self.injected.setdefault(path, deque()).extend([answer] * times)

    def refuse(self, path: str, code: str, times: int = 1) -> None:
        """The next calls of `path` refused as the new API refuses: HTTP 403 (400 for a
        bad appKey/appSecret) and {"code", "message", "requestid"}.

        Shapes from DingTalk's "调用频次与限流" page and the 403 answers logged in
        DingTalk-Real-AI/dingtalk-openclaw-connector issues #410 and #444; the
        accessToken page lists 400 invalidClientIdOrSecret.
        """
        status = 400 if code == "invalidClientIdOrSecret" else 403
        for _ in range(times):
            body = {"code": code, "message": REFUSALS[code], "requestid": uuid.uuid4().hex}
            self.inject(path, status, body)

    def _quota_spent(self) -> bool:
        """Only metered APIs count: the sends and uploads, not the token or a
        sessionWebhook (the refusal stops metered calls only)."""
        return self.monthly_quota is not None and self.metered >= self.monthly_quota

    def to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def sent(self) -> list[Call]:
        """Every message that went out, by any route."""
        return [c for c in self.calls if c.path not in (TOKEN, UPLOAD)]

    def files(self) -> list[dict[str, Any]]:
        """The msgParam of every file message sent."""
        return [
            json.loads(c.body["msgParam"])
            for c in self.sent()
            if c.body.get("msgKey") == "sampleFile"
        ]

    async def upload(self, request: web.Request) -> web.Response:
        """oapi media/upload: multipart field `media`, the token in the query."""
        form = await request.post()
        media = form.get("media")
        assert isinstance(media, web.FileField), "the file goes in multipart field `media`"
        content = media.file.read()
        body = {"filename": media.filename, "size": len(content)}
        call = Call(request.path, dict(request.query), dict(request.headers), body)
        self.calls.append(call)
        queue = self.injected.get(request.path)
        if queue:
            status, answer, headers = queue.popleft()
            return web.json_response(answer, status=status, headers=headers)
        assert call.query.get("type") == "file"
        if call.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if self._quota_spent():
            # oapi's answer as DingTalk's help centre quotes it ("API调用量超过
            # 限额后,是否会有超额提示"), with this quota's figures in it.
            errmsg = (
                f"您的企业本月api调用量已超过限制,调用量:{self.metered + 1}次,"
                f"额度:{self.monthly_quota}次,请登录开发者后台-资源管理-查看用量明细"
            )
            return web.json_response({"errcode": 90020, "errmsg": errmsg})
        self.metered += 1
        media_id = f"@media{len(self.uploads) + 1}"
        self.uploads.append(Upload(media.filename, len(content), media_id, content))
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id, "created_at": 1}
        )

    async def _record(self, request: web.Request) -> tuple[Call, web.Response | None]:
        body = await request.json()
        call = Call(request.path, dict(request.query), dict(request.headers), body)
        self.calls.append(call)
        queue = self.injected.get(request.path)
        if queue:
            status, answer, headers = queue.popleft()
            return call, web.json_response(answer, status=status, headers=headers)
        return call, None

    async def token(self, request: web.Request) -> web.Response:
        call, injected = await self._record(request)
        if injected is not None:
            return injected
        if call.body != {"appKey": self.app_key, "appSecret": self.app_secret}:
            code = "invalidClientIdOrSecret"
            answer = {"code": code, "message": REFUSALS[code], "requestid": uuid.uuid4().hex}
            return web.json_response(answer, status=400)
        self._issued += 1
        token = f"tok{self._issued}"
        self.valid_tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": self.token_ttl})

    async def openapi_send(self, request: web.Request) -> web.Response:
        call, injected = await self._record(request)
        if injected is not None:
            return injected
        if call.headers.get("x-acs-dingtalk-access-token") not in self.valid_tokens:
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401
            )
        if self._quota_spent():
            code = "Forbidden.AccessDenied.ApiCountLimitForOrg"
            answer = {"code": code, "message": REFUSALS[code], "requestid": uuid.uuid4().hex}
            return web.json_response(answer, status=403)
        assert isinstance(call.body["msgParam"], str), "msgParam must be a JSON string"
        assert call.body["msgKey"] in MSG_KEYS, f"unexpected msgKey {call.body['msgKey']!r}"
        if call.body["msgKey"] == "sampleFile":
            param = json.loads(call.body["msgParam"])
            if not any(u.media_id == param.get("mediaId") for u in self.uploads):
                return web.json_response(
                    {"code": "invalidParameter", "message": "mediaId"}, status=400
                )
        self.metered += 1
        answer: dict[str, Any] = {"processQueryKey": f"pqk{len(self.calls)}"}
        if request.path == OTO_SEND:
            users = call.body["userIds"]
            assert isinstance(users, list)
            answer["flowControlledStaffIdList"] = [u for u in users if u in self.flow_controlled]
            answer["invalidStaffIdList"] = [u for u in users if u in self.invalid]
            answer["filteredStaffIdList"] = [u for u in users if u in self.filtered]
        return web.json_response(answer)

    async def session_send(self, request: web.Request) -> web.Response:
        call, injected = await self._record(request)
        if injected is not None:
            return injected
        if call.query.get("session") in self.expired_sessions:
            return web.json_response({"errcode": 300001, "errmsg": "session 不存在"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def robot_send(self, request: web.Request) -> web.Response:
        call, injected = await self._record(request)
        if injected is not None:
            return injected
        secret = self.robots.get(call.query.get("access_token", ""))
        if secret is None:
            return web.json_response({"errcode": 300001, "errmsg": "token is not exist"})
        ts = call.query.get("timestamp", "")
        if secret and call.query.get("sign") != sign(ts, secret):
            return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})
