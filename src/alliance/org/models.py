"""Org desk inputs and views: HQs, units (MIL-STD-2525 SIDC), command relationships."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from alliance.core.glossary import term
from alliance.core.i18n import Text
from alliance.core.models import (
    Label,
    LongText,
    MarkingIn,
    Moment,
    Name,
    Nation,
    OwnedOut,
    ShortName,
    ShortText,
    Slug,
    Strict,
    TimeOut,
    Title,
    Version,
)
from alliance.core.sidc import Sidc


class HqKind(StrEnum):
    """Kinds of headquarters; their names in both languages are glossary terms
    ``hq_kind_<value>``."""

    MINISTRY = "ministry"
    COMBATANT_COMMAND = "combatant_command"
    SUBORDINATE_UNIFIED_COMMAND = "subordinate_unified_command"
    JOINT_HQ = "joint_hq"
    SERVICE_COMPONENT_COMMAND = "service_component_command"
    COMPONENT = "component"
    FORCE_HQ = "force_hq"
    SERVICE_HQ = "service_hq"
    STAFF = "staff"
    OTHER = "other"

    @property
    def label(self) -> Text:
        return term(f"hq_kind_{self.value}")


class Domain(StrEnum):
    LAND = "land"
    MARITIME = "maritime"
    AIR = "air"
    SPACE = "space"
    CYBER = "cyber"
    JOINT = "joint"


class RelKind(StrEnum):
    """Command relationships (JP 1 / JP 3-0 terms) and support relationships."""

    COCOM = "cocom"
    OPCON = "opcon"
    TACON = "tacon"
    ADCON = "adcon"
    GENERAL_SUPPORT = "general_support"
    MUTUAL_SUPPORT = "mutual_support"
    DIRECT_SUPPORT = "direct_support"
    CLOSE_SUPPORT = "close_support"
    DUAL_HAT = "dual_hat"
    """A component that serves a joint HQ under a dual-hatted commander while
    it stays under its own service component command."""

    @property
    def is_command(self) -> bool:
        return self in COMMAND_KINDS

    @property
    def same_nation(self) -> bool:
        """Command relationships and dual-hat links never cross nations."""
        return self in COMMAND_KINDS or self is RelKind.DUAL_HAT

    @property
    def label(self) -> Text:
        return term(f"rel_{self.value}")


COMMAND_KINDS = frozenset({RelKind.COCOM, RelKind.OPCON, RelKind.TACON, RelKind.ADCON})

# Names in both languages, from the glossary (core/glossary/org.yaml).
REL_NAMES: dict[RelKind, Text] = {kind: kind.label for kind in RelKind}


class HqIn(Strict):
    id: Slug | None = None
    nation: Nation
    parent_id: Slug | None = None
    kind: HqKind
    name_en: Name
    name_ja: Name
    short_en: ShortName
    short_ja: ShortName
    location_en: ShortText = ""
    location_ja: ShortText = ""
    note_en: LongText = ""
    note_ja: LongText = ""
    operational_authority: bool = False
    marking: MarkingIn = Field(default_factory=MarkingIn)


class HqPatch(Strict):
    version: Version | None = Field(default=None, description="Refuse if the object has moved on")
    name_en: Name | None = None
    name_ja: Name | None = None
    short_en: ShortName | None = None
    short_ja: ShortName | None = None
    location_en: ShortText | None = None
    location_ja: ShortText | None = None
    note_en: LongText | None = None
    note_ja: LongText | None = None
    marking: MarkingIn | None = None


class HqOut(OwnedOut):
    parent_id: str | None
    kind: HqKind
    kind_name: dict[str, str]
    name_en: str
    name_ja: str
    short_en: str
    short_ja: str
    location_en: str
    location_ja: str
    note_en: str
    note_ja: str
    operational_authority: bool


class UnitIn(Strict):
    id: Slug | None = None
    hq_id: Slug
    name_en: Name
    name_ja: Name
    sidc: Sidc
    domain: Domain
    echelon: Label = ""
    home_en: ShortText = ""
    home_ja: ShortText = ""
    marking: MarkingIn = Field(default_factory=MarkingIn)


class UnitPatch(Strict):
    version: Version | None = None
    hq_id: Slug | None = None
    name_en: Name | None = None
    name_ja: Name | None = None
    sidc: Sidc | None = None
    domain: Domain | None = None
    echelon: Label | None = None
    home_en: ShortText | None = None
    home_ja: ShortText | None = None
    marking: MarkingIn | None = None


class UnitOut(OwnedOut):
    hq_id: str
    name_en: str
    name_ja: str
    sidc: str
    domain: Domain
    echelon: str
    home_en: str
    home_ja: str


class Party(Strict):
    kind: Literal["hq", "unit"]
    id: Slug


class RelationshipIn(Strict):
    """For support kinds, ``superior`` is the supported and ``subordinate`` the supporting force."""

    kind: RelKind
    superior: Party
    subordinate: Party
    valid_from: Moment
    valid_to: Moment | None = None
    caveats_en: LongText = ""
    caveats_ja: LongText = ""
    marking: MarkingIn = Field(default_factory=MarkingIn)


class RelationshipOut(OwnedOut):
    kind: RelKind
    kind_name: dict[str, str]
    superior: Party
    subordinate: Party
    valid_from: TimeOut
    valid_to: TimeOut | None
    caveats_en: str
    caveats_ja: str
    state: str
    in_force: bool


class CounterpartIn(Strict):
    hq_id: Slug
    partner_hq_id: Slug
    note_en: LongText = ""
    note_ja: LongText = ""
    marking: MarkingIn = Field(default_factory=MarkingIn)


class CounterpartOut(OwnedOut):
    hq_id: str
    partner_hq_id: str
    note_en: str
    note_ja: str


class TaskingIn(Strict):
    unit_id: Slug
    title: Title
    detail: LongText = ""
    due: Moment | None = None
    marking: MarkingIn = Field(default_factory=MarkingIn)


class TaskingOut(OwnedOut):
    unit_id: str
    issuing_hq_id: str
    title: str
    detail: str
    due: TimeOut | None
    state: str


class NationOut(BaseModel):
    code: str
    name_en: str
    name_ja: str
    hosted_here: bool
