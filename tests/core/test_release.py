"""The one release rule, and every form derived from it, decide alike."""

from __future__ import annotations

import orjson
import pytest

from alliance.core import release
from alliance.core.i18n import Text
from alliance.core.markings import TLP, Marking

# (nations the marking names, TLP, owner, nation asking, released?)
RULE = [
    pytest.param({"JPN"}, None, "JPN", "JPN", True, id="national-only: the owner"),
    pytest.param({"JPN"}, None, "JPN", "USA", False, id="national-only: a partner"),
    pytest.param({"JPN", "USA"}, None, "JPN", "USA", True, id="named partner"),
    pytest.param({"JPN", "USA"}, None, "JPN", "AUS", False, id="partner not named"),
    pytest.param({"USA"}, None, "JPN", "JPN", True, id="owner not named still sees it"),
    pytest.param(set(), None, "USA", "JPN", False, id="withdrawn replica: nobody here"),
    pytest.param(set(), None, "USA", "USA", True, id="withdrawn replica: its owner"),
    pytest.param({"JPN", "USA"}, TLP.RED, "JPN", "USA", True, id="TLP:RED does not narrow"),
    pytest.param({"JPN"}, TLP.CLEAR, "JPN", "USA", False, id="TLP:CLEAR does not widen"),
    pytest.param({"JPN", "USA"}, TLP.AMBER_STRICT, "JPN", "AUS", False, id="TLP and not named"),
    pytest.param({"AUS", "JPN"}, None, "JPN", "AU", False, id="not a whole trigraph"),
    pytest.param({"JPN", "USA"}, None, "JPN", "", False, id="empty nation"),
]


@pytest.mark.parametrize(("nations", "tlp", "owner", "nation", "expected"), RULE)
def test_every_form_of_the_rule_gives_the_same_answer(
    nations: set[str], tlp: TLP | None, owner: str, nation: str, expected: bool
) -> None:
    marking = Marking(frozenset(nations), tlp)
    rel = marking.rel_text()
    body = orjson.loads(orjson.dumps({"object": {"owner": owner}, "marking": marking.to_json()}))
    assert release.releases(nations, nation, owner) is expected
    assert release.released(marking, nation, owner) is expected
    assert marking.releases_to(nation, owner) is expected
    assert release.released_rel(rel, nation, owner) is expected
    assert release.released_body(body, nation) is expected
    assert (nation in release.index_nations(owner, rel)) is expected


def test_without_an_owner_only_the_named_nations_are_released() -> None:
    assert Marking(frozenset({"USA"})).releases_to("USA")
    assert not Marking(frozenset({"USA"})).releases_to("JPN")


def test_a_marking_built_from_input_always_names_its_owner() -> None:
    assert Marking.of("JPN", ["USA"]).releasable_to == {"JPN", "USA"}
    assert Marking.of("JPN", []).releasable_to == {"JPN"}


@pytest.mark.parametrize(
    ("nations", "rel"),
    [
        ({"USA", "JPN"}, "JPN,USA"),
        ({"JPN"}, "JPN"),
        (set(), ""),
        ({"AUS", "USA", "JPN"}, "AUS,JPN,USA"),
    ],
)
def test_the_column_form_is_sorted_trigraphs_and_reads_back(nations: set[str], rel: str) -> None:
    assert release.rel_text(nations) == rel
    assert release.rel_nations(rel) == nations
    assert Marking.from_columns(rel, None).releasable_to == nations


def test_the_index_stores_every_nation_named_and_the_owner() -> None:
    assert release.index_nations("JPN", "JPN,USA") == {"JPN", "USA"}
    assert release.index_nations("JPN", "AUS,USA") == {"AUS", "JPN", "USA"}
    assert release.index_nations("USA", "") == {"USA"}
    assert release.index_nations("USA", None) == {"USA"}


@pytest.mark.parametrize(
    "body",
    [
        {"object": {"owner": "JPN"}},
        {"object": {"owner": "JPN"}, "marking": None},
        {"object": {"owner": "JPN"}, "marking": {"releasable_to": "JPN,USA"}},
        {"object": {"owner": "JPN"}, "marking": {"releasable_to": [["USA"]]}},
        {"marking": {"releasable_to": "USA"}},
    ],
)
def test_a_body_without_a_list_of_nations_releases_nothing_to_a_partner(
    body: dict[str, object],
) -> None:
    assert release.body_nations(body) is None
    assert not release.released_body(body, "USA")


def test_a_body_is_released_to_its_owner_even_when_its_marking_is_malformed() -> None:
    assert release.released_body({"object": {"owner": "JPN"}, "marking": {}}, "JPN")


BANNERS = [
    (Marking.national("JPN"), "UNCLASSIFIED//JPN ONLY", "非秘密//JPN限り"),
    (Marking(frozenset()), "UNCLASSIFIED//NOT RELEASABLE", "非秘密//提供不可"),
    (
        Marking.of("USA", ["JPN", "AUS"], "amber+strict"),
        "UNCLASSIFIED//REL TO AUS, JPN, USA",
        "非秘密//AUS, JPN, USA へ提供可",
    ),
]


@pytest.mark.parametrize(("marking", "en", "ja"), BANNERS)
def test_the_banner_is_the_same_text_from_the_rule_and_the_marking(
    marking: Marking, en: str, ja: str
) -> None:
    assert release.banner(marking.releasable_to).as_dict() == {"en": en, "ja": ja}
    assert marking.banner.as_dict() == {"en": en, "ja": ja}


def test_a_page_banner_is_what_every_item_on_it_shares() -> None:
    both = Marking.of("JPN", ["USA", "AUS"], "green")
    pair = Marking.of("USA", ["JPN"], "amber")
    assert release.page_banner([both, pair], "JPN").as_dict() == {
        "en": "CHUI (HANDLE WITH CARE)//RELEASABLE TO JPN, USA",
        "ja": "注意（提供先：JPN, USA）",
    }
    assert release.page_banner([both, pair], "USA").en == "CUI//REL TO USA, JPN"
    assert release.page_marking([both, pair], "JPN").tlp_label == Text("TLP:AMBER", "TLP:AMBER")


def test_an_empty_page_is_marked_for_the_nation_it_is_shown_to() -> None:
    assert release.page_banner([], "USA").en == "CUI//NOFORN"
    assert release.page_banner([], "AUS").en == "UNCLASSIFIED//AUS ONLY"
