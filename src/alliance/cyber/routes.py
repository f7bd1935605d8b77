"""The cyber desk's endpoints under /api/v1 (collections); STIX objects travel
over TAXII 2.1 (:mod:`.taxii`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.desks import ActorDep, desk_dep

from .desk import CyberDesk
from .models import CollectionIn, CollectionOut

CyberDep = Annotated[CyberDesk, Depends(desk_dep("cyber", CyberDesk))]

router = APIRouter(prefix="/cyber", tags=["cyber"])


@router.get(
    "/collections",
    response_model=list[CollectionOut],
    summary="TAXII collections released to you / 提供されたTAXIIコレクション",
)
def list_collections(desk: CyberDep, actor: ActorDep) -> list[CollectionOut]:
    return desk.collections(actor)


@router.post(
    "/collections",
    response_model=CollectionOut,
    status_code=201,
    summary="Create a TAXII collection / TAXIIコレクションを作成",
)
def create_collection(data: CollectionIn, desk: CyberDep, actor: ActorDep) -> CollectionOut:
    return desk.create_collection(actor, data)


@router.get(
    "/collections/{collection_id}",
    response_model=CollectionOut,
    summary="One TAXII collection / TAXIIコレクション",
)
def get_collection(collection_id: str, desk: CyberDep, actor: ActorDep) -> CollectionOut:
    return desk.collection(actor, collection_id)
