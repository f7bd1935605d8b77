"""Answers a session reads again and again, kept while they hold.

A writer job that imports an MSEL asks for the same chain of command for
every inject it writes; read from the database each time, that was most of
the job. A memo keeps such answers in the session (``Session.info``) under a
name. It lives no longer than the session, the writer forgets every memo
before each job (a job rolled back to its savepoint leaves nothing behind),
and the module that fills a memo forgets it whenever rows it rests on are
flushed (see :func:`forget_on_write`). Core statements that bypass the ORM
(federation applying a partner's rows) run in jobs of their own, so the
next job starts without any memo.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, object_session

_KEY = "alliance.memo"


def memo(session: Session, name: str) -> dict[Any, Any]:
    """The memo ``name`` of ``session`` (empty at first)."""
    memos: dict[str, dict[Any, Any]] = session.info.setdefault(_KEY, {})
    return memos.setdefault(name, {})


def forget(session: Session, name: str | None = None) -> None:
    """Forget the memo ``name`` of ``session``, or every memo."""
    memos: dict[str, dict[Any, Any]] | None = session.info.get(_KEY)
    if not memos:
        return
    if name is None:
        memos.clear()
    else:
        memos.pop(name, None)


def forget_on_write(name: str, *models: type[Any]) -> None:
    """Forget the memo ``name`` whenever a row of one of ``models`` changes
    in a session: an attribute set, a row added, and again when a flush
    inserts, updates or deletes one (so a change made before the memo was
    filled and flushed after it is not missed either)."""

    def drop(target: Any) -> None:
        session = object_session(target)
        if session is not None:
            forget(session, name)

    def flushed(_mapper: Any, _connection: Any, target: Any) -> None:
        drop(target)

    def set_(target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        drop(target)
        return value

    def added(session: Session, target: Any) -> None:
        if isinstance(target, models):
            forget(session, name)

    for model in models:
        for kind in ("after_insert", "after_update", "after_delete"):
            event.listen(model, kind, flushed)
        for column in inspect(model).column_attrs:
            event.listen(column.class_attribute, "set", set_, retval=True)
    event.listen(Session, "transient_to_pending", added)


__all__ = ["forget", "forget_on_write", "memo"]
