"""The rules of the authorization matrix: who calls, on what, and what must come back.

``test_matrix`` holds the rows of the product's desks; a desk's test package
declares the rows of its own routes with these (``tests/<desk>/matrix.py``,
see ``matrix_desks``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alliance.core.authority import Role

from .matrix_world import NAT, PARTNER, REL, TOP_HQ, Side, _request

API = "/api/v1"

# -- who calls ----------------------------------------------------------------

DISABLED = "disabled user"
ANONYMOUS = "no token"
WHO: list[Role | str] = [*Role, DISABLED, ANONYMOUS]

CDR = frozenset({Role.COMMANDER})
CDR_STAFF = frozenset({Role.COMMANDER, Role.STAFF_OFFICER})
CDR_STAFF_LO = frozenset({Role.COMMANDER, Role.STAFF_OFFICER, Role.LIAISON_OFFICER})
MONITORS = frozenset({Role.COMMANDER, Role.STAFF_OFFICER, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})
EVERYONE = frozenset(Role)

# -- what is called on ----------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """``whose``: own, partner, missing (an id nobody holds) or none (the route
    takes no object); ``mark``: released or national; ``kind`` for the routes
    that take any type (the ledger's object history)."""

    whose: str
    mark: str = ""
    kind: str = ""

    def __str__(self) -> str:
        return " ".join(p for p in (self.whose, self.mark, self.kind) if p)


NONE = Subject("none")
OWN_REL, OWN_NAT = Subject("own", REL), Subject("own", NAT)
PAR_REL, PAR_NAT = Subject("partner", REL), Subject("partner", NAT)
MISSING = Subject("missing")

# -- what must come back --------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code or ''}".strip()


OK, CREATED = Expect(200), Expect(201)
NOT_FOUND = Expect(404, "not_found")
ROLE_REFUSED = Expect(403, "role_not_authorized")
NOT_OWNER = Expect(403, "not_owner_nation")
NOT_IN_CHAIN = Expect(403, "not_in_chain")
WRONG_STATE = Expect(409, "wrong_state")

Rule = Callable[[Role, Subject], Expect]


PUBLIC: set[Rule] = set()


def public(ok: Expect) -> Rule:
    """Anyone, signed in or not."""

    def rule(_role: Role, _s: Subject) -> Expect:
        return ok

    PUBLIC.add(rule)
    return rule


def signed_in(ok: Expect) -> Rule:
    """Any signed-in user of the node's nation."""
    return lambda _role, _s: ok


def node_role(roles: frozenset[Role], ok: Expect) -> Rule:
    """An action on the node itself (users, ledger verification, federation links)."""
    return lambda role, _s: ok if role in roles else ROLE_REFUSED


def node_role_on(roles: frozenset[Role], ok: Expect) -> Rule:
    """As :func:`node_role`, on a thing of this node (a user, a partner link):
    someone else's or an unknown one is not found."""

    def rule(role: Role, s: Subject) -> Expect:
        if role not in roles:
            return ROLE_REFUSED
        return ok if s.whose == "own" else NOT_FOUND

    return rule


def _visible(s: Subject) -> bool:
    """Own objects, and the partner's released ones."""
    return s.whose == "own" or (s.whose == "partner" and s.mark == REL)


def view(ok: Expect = OK) -> Rule:
    """Everyone sees what is their nation's or released to it; the rest does not exist."""
    return lambda _role, s: ok if _visible(s) else NOT_FOUND


def owner_acts(
    roles: frozenset[Role],
    ok: Expect,
    *,
    state: dict[Subject, Expect] | None = None,
    liaison: Expect | None = None,
) -> Rule:
    """Only the owning nation's chain of command, in ``roles``: a partner may not
    (even on what is released to it), and what is not released does not exist.
    ``state``: the answer when authority is granted but the object's state
    forbids the step; ``liaison``: a liaison officer acts only for their own HQ."""

    def rule(role: Role, s: Subject) -> Expect:
        if not _visible(s):
            return NOT_FOUND
        if role not in roles:
            return ROLE_REFUSED
        if s.whose == "partner":
            return NOT_OWNER
        if role is Role.LIAISON_OFFICER and liaison is not None:
            return liaison
        return (state or {}).get(s, ok)

    return rule


def any_nation_may(
    roles: frozenset[Role], ok: Expect, *, state_first: dict[Subject, Expect] | None = None
) -> Rule:
    """Owner and partner alike, on what they see (a comment; a member's own meeting
    or action item in a working group). ``state_first``: the object's state is
    checked before the role (a draft takes no comment from anyone)."""

    def rule(role: Role, s: Subject) -> Expect:
        if not _visible(s):
            return NOT_FOUND
        if s in (state_first or {}):
            return (state_first or {})[s]
        return ok if role in roles else ROLE_REFUSED

    return rule


# -- how a cell is called ----------------------------------------------------------


@dataclass
class Call:
    side: Side
    other: Side
    subject: Subject
    kind: str
    fresh: bool
    serial: int

    @property
    def owner(self) -> str:
        """The nation whose object is named (the partner's, for an unknown id)."""
        return self.side.nation if self.subject.whose == "own" else self.other.nation

    @property
    def owner_top(self) -> str:
        return TOP_HQ[self.owner]

    @property
    def counter_top(self) -> str:
        """The top HQ of the nation that does not own the named object."""
        return TOP_HQ[PARTNER[self.owner]]

    @property
    def ident(self) -> str:
        s, kind = self.subject, self.subject.kind or self.kind
        if s.whose == "none":
            return ""
        if kind == "user":
            return {"own": "", "partner": self.other.user_id}.get(
                s.whose, "01missinguser0000000000000"
            )
        if kind == "partner_link":
            return self.other.nation if s.whose == "own" else "FRA"
        if s.whose == "missing":
            return "mx-missing" if kind == "track" else f"{self.other.nation.lower()}-mx-missing"
        holder = self.side if s.whose == "own" else self.other
        if self.fresh and s.whose == "own":
            return _request(holder, f"fresh {self.serial}", send=s.mark == REL)
        if kind == "concurred_request" and s.mark == NAT:
            kind = "coordination_request"  # a draft: national-only
        return holder.obj(kind, s.mark)

    def released_to_both(self) -> dict[str, Any]:
        """Released to both nations, unless it names a national-only object: a
        released object naming it would tell the partner its id (the desks allow
        that today; the matrix does not do it)."""
        if self.subject.mark == NAT:
            return {"releasable_to": []}
        return {"releasable_to": [PARTNER[self.owner]]}


Body = Callable[[Call, str], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    rule: Rule
    kind: str = ""  # the object named by the path or the body; "" when none
    body: Body | None = None
    params: Callable[[Call, str], dict[str, str]] | None = None
    fresh: bool = False  # own objects: a new one per cell (the step uses it up)
    stream: bool = False  # served live: the matrix reads its first events
    # How a fresh own object is made (default: a coordination request).
    make: Callable[[Call], str] | None = None
    # A body that is not JSON: (content type, bytes), e.g. an uploaded sheet.
    content: Callable[[Call, str], tuple[str, bytes]] | None = None
    # The path, where it names more than the one object (a TAXII object in its
    # collection): built from the call and the named object's id.
    path_of: Callable[[Call, str], str] | None = None
