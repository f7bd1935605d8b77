"""STIX 2.1 objects: checking one, and keeping its markings and ours in step.

**Checked twice over.** An object is first held to what this store relies on
(a JSON object with a ``type``, an ``id`` of that type, ``spec_version``
2.1, no granular markings), then parsed by the OASIS ``stix2`` library,
which checks every property of the type (patterns included). Whatever it
refuses is refused with its reason, naming the object.

**Markings.** Who may read an object is its Alliance marking (the release
rule, :mod:`alliance.core.release`); STIX carries it in ``object_marking_refs``
by two kinds of marking definition:

* TLP 2.0, by the standard ids FIRST and OASIS publish (TLP 1.0's ids are
  read too, WHITE as CLEAR). TLP says what a recipient may do with it, never
  who receives it: it does not widen the release.
* "Releasable to" one nation: a statement marking definition per nation,
  with an id derived from the nation's code (:func:`rel_marking`), the same
  on every node. An object with none is national-only.

Granular (per-field) markings are refused: this store decides release per
object, and flattening them would release a field its author withheld.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stix2
import stix2.exceptions

from alliance.core import limits
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import TLP, Marking, check_nation, nation_codes

SPEC_VERSION = "2.1"

# TLP 2.0 marking definitions (FIRST TLP 2.0, as OASIS CTI publishes them for STIX 2.1).
TLP_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0, defined in STIX 2.1 itself (section 7.2.1.4): read, never written.
_TLP1_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # white
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
_TLP_BY_ID: dict[str, TLP] = {**{v: k for k, v in TLP_IDS.items()}, **_TLP1_IDS}

_REL_NAMESPACE = uuid.UUID("6f6d1f39-2c0e-5b8e-9d0a-5e2a1c3b7a11")
"""The namespace of the "releasable to" marking definitions' ids (UUIDv5 of the
nation's code): fixed, so every node names a nation's marking alike."""

_REL_CREATED = "2026-01-01T00:00:00.000Z"

# What this store keeps: every STIX 2.1 domain and relationship object, the
# marking definitions, and the cyber-observable objects observed data names.
SDO_TYPES = frozenset(
    {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
    }
)
SRO_TYPES = frozenset({"relationship", "sighting"})
SCO_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)
KNOWN_TYPES = SDO_TYPES | SRO_TYPES | SCO_TYPES | {"marking-definition"}


def rel_marking_id(nation: str) -> str:
    """The id of the "releasable to ``nation``" marking definition."""
    return f"marking-definition--{uuid.uuid5(_REL_NAMESPACE, 'REL TO ' + nation)}"


def rel_marking(nation: str) -> dict[str, Any]:
    """The "releasable to ``nation``" marking definition itself (a statement)."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": rel_marking_id(nation),
        "created": _REL_CREATED,
        "name": f"REL TO {nation}",
        "definition_type": "statement",
        "definition": {"statement": f"Releasable to {nation} / {nation}へ提供可"},
    }


def tlp_marking(tlp: TLP) -> dict[str, Any]:
    """The TLP 2.0 marking definition of ``tlp`` (as OASIS publishes it, without
    its extension: the statement form every STIX 2.1 reader understands)."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP_IDS[tlp],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{tlp.value}",
        "definition_type": "statement",
        "definition": {"statement": f"TLP:{tlp.value}"},
    }


def is_standard_marking(ident: str) -> bool:
    """A TLP definition everyone knows by its id: not anybody's object to store."""
    return ident in _TLP_BY_ID


_REL_BY_ID: dict[str, str] = {}


def nation_of_rel(ident: str) -> str | None:
    """The nation a "releasable to" marking definition's id names, or None."""
    if not _REL_BY_ID:
        _REL_BY_ID.update({rel_marking_id(n): n for n in nation_codes()})
    return _REL_BY_ID.get(ident)


_FRACTION = re.compile(r"\.(\d+)")


def canonical(stamp: str, *, field: str = "modified") -> str:
    """A STIX timestamp in one sortable form (microseconds, ``Z``): the form the
    store indexes versions by, so that ``…:48Z`` and ``…:48.000Z`` are one version
    and versions sort by time."""
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], stamp.strip(), count=1)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise refused(
            f"'{stamp}' is not a STIX timestamp (e.g. 2026-12-01T09:30:00.000Z).",
            f"「{stamp}」はSTIXのタイムスタンプではありません（例: 2026-12-01T09:30:00.000Z）。",
            field,
            "invalid_timestamp",
        )
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stix_time(when: datetime) -> str:
    """A time as STIX writes it (UTC, milliseconds)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def version_text(canonical: str) -> str:
    """A stored version as STIX writes it: milliseconds unless finer was given."""
    return canonical[:-4] + "Z" if canonical.endswith("000Z") else canonical


def precise_time(when: datetime) -> str:
    """A time in STIX form to the microsecond: what ``date_added`` is given as, so
    that a client passing it back as ``added_after`` misses nothing added in
    the same millisecond."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Checked:
    """A STIX object that passed every check, and what the store indexes of it."""

    body: dict[str, Any]
    stix_id: str
    stix_type: str
    modified: str
    marking: Marking

    @property
    def spec_version(self) -> str:
        return str(self.body.get("spec_version", SPEC_VERSION))


def refused(en: str, ja: str, field: str, code: str) -> InvalidInput:
    return InvalidInput(Text(en, ja), field=field, code=code)


def check(obj: object, owner: str, *, field: str = "object", version: str | None = None) -> Checked:
    """Hold ``obj`` to this store's rules and the ``stix2`` library's; its marking
    is read from its ``object_marking_refs`` for ``owner`` (the nation storing it).

    ``version`` stands in for ``modified`` on an object that has no timestamp
    of its own (a cyber-observable): the time it is stored."""
    if not isinstance(obj, dict):
        raise refused(
            "Each STIX object must be a JSON object.",
            "STIXオブジェクトはJSONオブジェクトでなければなりません。",
            field,
            "not_an_object",
        )
    kind, ident = obj.get("type"), obj.get("id")
    if not isinstance(kind, str) or kind not in KNOWN_TYPES:
        raise refused(
            f"'{kind}' is not a STIX 2.1 object type this store keeps.",
            f"「{kind}」は、このストアが保管するSTIX 2.1の型ではありません。",
            f"{field}.type",
            "unknown_type",
        )
    if not isinstance(ident, str) or not ident.startswith(kind + "--"):
        raise refused(
            f"The id '{ident}' is not a STIX identifier of type {kind} ({kind}--<UUID>).",
            f"ID「{ident}」は型{kind}のSTIX識別子（{kind}--<UUID>）ではありません。",
            f"{field}.id",
            "invalid_id",
        )
    where = f"{kind} {ident}"
    spec = obj.get("spec_version")
    if spec != SPEC_VERSION and not (spec is None and kind in SCO_TYPES):
        raise refused(
            f"{where}: spec_version is {spec!r}; this server keeps STIX 2.1 only.",
            f"{where}：spec_version が {spec!r} です。このサーバはSTIX 2.1のみを保管します。",
            f"{field}.spec_version",
            "wrong_spec_version",
        )
    if obj.get("granular_markings"):
        raise refused(
            f"{where} has granular (per-field) markings. Releasability is decided per "
            "object here; split the object, or mark all of it, and send it again.",
            f"{where}は項目単位のマーキング（granular_markings）を持っています。ここでは提供可否を"
            "オブジェクト単位で決めます。オブジェクトを分けるか全体にマーキングして再送してください。",
            f"{field}.granular_markings",
            "granular_marking",
        )
    if len(ident) > limits.STIX_ID:
        raise refused(
            f"{where}: the id is longer than {limits.STIX_ID} characters.",
            f"{where}：IDが{limits.STIX_ID}文字を超えています。",
            f"{field}.id",
            "invalid_id",
        )
    try:
        stix2.parse(obj, allow_custom=False, version=SPEC_VERSION)
    except (stix2.exceptions.STIXError, ValueError, TypeError) as exc:
        raise refused(
            f"{where} is not valid STIX 2.1: {exc}",
            f"{where}はSTIX 2.1として正しくありません：{exc}",
            field,
            "invalid_stix",
        ) from exc
    modified = obj.get("modified") or obj.get("created") or version
    if not isinstance(modified, str) or len(modified) > limits.STIX_TIME:
        raise refused(
            f"{where} has no version: it needs 'modified' (or 'created').",
            f"{where}には版がありません。'modified'（または'created'）が必要です。",
            f"{field}.modified",
            "no_version",
        )
    return Checked(
        obj,
        ident,
        kind,
        canonical(modified, field=f"{field}.modified"),
        marking_of(obj, owner, field=field),
    )


def marking_of(obj: dict[str, Any], owner: str, *, field: str = "object") -> Marking:
    """The Alliance marking an object's ``object_marking_refs`` give it: the nations
    its "releasable to" markings name (none: national-only) and its TLP."""
    refs = obj.get("object_marking_refs") or []
    tlps = {_TLP_BY_ID[r] for r in refs if r in _TLP_BY_ID}
    if len(tlps) > 1:
        levels = ", ".join(sorted(t.value for t in tlps))
        raise refused(
            f"{obj.get('type')} {obj.get('id')} carries more than one TLP ({levels}).",
            f"{obj.get('type')} {obj.get('id')}に複数のTLP（{levels}）が付いています。",
            f"{field}.object_marking_refs",
            "two_tlps",
        )
    nations = {n for r in refs if (n := nation_of_rel(r)) is not None}
    for n in nations:
        check_nation(n, field=f"{field}.object_marking_refs")
    return Marking(frozenset(nations | {owner}), next(iter(tlps), None))


def with_marking(obj: dict[str, Any], marking: Marking, owner: str) -> dict[str, Any]:
    """``obj`` with its TLP and "releasable to" markings set to ``marking``'s
    (other marking definitions it names, a copyright statement, stay)."""
    kept = [
        r
        for r in obj.get("object_marking_refs") or []
        if r not in _TLP_BY_ID and nation_of_rel(r) is None
    ]
    refs = kept + ([TLP_IDS[marking.tlp]] if marking.tlp else [])
    refs += [rel_marking_id(n) for n in sorted(marking.releasable_to - {owner})]
    out = {k: v for k, v in obj.items() if k != "object_marking_refs"}
    if refs:
        out["object_marking_refs"] = refs
    return out


__all__ = [
    "KNOWN_TYPES",
    "SPEC_VERSION",
    "TLP_IDS",
    "Checked",
    "canonical",
    "check",
    "is_standard_marking",
    "marking_of",
    "nation_of_rel",
    "precise_time",
    "rel_marking",
    "rel_marking_id",
    "stix_time",
    "tlp_marking",
    "version_text",
    "with_marking",
]
