"""Each nation's marking practice: the banner line and portion mark a viewer of
that nation reads, in both languages, with the TLP as a label of its own.

Sources (also in ``core/glossary/markings.yaml``): NARA, *CUI Registry: Limited
Dissemination Controls* (NOFORN / NF, REL TO [USA, LIST]); DoDM 5200.01 Vol. 2,
Encl. 4 para. 10 (USA first, then the others alphabetically); the Cabinet's
answer 内閣衆質一〇四第一八号 of 16 May 1986 (the Ministry of Defense marks
documents needing careful handling 「部内限り」 or 「注意」); FIRST TLP 2.0.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alliance.core import release
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut

GLOSSARY = Path(release.__file__).parent / "glossary" / "markings.yaml"

# (owner, released to, viewer) -> banner (en, ja), portion (en, ja)
TABLE = [
    # A US viewer: CUI, USA first, then the others alphabetically; US-only is NOFORN.
    (
        "JPN",
        ["USA"],
        "USA",
        ("CUI//REL TO USA, JPN", "CUI//REL TO USA, JPN"),
        ("(CUI//REL TO USA, JPN)", "(CUI//REL TO USA, JPN)"),
    ),
    (
        "USA",
        ["JPN"],
        "USA",
        ("CUI//REL TO USA, JPN", "CUI//REL TO USA, JPN"),
        ("(CUI//REL TO USA, JPN)", "(CUI//REL TO USA, JPN)"),
    ),
    (
        "USA",
        ["JPN", "GBR", "AUS"],
        "USA",
        ("CUI//REL TO USA, AUS, GBR, JPN", "CUI//REL TO USA, AUS, GBR, JPN"),
        ("(CUI//REL TO USA, AUS, GBR, JPN)", "(CUI//REL TO USA, AUS, GBR, JPN)"),
    ),
    ("USA", [], "USA", ("CUI//NOFORN", "CUI//NOFORN"), ("(CUI//NF)", "(CUI//NF)")),
    # A Japanese viewer: the Ministry of Defense's own terms, Japan first.
    (
        "JPN",
        [],
        "JPN",
        ("BUNAI KAGIRI (INTERNAL ONLY)", "部内限り"),
        ("(BUNAI KAGIRI)", "（部内限り）"),
    ),
    (
        "USA",
        ["JPN"],
        "JPN",
        ("CHUI (HANDLE WITH CARE)//RELEASABLE TO JPN, USA", "注意（提供先：JPN, USA）"),
        ("(CHUI)", "（注意）"),
    ),
    (
        "JPN",
        ["USA", "AUS"],
        "JPN",
        ("CHUI (HANDLE WITH CARE)//RELEASABLE TO JPN, AUS, USA", "注意（提供先：JPN, AUS, USA）"),
        ("(CHUI)", "（注意）"),
    ),
    # A nation with no practice here: the neutral text, its own nation first.
    (
        "USA",
        ["JPN", "AUS"],
        "AUS",
        ("UNCLASSIFIED//REL TO AUS, JPN, USA", "非秘密//AUS, JPN, USA へ提供可"),
        ("(U//REL TO AUS, JPN, USA)", "（非秘密//AUS, JPN, USA へ提供可）"),
    ),
    (
        "GBR",
        ["USA"],
        "USA",
        ("CUI//REL TO USA, GBR", "CUI//REL TO USA, GBR"),
        ("(CUI//REL TO USA, GBR)", "(CUI//REL TO USA, GBR)"),
    ),
]


@pytest.mark.parametrize(("owner", "rel", "viewer", "banner", "portion"), TABLE)
def test_each_viewer_reads_the_marking_as_their_nation_writes_it(
    owner: str,
    rel: list[str],
    viewer: str,
    banner: tuple[str, str],
    portion: tuple[str, str],
) -> None:
    marks = Marking.of(owner, rel, "amber").marks(viewer)
    assert (marks.banner.en, marks.banner.ja) == banner
    assert (marks.portion.en, marks.portion.ja) == portion


@pytest.mark.parametrize("viewer", ["USA", "JPN", "AUS", None])
def test_the_tlp_is_never_inside_a_banner_or_portion_mark(viewer: str | None) -> None:
    marking = Marking.of("JPN", ["USA"], "amber+strict")
    marks = marking.marks(viewer)
    for text in (marks.banner, marks.portion):
        assert "TLP" not in text.en
        assert "TLP" not in text.ja
    out = MarkingOut.of(marking, viewer)
    assert out.tlp_label is not None
    assert out.tlp_label.en == out.tlp_label.ja == "TLP:AMBER+STRICT"
    assert MarkingOut.of(Marking.of("JPN", ["USA"]), viewer).tlp_label is None


def test_us_only_is_noforn_never_usa_only() -> None:
    marks = Marking.national("USA").marks("USA")
    assert "ONLY" not in marks.banner.en
    assert marks.banner.en == "CUI//NOFORN"


def test_a_view_carries_the_owners_marking_and_each_readers() -> None:
    """An object's own view: the banner as its owner writes it, and how each
    nation it is released to writes it (a console shows its own user's)."""
    out = MarkingOut.of(Marking.of("JPN", ["USA"]), "JPN")
    assert out.banner.ja == "注意（提供先：JPN, USA）"
    assert out.portion.ja == "（注意）"
    assert sorted(out.by_nation) == ["JPN", "USA"]
    assert out.by_nation["USA"].banner.en == "CUI//REL TO USA, JPN"
    assert out.by_nation["USA"].portion.en == "(CUI//REL TO USA, JPN)"
    assert out.by_nation["JPN"].banner.en == "CHUI (HANDLE WITH CARE)//RELEASABLE TO JPN, USA"


def test_a_live_page_is_marked_for_its_viewer_and_narrows_as_items_come() -> None:
    page = release.PageMarking("USA")
    page.put("a", Marking.of("JPN", ["USA", "AUS"], "green"))
    assert page.banner.en == "CUI//REL TO USA, AUS, JPN"
    page.put("b", Marking.of("USA", ["JPN"], "amber"))
    assert page.banner.en == "CUI//REL TO USA, JPN"
    assert page.marking.tlp_label is not None
    assert page.marking.tlp_label.en == "TLP:AMBER"


def _glossary() -> dict[str, dict[str, object]]:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    return {t["id"]: t for t in data["terms"]}


def test_the_marking_terms_rendered_are_the_glossarys_and_each_is_sourced() -> None:
    terms = _glossary()
    assert terms["marking_chui"]["ja"] == release.JP_CAUTION.ja
    assert terms["marking_bunai_kagiri"]["ja"] == release.JP_INTERNAL.ja
    assert str(terms["marking_noforn"]["en"]).startswith(release.US_NOFORN)
    assert f"portion mark {release.US_NOFORN_PORTION}" in str(terms["marking_noforn"]["en"])
    assert str(terms["marking_rel_to"]["en"]).startswith("REL TO [USA, LIST]")
    assert terms["marking_released_to"]["ja"] == "提供先"
    assert terms["marking_not_releasable"]["ja"] == release.NOT_RELEASABLE.ja
    for ident in ("marking_cui", "marking_noforn", "marking_rel_to", "marking_chui"):
        source = terms[ident]["source"]
        assert isinstance(source, dict)
        assert {"title", "publisher", "url", "read"} <= source.keys(), ident


def test_every_glossary_term_has_both_languages_and_paired_notes() -> None:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    ids = [t["id"] for t in data["terms"]]
    assert len(ids) == len(set(ids))
    for term in data["terms"]:
        assert term["en"], term["id"]
        assert term["ja"], term["id"]
        assert ("note_en" in term) == ("note_ja" in term), term["id"]
