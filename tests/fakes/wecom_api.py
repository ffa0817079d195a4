"""A fake WeCom server API on loopback: records every request, fails on demand.

Serves gettoken, message/send, appchat/send, webhook/send, the two file
uploads (media/upload with the app's token, webhook/upload_media with a
robot's key) and AI-bot response_urls (`/aibot/response/<id>`, one call
each). Tests inject an errcode, an HTTP status or a delay for the next calls
of one path.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN_PATHS = ("/cgi-bin/message/send", "/cgi-bin/appchat/send", "/cgi-bin/media/upload")
UPLOAD_PATHS = ("/cgi-bin/media/upload", "/cgi-bin/webhook/upload_media")
MSG_TYPES = {"text", "markdown", "file", "template_card"}
RESPONSE_URL_BYTES = 20480


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class Upload:
    path: str
    filename: str
    size: int
    media_id: str
    content: bytes


@dataclass
class Fault:
    errcode: int = 0
    status: int = 200
    delay: float = 0.0


@dataclass
class FakeWeCom:
    corp_id: str = "wwcorp"
    secret: str = "app-secret"
    webhook_keys: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    used_urls: set[str] = field(default_factory=set)
    uploads: list[Upload] = field(default_factory=list)
    # The address WeCom sees us by, when it is not among the app's trusted IPs.
    untrusted_ip: str = ""
    _faults: dict[str, deque[Fault]] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        for path in (*TOKEN_PATHS, "/cgi-bin/webhook/send", "/cgi-bin/webhook/upload_media"):
            app.router.add_post(path, self._upload if path in UPLOAD_PATHS else self._send)
        app.router.add_post("/aibot/response/{id}", self._response_url)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self.base

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def response_url(self, name: str) -> str:
        return f"{self.base}/aibot/response/{name}"

    def fail(self, path: str, *faults: Fault) -> None:
        """The next calls of `path` answer with these faults, in order."""
        self._faults.setdefault(path, deque()).extend(faults)

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def sent(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def texts(self, path: str) -> list[str]:
        out = []
        for c in self.sent(path):
            kind = c.body.get("msgtype", "")
            if kind == "template_card":  # what the card shows: its title, then its body
                card = c.body["template_card"]
                shown = [card.get("main_title", {}).get("title", ""), card.get("sub_title_text")]
                out.append("\n".join(str(x) for x in shown if x))
                continue
            out.append(str((c.body.get(kind) or {}).get("content", "")))
        return out

    async def _fault(self, path: str) -> web.Response | None:
        queue = self._faults.get(path)
        if not queue:
            return None
        fault = queue.popleft()
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status != 200:
            return web.Response(status=fault.status, text="upstream trouble")
        if fault.errcode:
            return web.json_response({"errcode": fault.errcode, "errmsg": "injected"})
        return None

    def media(self, media_id: str) -> Upload:
        [found] = [u for u in self.uploads if u.media_id == media_id]
        return found

    async def _record(self, request: web.Request, body: dict[str, Any] | None = None) -> None:
        if body is None:
            body = await request.json() if request.can_read_body else {}
        self.calls.append(Call(request.path, dict(request.query), body))

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        media = form.get("media")
        assert isinstance(media, web.FileField), "the file goes in multipart field `media`"
        content = media.file.read()
        await self._record(request, {"filename": media.filename, "size": len(content)})
        if (fault := await self._fault(request.path)) is not None:
            return fault
        assert request.query.get("type") == "file"
        if request.path == "/cgi-bin/media/upload":
            if request.query.get("access_token") not in self.valid_tokens:
                return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        elif request.query.get("key") not in self.webhook_keys:
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        media_id = f"media-{next(self._serial)}"
        self.uploads.append(Upload(request.path, media.filename, len(content), media_id, content))
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id, "created_at": "1"}
        )

    async def _gettoken(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (fault := await self._fault(request.path)) is not None:
            return fault
        q = request.query
        if q.get("corpid") != self.corp_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid corpid"})
        if q.get("corpsecret") != self.secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"token-{next(self._serial)}"
        self.valid_tokens.add(token)
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        )

    async def _send(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (fault := await self._fault(request.path)) is not None:
            return fault
        if request.path in TOKEN_PATHS:
            if request.query.get("access_token") not in self.valid_tokens:
                return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
            if self.untrusted_ip:
                # The errmsg shape WeCom gives for a server not among the
                # app's 企业可信IP (errcode 60020).
                errmsg = (
                    "not allow to access from your ip, hint: [1764072000_1_abc], "
                    f"from ip: {self.untrusted_ip}, more info at "
                    "https://open.work.weixin.qq.com/devtool/query?e=60020"
                )
                return web.json_response({"errcode": 60020, "errmsg": errmsg})
        elif request.query.get("key") not in self.webhook_keys:
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        body = self.calls[-1].body
        assert body.get("msgtype") in MSG_TYPES, f"unexpected msgtype {body.get('msgtype')!r}"
        if body["msgtype"] == "file":
            media_id = body["file"]["media_id"]
            if not any(u.media_id == media_id for u in self.uploads):
                return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": ""})

    async def _response_url(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (fault := await self._fault("/aibot/response")) is not None:
            return fault
        if request.path in self.used_urls:
            return web.json_response({"errcode": 600039, "errmsg": "response_url used"})
        body = self.calls[-1].body
        # path/101138: markdown or template_card; content "最长不超过20480个字节".
        assert body.get("msgtype") in ("markdown", "template_card"), body.get("msgtype")
        content = str(body.get("markdown", {}).get("content", ""))
        if len(content.encode()) > RESPONSE_URL_BYTES:
            # 45002 is WeCom's global errcode for a message over its size limit.
            return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
        self.used_urls.add(request.path)
        return web.json_response({"errcode": 0, "errmsg": "ok"})
