"""A fake DingTalk Stream gateway, mounted on the fake API server.

`POST /v1.0/gateway/connections/open` hands out a ticket and a local ws://
endpoint; the websocket there pushes the frames a test asks for and queues
every ack the client sends back. A test can refuse the next opens or drop
the socket to watch the client reconnect.

Like the real gateway, it answers the open request in XML unless the request
says `Accept: application/json`: the official Node SDK's src/client.ts
(getEndpoint) sends that header with the comment "这个接口得加个，否则默认返回
的会是xml", and the Python SDK's dingtalk_stream/stream.py (open_connection)
sends it too. The XML's exact shape is not documented; this one only has to
be XML.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from bot.platforms.dingtalk_stream import BOT_TOPIC
from tests.fakes.dingtalk_api import FakeDingTalkApi

OPEN = "/v1.0/gateway/connections/open"
SOCKET = "/gateway"


class FakeGateway:
    def __init__(self, api: FakeDingTalkApi) -> None:
        self.api = api
        api.app.add_routes([web.post(OPEN, self.open), web.get(SOCKET, self.socket)])
        self.opens: list[dict[str, Any]] = []
        self.refuse_opens = 0
        # Answer XML even to a client that asks for JSON (a gateway or proxy
        # gone wrong), to watch the client cope.
        self.xml_always = False
        self.open_headers: list[dict[str, str]] = []
        self.open_calls: asyncio.Queue[int] = asyncio.Queue()
        self.tickets: set[str] = set()
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.connected: asyncio.Queue[web.WebSocketResponse] = asyncio.Queue()
        self.ws: web.WebSocketResponse | None = None

    async def open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.opens.append(body)
        self.open_headers.append(dict(request.headers))
        await self.open_calls.put(len(self.opens))
        if self.refuse_opens:
            self.refuse_opens -= 1
            return web.json_response({"code": "ServiceUnavailable"}, status=503)
        if (body.get("clientId"), body.get("clientSecret")) != (
            self.api.app_key,
            self.api.app_secret,
        ):
            return self._answer(
                request, 400, {"code": "invalidClientIdOrSecret", "message": "无效的clientId"}
            )
        ticket = uuid.uuid4().hex
        self.tickets.add(ticket)
        endpoint = self.api.url.replace("http://", "ws://") + SOCKET
        return self._answer(request, 200, {"endpoint": endpoint, "ticket": ticket})

    def _answer(self, request: web.Request, status: int, data: dict[str, str]) -> web.Response:
        if not self.xml_always and "application/json" in request.headers.get("Accept", ""):
            return web.json_response(data, status=status)
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in data.items())
        return web.Response(
            text=f"<OpenConnectionResponse>{fields}</OpenConnectionResponse>",
            status=status,
            content_type="application/xml",
        )

    async def socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.json_response({"code": "invalidTicket"}, status=403)
        self.tickets.discard(ticket)  # a ticket opens one connection
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        await self.connected.put(ws)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await self.acks.put(json.loads(msg.data))
        return ws

    async def wait_opens(self, n: int) -> None:
        """Until the client has asked to open `n` connections."""
        while await asyncio.wait_for(self.open_calls.get(), 5) < n:
            pass

    async def wait_connected(self) -> web.WebSocketResponse:
        return await asyncio.wait_for(self.connected.get(), 5)

    async def next_ack(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.acks.get(), 5)

    async def push(self, kind: str, topic: str, data: str, message_id: str = "") -> str:
        assert self.ws is not None and not self.ws.closed
        message_id = message_id or uuid.uuid4().hex
        frame = {
            "specVersion": "1.0",
            "type": kind,
            "headers": {
                "appId": "app",
                "connectionId": "conn",
                "contentType": "application/json",
                "messageId": message_id,
                "time": "1764072000000",
                "topic": topic,
            },
            "data": data,
        }
        await self.ws.send_str(json.dumps(frame, ensure_ascii=False))
        return message_id

    async def push_callback(self, payload: dict[str, Any]) -> str:
        return await self.push("CALLBACK", BOT_TOPIC, json.dumps(payload, ensure_ascii=False))

    async def ping(self) -> str:
        return await self.push("SYSTEM", "ping", json.dumps({"opaque": "p1"}))

    async def drop(self) -> None:
        assert self.ws is not None
        await self.ws.close()
