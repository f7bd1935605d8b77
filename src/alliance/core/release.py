"""The one release rule: is this released to nation X? (need to share, proven).

:class:`~alliance.core.markings.Marking` decides; every other form of the
question is derived here, so that no layer re-expresses the rule:

* :func:`releases` — the rule itself: an item is released to a nation when its
  marking names that nation, and always to its owner. The TLP level never
  widens or narrows a release: it says what a recipient may do with the item,
  not who receives it (TLP 2.0, https://www.first.org/tlp/).
* :func:`rel_text` / :func:`rel_nations` — the compact column form
  (``"JPN,USA"``) stored beside every owned row and ledger event, and back.
* :func:`index_nations` — what the release index stores for a row
  (:mod:`alliance.store.release_index`): one entry per nation the rule
  releases the row to, the owner included.
* :func:`released_body` — the check on a signed body (a ledger event or an
  event carried on the federation wire): its own ``marking`` decides, never a
  copied column.
* :func:`banner` / :func:`page_banner` / :class:`PageMarking` — the banner line
  of one marking, and of a page showing several items (the marking they all
  share: the nations every item is released to and the strictest TLP, never
  wider than any source), also kept up to date item by item for a live page.
  The API sends these texts; the console displays them and builds none.

Pure: no database, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .i18n import Text

if TYPE_CHECKING:
    from .markings import Marking

CLASSIFICATION = Text("UNCLASSIFIED", "非秘密")


def releases(nations: Collection[str], nation: str, owner: str | None = None) -> bool:
    """The rule: released to ``nation`` when the marking names it, or when it owns the item."""
    return nation == owner or nation in nations


def released(marking: Marking, nation: str, owner: str | None = None) -> bool:
    """:func:`releases` for a :class:`Marking`."""
    return releases(marking.releasable_to, nation, owner)


def rel_text(nations: Iterable[str]) -> str:
    """The compact column form: sorted trigraphs joined by commas (``"JPN,USA"``)."""
    return ",".join(sorted(set(nations)))


def rel_nations(rel: str | None) -> frozenset[str]:
    """The nations of a compact column form; ``""`` (a withdrawn replica) names none."""
    return frozenset(n for n in (rel or "").split(",") if n)


def index_nations(owner: str, rel: str | None) -> frozenset[str]:
    """What the release index stores for a row: every nation it is released to."""
    return rel_nations(rel) | {owner}


def released_rel(rel: str | None, nation: str, owner: str | None = None) -> bool:
    """:func:`releases` on the compact column form."""
    return releases(rel_nations(rel), nation, owner)


def body_nations(body: Mapping[str, Any]) -> frozenset[str] | None:
    """The nations a signed event body's own marking names
    (``{"marking": {"releasable_to": [...]}}``), or None when it has no such list."""
    marking = body.get("marking")
    nations = marking.get("releasable_to") if isinstance(marking, Mapping) else None
    if not isinstance(nations, list) or not all(isinstance(n, str) for n in nations):
        return None
    return frozenset(nations)


def body_owner(body: Mapping[str, Any]) -> str | None:
    obj = body.get("object")
    owner = obj.get("owner") if isinstance(obj, Mapping) else None
    return owner if isinstance(owner, str) else None


def released_body(body: Mapping[str, Any], nation: str) -> bool:
    """Whether a signed event body releases itself to ``nation``: its own marking
    decides (never a column copied beside it), and its owner (``object.owner``)
    always sees it. A body without a well-formed marking releases nothing else."""
    return releases(body_nations(body) or frozenset(), nation, body_owner(body))


def banner(nations: Iterable[str], tlp: str | None) -> Text:
    """The banner line, e.g. ``UNCLASSIFIED//REL TO JPN, USA//TLP:AMBER``, in both languages."""
    ns = sorted(set(nations))
    if not ns:
        rel = Text("NOT RELEASABLE", "提供不可")
    elif len(ns) == 1:
        rel = Text(f"{ns[0]} ONLY", f"{ns[0]}限り")
    else:
        joined = ", ".join(ns)
        rel = Text(f"REL TO {joined}", f"{joined} へ提供可")
    en = f"{CLASSIFICATION.en}//{rel.en}"
    ja = f"{CLASSIFICATION.ja}//{rel.ja}"
    if tlp:
        en += f"//TLP:{tlp}"
        ja += f"//TLP:{tlp}"
    return Text(en, ja)


def page_marking(markings: Iterable[Marking], nation: str) -> Marking:
    """The marking of a page (a picture, an export) showing these items to
    ``nation``: what they all share (:meth:`Marking.combine`); with no item at
    all, ``nation`` alone."""
    from .markings import Marking  # markings derives its own forms from this module

    page: Marking | None = None
    for m in markings:
        page = m if page is None else page.combine(m)
    return page if page is not None else Marking(frozenset({nation}))


def page_banner(markings: Iterable[Marking], nation: str) -> Text:
    """The banner of a page showing items with these markings to ``nation``."""
    page = page_marking(markings, nation)
    return banner(page.releasable_to, page.tlp.value if page.tlp else None)


class PageMarking:
    """The marking of a page that changes item by item (a live picture): the
    items shown, by key, and the :func:`page_marking` they share. An item put
    again under its key replaces the one shown before (a console shows one
    track per uid)."""

    def __init__(self, nation: str) -> None:
        self.nation = nation
        self._items: dict[Hashable, Marking] = {}
        self._counts: Counter[Marking] = Counter()

    def put(self, key: Hashable, marking: Marking) -> None:
        self.drop(key)
        self._items[key] = marking
        self._counts[marking] += 1

    def drop(self, key: Hashable) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._counts[old] -= 1
            if not self._counts[old]:
                del self._counts[old]

    @property
    def marking(self) -> Marking:
        """What every item shown shares (the distinct markings are few: cheap)."""
        return page_marking(self._counts, self.nation)

    @property
    def banner(self) -> Text:
        m = self.marking
        return banner(m.releasable_to, m.tlp.value if m.tlp else None)


__all__ = [
    "CLASSIFICATION",
    "PageMarking",
    "banner",
    "body_nations",
    "body_owner",
    "index_nations",
    "page_banner",
    "page_marking",
    "rel_nations",
    "rel_text",
    "released",
    "released_body",
    "released_rel",
    "releases",
]
