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
* :func:`marks` / :func:`banner` / :func:`portion` — the banner line and the
  portion mark of one marking *as the viewer's nation writes it* (below), and
  :func:`tlp_label`, the TLP label shown beside the banner, never inside it.
* :func:`page_banner` / :class:`PageMarking` — the banner line of a page
  showing several items to a viewer (the marking they all share: the nations
  every item is released to and the strictest TLP, never wider than any
  source), also kept up to date item by item for a live page. The API sends
  these texts; the console displays them and builds none.

Each nation's practice (sources: ``core/glossary/markings.yaml``):

* **USA** — unclassified controlled information is CUI (DoDI 5200.48, 6 March
  2020); its limited dissemination controls are ``NOFORN`` (portion ``NF``)
  and ``REL TO [USA, LIST]`` (NARA, *CUI Registry: Limited Dissemination
  Controls*, https://www.archives.gov/cui/registry/limited-dissemination, read
  2026-12-02). The list starts with USA and names the others in alphabetical
  order of their trigraphs (DoDM 5200.01 Vol. 2, Encl. 4 ¶10, e.g. ``(S//REL TO
  USA, AUS)``, ``REL TO USA, AUS, CAN, GBR``). So a US viewer reads
  ``CUI//REL TO USA, JPN`` and, for what only the US may read,
  ``CUI//NOFORN``. US control markings are prescribed strings: a US viewer
  reads the same marking in the Japanese console.
* **JPN** — the Ministry of Defense marks documents "whose careless disclosure
  to persons outside the ministry or not involved in the matter could hinder
  its work" (取扱い上の注意を要する文書等) 「部内限り」 or 「注意」 (Cabinet
  answer to House of Representatives question 104-18, 16 May 1986,
  https://www.shugiin.go.jp/internet/itdb_shitsumona.nsf/html/shitsumon/b104018.htm,
  read 2026-12-02). Japan publishes no release list like REL TO for such
  documents; this system writes Japan-only items 部内限り, items released to
  partners 注意 with the nations it is released to (提供先), Japan first.
* **Any other viewer** (and no viewer: a neutral text) — ``UNCLASSIFIED//REL
  TO …`` with the viewer's own nation first.

TLP 2.0 (FIRST, https://www.first.org/tlp/) says what a recipient may do with
the item; it is a label of its own, never part of a banner or portion mark.

Pure: no database, no I/O.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
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


@functools.lru_cache(maxsize=4096)
def rel_nations(rel: str | None) -> frozenset[str]:
    """The nations of a compact column form; ``""`` (a withdrawn replica) names none.
    (Kept: a node has few distinct forms, and every row read asks.)"""
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


@dataclass(frozen=True, slots=True)
class Marks:
    """A marking as one nation's practice writes it: the banner line (top and
    bottom of a page) and the portion mark (before one item), both languages."""

    banner: Text
    portion: Text


USA, JPN = "USA", "JPN"

US_CUI = "CUI"
US_NOFORN, US_NOFORN_PORTION = "NOFORN", "NF"
JP_INTERNAL = Text("BUNAI KAGIRI (INTERNAL ONLY)", "部内限り")
JP_INTERNAL_PORTION = Text("(BUNAI KAGIRI)", "（部内限り）")
JP_CAUTION = Text("CHUI (HANDLE WITH CARE)", "注意")
JP_CAUTION_PORTION = Text("(CHUI)", "（注意）")
NOT_RELEASABLE = Text("NOT RELEASABLE", "提供不可")


def listed(nations: Iterable[str], first: str | None) -> list[str]:
    """The nations as a release list writes them: ``first`` (the viewer's own
    nation, when named) first, the others in alphabetical order."""
    ns = sorted(set(nations))
    if first in ns:
        ns.remove(first)
        ns.insert(0, first)
    return ns


def _usa(nations: frozenset[str]) -> Marks:
    if not nations:
        return _same(f"{US_CUI}//{NOT_RELEASABLE.en}", f"({US_CUI}//{NOT_RELEASABLE.en})")
    if nations == {USA}:
        return _same(f"{US_CUI}//{US_NOFORN}", f"({US_CUI}//{US_NOFORN_PORTION})")
    rel = "REL TO " + ", ".join(listed(nations, USA))
    return _same(f"{US_CUI}//{rel}", f"({US_CUI}//{rel})")


def _same(banner: str, portion: str) -> Marks:
    """A marking whose text is prescribed (US control markings): the same in both languages."""
    return Marks(Text(banner, banner), Text(portion, portion))


def _jpn(nations: frozenset[str]) -> Marks:
    if not nations:
        return Marks(NOT_RELEASABLE, Text(f"({NOT_RELEASABLE.en})", f"（{NOT_RELEASABLE.ja}）"))
    if nations == {JPN}:
        return Marks(JP_INTERNAL, JP_INTERNAL_PORTION)
    joined = ", ".join(listed(nations, JPN))
    return Marks(
        Text(f"{JP_CAUTION.en}//RELEASABLE TO {joined}", f"{JP_CAUTION.ja}（提供先：{joined}）"),
        JP_CAUTION_PORTION,
    )


def _neutral(nations: frozenset[str], viewer: str | None) -> Marks:
    ns = listed(nations, viewer)
    if not ns:
        rel = NOT_RELEASABLE
    elif len(ns) == 1:
        rel = Text(f"{ns[0]} ONLY", f"{ns[0]}限り")
    else:
        joined = ", ".join(ns)
        rel = Text(f"REL TO {joined}", f"{joined} へ提供可")
    return Marks(
        Text(f"{CLASSIFICATION.en}//{rel.en}", f"{CLASSIFICATION.ja}//{rel.ja}"),
        Text(f"(U//{rel.en})", f"（{CLASSIFICATION.ja}//{rel.ja}）"),
    )


PRACTICES: dict[str, Callable[[frozenset[str]], Marks]] = {USA: _usa, JPN: _jpn}
"""The nations whose published marking practice is followed, by trigraph."""


def marks(nations: Iterable[str], viewer: str | None = None) -> Marks:
    """The banner line and portion mark of a release to ``nations`` as the
    ``viewer``'s nation writes them (its practice when it has one here, else
    the neutral text with the viewer's nation first)."""
    ns = frozenset(nations)
    practice = PRACTICES.get(viewer) if viewer is not None else None
    return practice(ns) if practice is not None else _neutral(ns, viewer)


def banner(nations: Iterable[str], viewer: str | None = None) -> Text:
    """The banner line for ``viewer`` (e.g. ``CUI//REL TO USA, JPN`` for USA).
    Never the TLP: see :func:`tlp_label`."""
    return marks(nations, viewer).banner


def portion(nations: Iterable[str], viewer: str | None = None) -> Text:
    """The portion mark for ``viewer`` (e.g. ``(CUI//NF)`` for USA, （注意） for JPN)."""
    return marks(nations, viewer).portion


def tlp_label(tlp: str | None) -> Text | None:
    """The TLP 2.0 label shown beside the banner (``TLP:AMBER``), or None. FIRST
    writes the labels in English in every language, so both texts are the same."""
    if not tlp:
        return None
    label = f"TLP:{tlp}"
    return Text(label, label)


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
    """The banner of a page showing items with these markings to ``nation``, as
    that nation writes it (the page's TLP is :func:`tlp_label` of
    :func:`page_marking`, shown beside it)."""
    return banner(page_marking(markings, nation).releasable_to, nation)


class PageMarking:
    """The marking of a page that changes item by item (a live picture): the
    items shown, by key, and the :func:`page_marking` they share. An item put
    again under its key replaces the one shown before (a console shows one
    track per uid). Each item may carry a label (a track's callsign; a
    :class:`Text` when it has one in each language) so that the page can say
    which items set its banner (:func:`alliance.core.markings.banner_note`)."""

    def __init__(self, nation: str) -> None:
        self.nation = nation
        self._items: dict[Hashable, Marking] = {}
        self._counts: Counter[Marking] = Counter()
        # The keys shown under each distinct marking, in the order first shown.
        self._keys: dict[Marking, dict[Hashable, None]] = {}
        self._labels: dict[Hashable, str | Text] = {}

    def put(self, key: Hashable, marking: Marking, label: str | Text | None = None) -> None:
        self.drop(key)
        self._items[key] = marking
        self._counts[marking] += 1
        self._keys.setdefault(marking, {})[key] = None
        if label:
            self._labels[key] = label

    def drop(self, key: Hashable) -> None:
        old = self._items.pop(key, None)
        self._labels.pop(key, None)
        if old is not None:
            self._counts[old] -= 1
            del self._keys[old][key]
            if not self._counts[old]:
                del self._counts[old]
                del self._keys[old]

    @property
    def counts(self) -> Mapping[Marking, int]:
        """How many items are shown under each distinct marking."""
        return self._counts

    @property
    def total(self) -> int:
        return len(self._items)

    def labels(self, marking: Marking, at_most: int) -> list[Text]:
        """Up to ``at_most`` labels (else keys) of the items shown under
        ``marking``, in each language (a label given as one text is both)."""
        out: list[Text] = []
        for key in self._keys.get(marking, ()):
            if len(out) >= at_most:
                break
            label = self._labels.get(key) or str(key)
            out.append(label if isinstance(label, Text) else Text(label, label))
        return out

    @property
    def marking(self) -> Marking:
        """What every item shown shares (the distinct markings are few: cheap)."""
        return page_marking(self._counts, self.nation)

    @property
    def banner(self) -> Text:
        """The page's banner as its viewer's nation writes it."""
        return banner(self.marking.releasable_to, self.nation)


__all__ = [
    "CLASSIFICATION",
    "PRACTICES",
    "Marks",
    "PageMarking",
    "banner",
    "body_nations",
    "body_owner",
    "index_nations",
    "listed",
    "marks",
    "page_banner",
    "page_marking",
    "portion",
    "rel_nations",
    "rel_text",
    "released",
    "released_body",
    "released_rel",
    "releases",
    "tlp_label",
]
