"""The disclosure desk: releasing beyond the owner nation rests on the owner's
foreign disclosure officer — standing guidance for what staff may release, and
approval of proposals for the rest (issue 11).

See :mod:`alliance.disclosure.desk`; the rule that a direct edit may narrow but
never widen a release is :func:`alliance.store.owned.change_owned`'s, and who
approves is :func:`alliance.core.authority.authorize_disclosure`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.store.context import DeskContext

from .desk import DisclosureDesk
from .guidance import NATIONAL_ONLY, covering
from .models import (
    GuidanceIn,
    GuidanceOut,
    ProposalDecisionIn,
    ProposalIn,
    ProposalOut,
    ProposalState,
)
from .tables import DISCLOSURE_GUIDANCE, DISCLOSURE_PROPOSAL, GuidanceRow, ProposalRow

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> DisclosureDesk:
    return DisclosureDesk(ctx)


def _routes() -> APIRouter:
    from .routes import router

    return router


DESK = DeskSpec(
    name="disclosure",
    label=Text("Disclosure", "対外開示"),
    object_types=(DISCLOSURE_PROPOSAL, DISCLOSURE_GUIDANCE),
    make=_make,
    routes=_routes,
)

__all__ = [
    "DESK",
    "DISCLOSURE_GUIDANCE",
    "DISCLOSURE_PROPOSAL",
    "NATIONAL_ONLY",
    "DisclosureDesk",
    "GuidanceIn",
    "GuidanceOut",
    "GuidanceRow",
    "ProposalDecisionIn",
    "ProposalIn",
    "ProposalOut",
    "ProposalRow",
    "ProposalState",
    "covering",
]
