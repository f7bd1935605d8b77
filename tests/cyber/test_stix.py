"""STIX objects on their own: what is accepted (every object of the OASIS
examples), what is refused and why, and markings read and written both ways."""

from __future__ import annotations

import pytest

from alliance.core.errors import InvalidInput
from alliance.core.markings import TLP, Marking
from alliance.cyber.stix import (
    TLP_IDS,
    canonical,
    check,
    marking_of,
    rel_marking,
    rel_marking_id,
    tlp_marking,
    with_marking,
)

from .helpers import STIX_DIR, example, indicator, schema_errors

EXAMPLES = sorted(p.name for p in STIX_DIR.joinpath("examples").rglob("*.json"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_object_of_the_oasis_examples_is_accepted(name: str) -> None:
    for obj in example(name):
        checked = check(obj, "JPN", version="2026-12-01T00:00:00.000Z")
        assert checked.stix_id == obj["id"]
        assert checked.body is obj  # stored exactly as given
        # None of the examples names a "releasable to" marking: national-only.
        assert checked.marking.releasable_to == {"JPN"}


def _refused(obj: object, code: str, field: str | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        check(obj, "JPN")
    assert raised.value.code == code, raised.value.message
    assert raised.value.message.en
    assert raised.value.message.ja
    assert raised.value.message.en != raised.value.message.ja
    if field is not None:
        assert raised.value.field == field
    return raised.value


def test_what_is_refused_is_named() -> None:
    _refused("x", "not_an_object")
    _refused({**indicator(1), "type": "x-custom"}, "unknown_type", "object.type")
    _refused({**indicator(1), "id": "malware--1"}, "invalid_id", "object.id")
    _refused({**indicator(1), "spec_version": "2.0"}, "wrong_spec_version")
    _refused({k: v for k, v in indicator(1).items() if k != "spec_version"}, "wrong_spec_version")
    granular = {
        **indicator(1),
        "granular_markings": [{"marking_ref": TLP_IDS[TLP.RED], "selectors": ["name"]}],
    }
    _refused(granular, "granular_marking", "object.granular_markings")
    bad = _refused({**indicator(1), "pattern": "[ipv4-addr:value = "}, "invalid_stix")
    assert "indicator" in bad.message.en
    _refused(
        {**indicator(1), "object_marking_refs": [TLP_IDS[TLP.RED], TLP_IDS[TLP.GREEN]]},
        "two_tlps",
    )


def test_a_cyber_observable_without_spec_version_or_timestamp_is_versioned_when_stored() -> None:
    domain = {"type": "domain-name", "id": "domain-name--ecb120bf-2694-4902-a737-62b74539a41b"}
    checked = check({**domain, "value": "example.com"}, "JPN", version="2026-12-01T09:00:00Z")
    assert checked.modified == "2026-12-01T09:00:00.000000Z"


def test_markings_read_and_written_agree() -> None:
    obj = indicator(1, rel=("USA", "AUS"), tlp=TLP.AMBER)
    marking = marking_of(obj, "JPN")
    assert marking == Marking(frozenset({"JPN", "USA", "AUS"}), TLP.AMBER)
    # TLP never widens: TLP:CLEAR alone is still national-only.
    assert marking_of(indicator(2, tlp=TLP.CLEAR), "JPN").releasable_to == {"JPN"}
    # TLP 1.0's ids are read (WHITE as CLEAR).
    white = {
        **indicator(3),
        "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"],
    }
    assert marking_of(white, "JPN").tlp is TLP.CLEAR
    # Writing a marking keeps other marking definitions and replaces ours.
    copyright_ref = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41dd"
    mixed = {**obj, "object_marking_refs": [copyright_ref, *obj["object_marking_refs"]]}
    narrowed = with_marking(mixed, Marking(frozenset({"JPN"}), TLP.RED), "JPN")
    assert narrowed["object_marking_refs"] == [copyright_ref, TLP_IDS[TLP.RED]]
    assert marking_of(narrowed, "JPN") == Marking(frozenset({"JPN"}), TLP.RED)
    assert "object_marking_refs" not in with_marking(indicator(4), Marking.national("JPN"), "JPN")


def test_the_marking_definitions_are_valid_stix() -> None:
    for definition in [rel_marking("USA"), *(tlp_marking(t) for t in TLP)]:
        assert schema_errors(definition) == []
        check(definition, "JPN")
    assert rel_marking("USA")["id"] == rel_marking_id("USA") != rel_marking_id("JPN")


def test_timestamps_have_one_sortable_form() -> None:
    assert canonical("2016-04-06T20:03:48Z") == canonical("2016-04-06T20:03:48.000Z")
    assert canonical("2016-04-06T20:03:48.1234567Z") == "2016-04-06T20:03:48.123456Z"
    assert canonical("2016-04-06T20:03:48.5Z") > canonical("2016-04-06T20:03:48Z")
    with pytest.raises(InvalidInput):
        canonical("yesterday")
    with pytest.raises(InvalidInput):
        canonical("2016-04-06T20:03:48")  # no zone
