"""COP endpoints: position reports, the released picture, live updates, exports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from alliance.cop.desk import CopDesk, ReportIn, TrackFilter
from alliance.cop.exports import geojson, kml
from alliance.cop.simulator import scenario
from alliance.cop.tracks import Track, TrackDomain
from alliance.core import markings
from alliance.core.models import MarkingOut
from alliance.desks import ActorDep, desk_dep

CopDep = Annotated[CopDesk, Depends(desk_dep("cop", CopDesk))]

router = APIRouter(prefix="/cop", tags=["cop"])


def _page(tracks: Iterable[Track], nation: str) -> markings.Page:
    """What an export is marked with, as the viewer's nation writes it: what
    every track in it shares, its TLP label, and which tracks set them."""
    return markings.page(((t.uid, t.marking, t.callsign_text) for t in tracks), nation)


@router.get("/tracks", summary="The picture released to your nation / 自国へ提供可の状況図")
def picture(
    desk: CopDep,
    actor: ActorDep,
    domain: TrackDomain | None = None,
    affiliation: str | None = None,
    owner: str | None = None,
    include_stale: bool = True,
) -> list[dict[str, Any]]:
    flt = TrackFilter(
        domain=domain, affiliation=affiliation, owner=owner, include_stale=include_stale
    )
    return [t.to_json(actor.nation) for t in desk.picture(actor, flt)]


@router.post(
    "/tracks", status_code=201, summary="Report a position (own nation's tracks) / 位置報告"
)
def report(data: ReportIn, desk: CopDep, actor: ActorDep) -> dict[str, Any]:
    return desk.report(actor, data).to_json(actor.nation)


OwnerQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z]{3}$",
        description="Another nation's track with this uid, if released to you "
        "(default: the one your picture shows) / 同じuidの他国の航跡（提供されている場合）",
    ),
]


@router.get(
    "/exercise",
    summary="The simulated exercise: name, FICTIONAL, its notional areas / 模擬演習の概要（架空）",
)
def exercise(actor: ActorDep) -> dict[str, Any]:
    del actor  # signed in: the scenario is the same for every nation, and fictional
    return scenario()


@router.get("/tracks/{uid}", summary="One track / 航跡")
def get_track(uid: str, desk: CopDep, actor: ActorDep, owner: OwnerQuery = None) -> dict[str, Any]:
    return desk.get(actor, uid, owner).to_json(actor.nation)


@router.get("/tracks/{uid}/history", summary="Recent positions / 航跡の履歴")
def history(
    uid: str, desk: CopDep, actor: ActorDep, owner: OwnerQuery = None
) -> list[dict[str, Any]]:
    return [t.to_json(actor.nation) for t in desk.history(actor, uid, owner)]


@router.get(
    "/export.geojson",
    response_class=JSONResponse,
    summary="The released picture as GeoJSON / GeoJSON出力",
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def export_geojson(desk: CopDep, actor: ActorDep) -> JSONResponse:
    tracks = desk.picture(actor)
    data = geojson(tracks, _page(tracks, actor.nation), viewer=actor.nation)
    return JSONResponse(data, media_type="application/geo+json")


@router.get(
    "/export.kml",
    response_class=Response,
    summary="The released picture as KML / KML出力",
    responses={
        200: {"content": {"application/vnd.google-earth.kml+xml": {"schema": {"type": "string"}}}}
    },
)
def export_kml(desk: CopDep, actor: ActorDep) -> Response:
    tracks = desk.picture(actor)
    return Response(
        kml(tracks, _page(tracks, actor.nation), viewer=actor.nation),
        media_type="application/vnd.google-earth.kml+xml",
    )


@router.get("/stream", summary="Live updates (server-sent events) / ライブ更新（SSE）")
async def stream(request: Request, desk: CopDep, actor: ActorDep) -> StreamingResponse:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Track]] = asyncio.Queue(maxsize=10000)

    def listener(track: Track) -> None:
        loop.call_soon_threadsafe(_offer, queue, ("track", track))

    def withdrawn(track: Track) -> None:
        loop.call_soon_threadsafe(_offer, queue, ("withdrawn", track))

    sub = desk.hub.subscribe(actor.nation, listener, on_remove=withdrawn)
    snapshot = desk.picture(actor)
    page = markings.PageMarking(actor.nation)

    async def events() -> AsyncIterator[bytes]:
        try:
            for t in snapshot:
                page.put(t.uid, t.marking, t.callsign_text)
                yield _sse("track", t, actor.nation)
            shown = markings.of_page(page)
            yield _sse_banner(page, shown)
            while not await request.is_disconnected():
                try:
                    kind, track = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                if kind == "track":
                    page.put(track.uid, track.marking, track.callsign_text)
                else:
                    page.drop(track.uid)
                yield _sse(kind, track, actor.nation)
                now = markings.of_page(page)
                if now != shown:  # its nations, its TLP label or what set them changed
                    shown = now
                    yield _sse_banner(page, shown)
        finally:
            desk.hub.unsubscribe(sub)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def _offer(queue: asyncio.Queue[tuple[str, Track]], item: tuple[str, Track]) -> None:
    if queue.full():  # a console that cannot keep up gets the newest, not a stall
        queue.get_nowait()
    queue.put_nowait(item)


def _sse_banner(page: markings.PageMarking, shown: markings.Page) -> bytes:
    """The banner of the picture the stream has shown so far, as the viewer's
    nation writes it, its TLP label, and ``note``: which tracks set them, both
    languages. The console displays them as they are (it builds no banner of
    its own)."""
    # releasable_to, tlp, banner {en, ja}, portion, tlp_label, by_nation, note {en, ja}
    data = MarkingOut.of(shown.marking, page.nation).model_dump()
    data["note"] = shown.note.as_dict()
    return f"event: banner\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _sse(kind: str, track: Track, viewer: str) -> bytes:
    """``track`` events carry the track; ``withdrawn`` ones only its uid (it is gone)."""
    data = track.to_json(viewer) if kind == "track" else {"uid": track.uid}
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
