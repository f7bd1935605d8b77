"""The disclosure desk: widening a release beyond the owner nation is proposed by
the owner's staff and approved by its foreign disclosure officer (issue 11).

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
from .models import ProposalDecisionIn, ProposalIn, ProposalOut, ProposalState
from .tables import DISCLOSURE_PROPOSAL, ProposalRow

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
    object_types=(DISCLOSURE_PROPOSAL,),
    make=_make,
    routes=_routes,
)

__all__ = [
    "DESK",
    "DISCLOSURE_PROPOSAL",
    "DisclosureDesk",
    "ProposalDecisionIn",
    "ProposalIn",
    "ProposalOut",
    "ProposalRow",
    "ProposalState",
]
