"""Markings: releasability, TLP 2.0 and the banner line (need to share, proven)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.core.errors import InvalidInput
from alliance.core.markings import TLP, Marking, check_nation, parse_tlp

POOL = ["AUS", "CAN", "GBR", "JPN", "KOR", "PHL", "USA"]


def test_default_marking_is_national_only() -> None:
    marking = Marking.national("jpn")
    assert marking.releasable_to == frozenset({"JPN"})
    assert marking.tlp is None
    assert marking.releases_to("JPN")
    assert not marking.releases_to("USA")


def test_owner_is_always_in_its_own_marking() -> None:
    assert Marking.of("JPN", ["USA"]).releasable_to == frozenset({"JPN", "USA"})
    assert Marking.of("USA").releasable_to == frozenset({"USA"})
    assert Marking.of("JPN", ["usa", "USA", "jpn"]).nations == ["JPN", "USA"]


def test_combine_is_the_intersection_with_the_stricter_tlp() -> None:
    a = Marking.of("JPN", ["USA", "AUS"], "GREEN")
    b = Marking.of("USA", ["JPN"], "AMBER")
    product = a.combine(b)
    assert product.releasable_to == frozenset({"JPN", "USA"})
    assert product.tlp is TLP.AMBER


def test_combine_keeps_a_tlp_from_either_side() -> None:
    cyber = Marking.of("JPN", ["USA"], "RED")
    plain = Marking.of("JPN", ["USA"])
    assert plain.combine(cyber).tlp is TLP.RED
    assert cyber.combine(plain).tlp is TLP.RED
    assert plain.combine(plain).tlp is None


def test_combining_disjoint_markings_releases_to_nobody() -> None:
    product = Marking.national("JPN").combine(Marking.national("USA"))
    assert product.releasable_to == frozenset()
    assert not product.releases_to("JPN")
    assert product.banner.en == "UNCLASSIFIED//NOT RELEASABLE"
    assert product.banner.ja == "非秘密//提供不可"


def test_banner_national_only() -> None:
    banner = Marking.national("JPN").banner
    assert banner.en == "UNCLASSIFIED//JPN ONLY"
    assert banner.ja == "非秘密//JPN限り"


def test_the_neutral_banner_lists_nations_and_leaves_the_tlp_to_its_own_label() -> None:
    marking = Marking.of("USA", ["JPN", "AUS"], "amber+strict")
    assert marking.banner.en == "UNCLASSIFIED//REL TO AUS, JPN, USA"
    assert marking.banner.ja == "非秘密//AUS, JPN, USA へ提供可"
    assert marking.tlp_label is not None
    assert marking.tlp_label.as_dict() == {"en": "TLP:AMBER+STRICT", "ja": "TLP:AMBER+STRICT"}


@pytest.mark.parametrize("bad", ["XYZ", "JP", "JAPAN", "", "J1N"])
def test_invalid_trigraph_is_rejected_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Marking.of("JPN", ["USA", bad], field="request.marking")
    err = caught.value
    assert err.field == "request.marking.releasable_to"
    assert err.code == "invalid_nation"
    assert f"'{bad}'" in err.message.en
    assert f"「{bad}」" in err.message.ja


def test_invalid_owner_is_rejected_as_the_owner_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        Marking.national("XXX")
    assert caught.value.field == "owner"
    with pytest.raises(InvalidInput) as caught:
        Marking.of("XXX", ["JPN"])
    assert caught.value.field == "owner"


def test_check_nation_normalises_case_and_space() -> None:
    assert check_nation(" usa ") == "USA"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("amber", TLP.AMBER),
        ("TLP:AMBER+STRICT", TLP.AMBER_STRICT),
        (" red ", TLP.RED),
        ("tlp:clear", TLP.CLEAR),
        (TLP.GREEN, TLP.GREEN),
        (None, None),
        ("", None),
    ],
)
def test_tlp_levels_are_parsed(text: str | TLP | None, level: TLP | None) -> None:
    assert parse_tlp(text) is level


@pytest.mark.parametrize("bad", ["PURPLE", "WHITE", "AMBER-STRICT", "TLP:"])
def test_invalid_tlp_is_rejected_naming_the_field(bad: str) -> None:
    # WHITE was TLP 1.0; TLP 2.0 calls it CLEAR.
    with pytest.raises(InvalidInput) as caught:
        Marking.of("JPN", ["USA"], bad)
    err = caught.value
    assert err.field == "marking.tlp"
    assert err.code == "invalid_tlp"
    assert f"'{bad}'" in err.message.en
    assert f"「{bad}」" in err.message.ja


def test_tlp_levels_are_ordered_from_clear_to_red() -> None:
    ranks = [t.rank for t in (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)]
    assert ranks == sorted(set(ranks))


# -- properties ---------------------------------------------------------------

markings = st.builds(
    Marking,
    st.frozensets(st.sampled_from(POOL)),
    st.none() | st.sampled_from(list(TLP)),
)


@given(markings)
def test_marking_survives_json_and_columns(m: Marking) -> None:
    assert Marking.from_json(m.to_json()) == m
    assert Marking.from_columns(m.rel_text(), m.tlp.value if m.tlp else None) == m


@given(markings, markings)
def test_combine_is_commutative(a: Marking, b: Marking) -> None:
    assert a.combine(b) == b.combine(a)


@given(markings, markings, markings)
def test_combine_is_associative(a: Marking, b: Marking, c: Marking) -> None:
    assert a.combine(b).combine(c) == a.combine(b.combine(c))


@given(markings, markings)
def test_combine_never_widens(a: Marking, b: Marking) -> None:
    product = a.combine(b)
    assert product.releasable_to <= a.releasable_to
    assert product.releasable_to <= b.releasable_to
    for source in (a, b):
        if source.tlp is not None:
            assert product.tlp is not None
            assert product.tlp.rank >= source.tlp.rank
    for nation in POOL:
        if product.releases_to(nation):
            assert a.releases_to(nation)
            assert b.releases_to(nation)


@given(markings)
def test_combine_with_itself_changes_nothing(m: Marking) -> None:
    assert m.combine(m) == m


def test_the_banner_note_names_what_narrows_the_page_and_counts_the_rest() -> None:
    from alliance.core.markings import banner_note, page

    shared = Marking.of("JPN", ["USA"])
    own = Marking.of("JPN")
    items = [(f"t{i}", shared, f"BLUE {i}") for i in range(15)]
    items += [(f"n{i}", own, f"NAT {i}") for i in range(5)]
    shown = page(items, "JPN")
    assert shown.banner.ja == "部内限り"
    assert (
        shown.note.en
        == "BUNAI KAGIRI (INTERNAL ONLY) set by 5 of 20 tracks: NAT 0, NAT 1, NAT 2 and 2 more."
    )
    assert shown.note.ja == "部内限り：20件中5件の航跡による（NAT 0、NAT 1、NAT 2ほか2件）。"
    # A live page: once the narrowing items go, the note says all share it.
    live = Marking.of("JPN", ["USA"], "AMBER")
    from alliance.core.markings import PageMarking

    stream = PageMarking("USA")
    stream.put("a", shared, "A")
    stream.put("b", live, "B")
    assert banner_note(stream).en == "TLP:AMBER set by 1 of 2 tracks: B."
    stream.put("b", shared, "B")
    assert banner_note(stream).en == "All tracks shown (2) share this marking."
    stream.drop("a")
    stream.drop("b")
    assert banner_note(stream).ja == "表示中の航跡はありません（自国の区分を表示）。"


def test_a_view_is_the_viewers_words_with_the_tlp_beside_them() -> None:
    from alliance.core.markings import joined, view

    marking = Marking.of("JPN", ["USA"], "AMBER")
    us = view(marking, "USA")
    assert us["banner"] == {"en": "CUI//REL TO USA, JPN", "ja": "CUI//REL TO USA, JPN"}
    assert us["tlp_label"] == {"en": "TLP:AMBER", "ja": "TLP:AMBER"}
    assert us["releasable_to"] == ["JPN", "USA"]
    jp = view(marking, "JPN")
    assert jp["portion"] == {"en": "(CHUI)", "ja": "（注意）"}
    assert joined(marking.marks("JPN").portion) == "(CHUI) / （注意）"
    assert joined(marking.marks("USA").portion) == "(CUI//REL TO USA, JPN)"
