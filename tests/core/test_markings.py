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
