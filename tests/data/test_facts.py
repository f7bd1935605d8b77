"""The packaged data: public facts are sourced and dated; exercise assumptions
stay out of them and carry no real-world date."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml

from alliance.core.errors import InvalidInput
from alliance.org.models import HqKind, RelKind
from alliance.org.seed import (
    EXERCISE_ASSUMPTIONS,
    PUBLIC_FACTS,
    OrgDocument,
    packaged_file,
    parse_document,
)


def _public() -> OrgDocument:
    return parse_document(packaged_file(PUBLIC_FACTS), source="public_facts.yaml")[0]


def _exercise() -> OrgDocument:
    return parse_document(packaged_file(EXERCISE_ASSUMPTIONS), source="exercise")[0]


def _entries(doc: OrgDocument) -> list[tuple[str, Any]]:
    return [
        *((f"hq {h.id}", h) for h in doc.hqs),
        *((f"unit {u.id}", u) for u in doc.units),
        *((f"relationship {r.id}", r) for r in doc.relationships),
        *((f"counterpart {c.id}", c) for c in doc.counterparts),
        *((f"dated {d.id}", d) for d in doc.dated),
    ]


def test_every_public_fact_has_a_source_and_an_as_of_date() -> None:
    doc = _public()
    assert doc.facts == "public"
    sources = {s.id: s for s in doc.sources}
    entries = _entries(doc)
    assert len(entries) > 40
    for what, entry in entries:
        assert entry.sources, f"{what} names no source"
        assert entry.as_of is not None, f"{what} has no as-of date"
        for ref in entry.sources:
            src = sources[ref]
            assert src.title.strip(), ref
            assert src.publisher.strip(), ref
            assert src.url.startswith(("https://", "http://")), ref
            assert src.read.isoformat() == "2026-12-02", ref
    unused = set(sources) - {ref for _, e in entries for ref in e.sources}
    assert not unused, f"sources nothing cites: {sorted(unused)}"


def test_no_exercise_assumption_sits_in_the_public_facts_file() -> None:
    raw = packaged_file(PUBLIC_FACTS).decode()
    assert "演習上の想定" not in raw
    body = raw.split("\nretired:")[0]  # the retired list names what was withdrawn
    assert "exercise assumption" not in body.lower()
    doc = _public()
    assert all(r.valid_from is not None for r in doc.relationships)


def test_exercise_assumptions_are_labelled_and_carry_no_real_world_date() -> None:
    doc = _exercise()
    assert doc.facts == "exercise"
    assert doc.relationships
    assert not doc.hqs
    assert not doc.units
    assert not doc.counterparts
    assert not doc.dated
    for r in doc.relationships:
        assert r.valid_from is None, r.id
        assert r.valid_to is None, r.id
        assert "exercise assumption" in r.caveats_en.lower(), r.id
        assert "演習上の想定" in r.caveats_ja, r.id
    assert "exercise" in doc.title_en.lower()
    assert "演習" in doc.title_ja


def test_usfj_authority_is_a_dated_record_by_phase() -> None:
    phases = sorted(
        (d for d in _public().dated if d.subject == "hq:usa-jfhq"), key=lambda d: d.valid_from
    )
    assert [d.valid_from.isoformat() for d in phases] == [
        "1957-07-01",
        "2024-07-28",
        "2025-03-30",
        "2025-10-29",
    ]
    for earlier, later in itertools.pairwise(phases[1:]):
        assert earlier.valid_to == later.valid_from


def test_the_structure_follows_doctrine() -> None:
    doc = _public()
    hqs = {h.id: h for h in doc.hqs}
    usfj = hqs["usa-jfhq"]
    assert usfj.kind is HqKind.SUBORDINATE_UNIFIED_COMMAND
    assert usfj.parent == "usa-indopacom"
    for component, service in [
        ("usa-usarj", "usa-usarpac"),
        ("usa-cnfj", "usa-pacflt"),
        ("usa-c7f", "usa-pacflt"),
        ("usa-5af", "usa-pacaf"),
        ("usa-marforj", "usa-marforpac"),
        ("usa-iiimef", "usa-marforpac"),
    ]:
        assert hqs[component].parent == service, component
        assert hqs[service].kind is HqKind.SERVICE_COMPONENT_COMMAND
    assert not [r for r in doc.relationships if r.kind is RelKind.COCOM]
    dual = {r.subordinate for r in doc.relationships if r.kind is RelKind.DUAL_HAT}
    assert {"hq:usa-usarj", "hq:usa-5af", "hq:usa-spaceforj"} <= dual
    assert {"jpn-js", "jpn-jcdc", "jpn-mofa", "usa-state", "usa-c7f", "usa-iiimef"} <= set(hqs)
    assert "usa-spaceforj" in hqs
    pairs = {(c.hq, c.partner) for c in doc.counterparts}
    assert {
        ("jpn-jjoc", "usa-jfhq"),
        ("jpn-gcc", "usa-usarj"),
        ("jpn-sf", "usa-c7f"),
        ("jpn-sf", "usa-cnfj"),
        ("jpn-js", "usa-indopacom"),
    } <= pairs


def test_the_msdf_structure_is_the_march_2026_one() -> None:
    doc = _public()
    names = {u.name_ja for u in doc.units} | {h.name_ja for h in doc.hqs}
    assert {"水上艦隊", "第1水上戦群", "第2水上戦群", "第3水上戦群", "水陸両用戦機雷戦群"} <= names
    assert {"哨戒防備群", "情報作戦集団"} <= names
    assert not any("護衛隊群" in n or "護衛艦隊" in n for n in names)


def test_units_are_coded_as_units_of_their_kind() -> None:
    units = {u.id: u for u in _public().units}
    # Marine/amphibious infantry (UCIN), regiment G and brigade H; not mechanized divisions.
    assert units["usa-12mlr"].sidc == "SFGPUCIN---G---"
    assert units["jpn-ardb"].sidc == "SFGPUCIN---H---"
    # Air wings are ground units (aviation, fixed wing), never air tracks.
    for wing in ("jpn-2aw", "usa-18wg", "usa-35fw"):
        assert units[wing].sidc[2] == "G", wing
        assert units[wing].sidc[4:8] == "UCVF", wing
    for sidc in (u.sidc for u in units.values()):
        assert sidc[2] != "A", "an air track is not a unit"


def test_a_public_fact_without_a_source_is_refused_naming_it() -> None:
    data = yaml.safe_load(packaged_file(PUBLIC_FACTS))
    data["hqs"][1]["sources"] = []
    with pytest.raises(InvalidInput, match=r"hqs\.1: a public fact names its sources") as err:
        parse_document(yaml.safe_dump(data, allow_unicode=True))
    assert err.value.field == "hqs.1.sources"
    assert "出典" in err.value.message.ja


def test_an_exercise_assumption_in_the_public_facts_is_refused() -> None:
    data = yaml.safe_load(packaged_file(PUBLIC_FACTS))
    moved = yaml.safe_load(packaged_file(EXERCISE_ASSUMPTIONS))["relationships"][0]
    moved.update(sources=["imidas-acm"], as_of="2026-12-02", valid_from="2024-07-28T00:00:00Z")
    data["relationships"].append(moved)
    with pytest.raises(InvalidInput, match="does not belong in public facts"):
        parse_document(yaml.safe_dump(data, allow_unicode=True))


def test_an_exercise_assumption_with_a_real_world_date_is_refused() -> None:
    data = yaml.safe_load(packaged_file(EXERCISE_ASSUMPTIONS))
    data["relationships"][0]["valid_from"] = "2024-07-28T00:00:00Z"
    with pytest.raises(InvalidInput, match="carries no real-world date") as err:
        parse_document(yaml.safe_dump(data, allow_unicode=True))
    assert err.value.field == "relationships.0.valid_from"


# Publishers whose own pages count as primary: Japan's Ministry of Defense
# (incl. the JSDF and its white-paper archive) and Ministry of Foreign
# Affairs, the US Departments of Defense and State and their commands
# (.mil), and DVIDS, the Department of Defense's own news service.
_OFFICIAL = ("mod.go.jp", "mofa.go.jp", ".mil", "defense.gov", "state.gov", "dvidshub.net")


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0].lower()


def test_every_source_says_whether_it_is_primary_and_primary_means_an_official_publisher() -> None:
    raw = yaml.safe_load(packaged_file(PUBLIC_FACTS))
    for src in raw["sources"]:
        assert src.get("kind") in {"primary", "secondary"}, f"{src['id']} does not say its kind"
        official = _host(src["url"]).endswith(_OFFICIAL)
        if src["kind"] == "primary":
            assert official, f"{src['id']} is marked primary but {src['url']} is not official"
        else:
            assert not official, f"{src['id']} is an official page marked secondary"
    assert sum(s["kind"] == "primary" for s in raw["sources"]) >= 10


def test_the_corrected_structure_rests_on_primary_sources() -> None:
    """What an officer checks first is backed by the publisher itself, not a mirror."""
    doc = _public()
    kinds = {s.id: s.kind for s in doc.sources}
    entries = dict(_entries(doc))
    for what in [
        "hq jpn-jjoc",
        "hq usa-jfhq",
        "dated usa-jfhq-phase-1",
        "hq jpn-mofa",
        "hq usa-state",
        "hq jpn-js",
        "hq usa-5af",
        "hq usa-cnfj",
        "hq usa-c7f",
        "hq usa-iiimef",
        "counterpart jpn-cp-jjoc-jfhq",
        "counterpart usa-cp-jfhq-jjoc",
        "counterpart jpn-cp-js-indopacom",
        "counterpart jpn-cp-sf-cnfj",
        "counterpart jpn-cp-sf-c7f",
    ]:
        cited = [kinds[ref] for ref in entries[what].sources]
        assert "primary" in cited, f"{what} cites no primary source: {entries[what].sources}"
        assert cited[0] == "primary", f"{what}: the primary source comes first"


def test_the_msdf_cyber_group_bears_the_ministrys_name() -> None:
    ioc = next(h for h in _public().hqs if h.id == "jpn-ioc")
    assert "サイバー防護群" in ioc.note_ja
    assert "サイバー防護群" in ioc.note_en
    assert "作戦情報群" in ioc.note_ja
    assert ioc.location_ja == "東京都新宿区市ヶ谷"


def test_cnfj_and_marforj_say_who_holds_the_other_hat_and_have_no_unsourced_usfj_link() -> None:
    doc = _public()
    hqs = {h.id: h for h in doc.hqs}
    assert "Navy Region Japan" in hqs["usa-cnfj"].note_en
    assert "日本海軍管区司令官" in hqs["usa-cnfj"].note_ja
    assert "III MEF" in hqs["usa-marforj"].note_en
    assert "第3海兵遠征軍司令官" in hqs["usa-marforj"].note_ja
    dual = {r.subordinate for r in doc.relationships if r.kind is RelKind.DUAL_HAT}
    assert "hq:usa-cnfj" not in dual
    assert "hq:usa-marforj" not in dual
