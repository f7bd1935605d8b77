"""One live stream per signed-in user: what was committed and is released to the
user's nation (local decisions and partners' replicas alike), as server-sent
events. The fan-out and the release check are the store's
(:mod:`alliance.store.live`); this edge only frames them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ..deps import ActorDep, NodeDep

router = APIRouter(tags=["stream"])

HEARTBEAT_SECONDS = 15.0
"""A ``heartbeat`` event at least this often: the console knows the stream is
alive, and the user is checked again (a disabled user's stream closes)."""


def _sse(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@router.get(
    "/stream",
    summary="Live events released to your nation (server-sent events) / "
    "自国へ提供可の更新（ライブ、SSE）",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def stream(request: Request, node: NodeDep, actor: ActorDep) -> StreamingResponse:
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def woken() -> None:  # on the writer's thread: never blocks
        loop.call_soon_threadsafe(wake.set)

    sub = node.live.subscribe(actor.nation, actor.user_id, woken)
    heartbeat = float(getattr(request.app.state, "stream_heartbeat", HEARTBEAT_SECONDS))

    async def events() -> AsyncIterator[bytes]:
        try:
            yield b"retry: 3000\n\n"
            yield _sse("hello", {"nation": actor.nation, "user": actor.user_id})
            while True:
                try:
                    await asyncio.wait_for(wake.wait(), timeout=heartbeat)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    if not await asyncio.to_thread(node.user_enabled, actor.user_id):
                        sub.close("disabled")
                    else:
                        yield _sse("heartbeat", {})
                        continue
                wake.clear()
                for item in sub.take():
                    yield _sse("change", item.to_json())
                if sub.closed is not None:
                    yield _sse("closed", {"reason": sub.closed})
                    return
        finally:
            node.live.unsubscribe(sub)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
