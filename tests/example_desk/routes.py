"""The example desk's endpoints: a thin router over :class:`NoteDesk`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.desks import ActorDep, desk_dep

from .desk import NoteDesk
from .models import NoteIn, NoteOut, NotePatch

NotesDep = Annotated[NoteDesk, Depends(desk_dep("notes", NoteDesk))]

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("", response_model=list[NoteOut], summary="Notes / メモ一覧")
def list_notes(desk: NotesDep, actor: ActorDep) -> list[NoteOut]:
    return desk.list(actor)


@router.post("", response_model=NoteOut, status_code=201, summary="Write a note / メモを書く")
def write_note(data: NoteIn, desk: NotesDep, actor: ActorDep) -> NoteOut:
    return desk.write(actor, data)


@router.get("/{note_id}", response_model=NoteOut, summary="One note / メモ")
def get_note(note_id: str, desk: NotesDep, actor: ActorDep) -> NoteOut:
    return desk.get(actor, note_id)


@router.patch(
    "/{note_id}",
    response_model=NoteOut,
    summary="Change a note (owner only) / メモを変更（所有国のみ）",
)
def change_note(note_id: str, data: NotePatch, desk: NotesDep, actor: ActorDep) -> NoteOut:
    return desk.change(actor, note_id, data)
