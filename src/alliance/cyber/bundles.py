"""STIX bundles and MISP events in and out: reading a file into STIX 2.1
objects, marking what is imported, and writing a collection as a bundle.

MISP JSON events are converted by MISP's own maintained converter
(``misp-stix``), never by a mapping of ours, in a process of its own
(:mod:`alliance.cyber.misp_worker`). Whatever cannot be read is refused with an error naming the
file's problem; nothing of it is stored.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import TLP, Marking

from .stix import TLP_IDS, marking_of, nation_of_rel, rel_marking, tlp_marking, with_marking

MISP_TIMEOUT_S = 300


def _unreadable(en: str, ja: str, code: str = "unreadable_file") -> InvalidInput:
    return InvalidInput(Text(en, ja), field="file", code=code)


def read(raw: bytes) -> tuple[str, list[dict[str, Any]]]:
    """The STIX objects of a file, and what it was (``bundle``, ``misp``): a STIX
    2.1 bundle, a list of STIX objects or one object, or a MISP event (JSON, as
    MISP exports it: ``{"Event": …}``, or a list of them)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _unreadable(
            f"The file is not JSON: {exc}.", f"ファイルがJSONではありません：{exc}。"
        ) from exc
    if _is_misp(data):
        return "misp", from_misp(data)
    if isinstance(data, dict) and data.get("type") == "bundle":
        objects = data.get("objects", [])
    elif isinstance(data, dict) and "type" in data:
        objects = [data]
    elif isinstance(data, list):
        objects = data
    else:
        raise _unreadable(
            "The file holds neither a STIX bundle, STIX objects nor a MISP event.",
            "ファイルはSTIXバンドル、STIXオブジェクト、MISPイベントのいずれでもありません。",
        )
    if not isinstance(objects, list):
        raise _unreadable(
            "The bundle's 'objects' is not a list.", "バンドルの'objects'が配列ではありません。"
        )
    return "bundle", objects


def _is_misp(data: object) -> bool:
    if isinstance(data, dict):
        return "Event" in data
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(d, dict) and "Event" in d for d in data)
    )


def from_misp(data: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """STIX 2.1 objects from MISP events, by MISP's own converter, run in a process
    of its own (:mod:`alliance.cyber.misp_worker`)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "alliance.cyber.misp_worker"],
            input=orjson.dumps(data),
            capture_output=True,
            timeout=MISP_TIMEOUT_S,
            check=False,
        )
        answer: dict[str, Any] = (
            orjson.loads(done.stdout) if done.stdout else {"error": done.stderr.decode()}
        )
    except (subprocess.TimeoutExpired, orjson.JSONDecodeError) as exc:
        answer = {"error": str(exc)}
    if "objects" not in answer:
        problem = str(answer.get("error", "no answer"))[-500:]
        raise _unreadable(
            f"The MISP event could not be converted to STIX 2.1: {problem}",
            f"MISPイベントをSTIX 2.1に変換できませんでした：{problem}",
            "unreadable_misp",
        )
    objects: list[dict[str, Any]] = answer["objects"]
    return objects


def mark(
    objects: Iterable[dict[str, Any]], owner: str, release: Iterable[str], tlp: TLP | None
) -> list[dict[str, Any]]:
    """Objects to import, released to ``release`` as well as the owner. An
    object's own TLP is kept when it is stricter than ``tlp`` (an import never
    loosens what its source asked); a marking definition is left as it is."""
    nations = frozenset(release) | {owner}
    out = []
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") == "marking-definition":
            out.append(obj)
            continue
        own = marking_of(obj, owner).tlp
        levels = [t for t in (own, tlp) if t is not None]
        strictest = max(levels, key=lambda t: t.rank) if levels else None
        out.append(with_marking(obj, Marking(nations, strictest), owner))
    return out


def bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """A STIX 2.1 bundle of ``objects`` and the marking definitions they name that
    a reader cannot otherwise resolve (the "releasable to" statements, TLP 2.0)."""
    named = {ref for obj in objects for ref in obj.get("object_marking_refs", [])}
    have = {obj["id"] for obj in objects}
    definitions = [tlp_marking(t) for t in TLP if TLP_IDS[t] in named - have]
    nations = {n for ref in named - have if (n := nation_of_rel(ref)) is not None}
    definitions += [rel_marking(n) for n in sorted(nations)]
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects + definitions}


__all__ = ["bundle", "from_misp", "mark", "read"]
