"""Generated ids: ULIDs in lower case, time-ordered and strictly increasing; ids a
client chooses: in the owner nation's namespace."""

from __future__ import annotations

import itertools
import time

import pytest
from ulid import ULID

from alliance.core import ids
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.ids import check_client_id, claim_id, is_valid_id, namespace_of, new_id


def test_new_id_is_a_lower_case_ulid_of_now() -> None:
    before = time.time()
    value = new_id()
    after = time.time()
    assert len(value) == 26
    assert value == value.lower()
    assert is_valid_id(value)
    parsed = ULID.from_str(value.upper())
    assert str(parsed).lower() == value
    assert int(before * 1000) - 1 <= parsed.milliseconds <= int(after * 1000) + 1


def test_new_ids_strictly_increase() -> None:
    values = [new_id() for _ in range(5000)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)
    numbers = [int(ULID.from_str(v.upper())) for v in values]
    for a, b in itertools.pairwise(numbers):
        # Within one millisecond the next id is the previous one plus one.
        assert b == a + 1 or b >> 80 > a >> 80


def test_encoding_matches_python_ulid(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw in (b"\x00" * 16, b"\xff" * 16, bytes(range(16)), bytes(range(100, 116))):
        value = int.from_bytes(raw, "big")
        # The same encoding as new_id's, for a given 128-bit value.
        monkeypatch.setattr(ids, "_last", value - 1)
        monkeypatch.setattr(time, "time_ns", lambda v=value: (v >> 80) * 1_000_000)
        if value & ((1 << 80) - 1) == 0:
            continue  # would come from fresh randomness, not from value - 1
        assert new_id() == str(ULID.from_bytes(raw)).lower()


@pytest.mark.parametrize(
    ("ident", "nation"),
    [
        ("jpn-jjoc", "JPN"),
        ("usa-5af", "USA"),
        ("aus-hqjoc", "AUS"),
        ("usa-x.y_z-1", "USA"),
        ("xyz-cell", None),  # not an ISO 3166-1 alpha-3 code
        ("jpn", None),
        ("jpn-", None),
        ("jp-cell", None),
        ("jpnx-cell", None),
        ("JPN-cell", None),  # ids are lower case; a trigraph prefix too
        ("cell-jpn", None),
        ("01j0000000000000000000000x", None),  # a ULID is in no namespace
    ],
)
def test_namespace_of_names_the_nation_of_a_trigraph_prefix(ident: str, nation: str | None) -> None:
    assert namespace_of(ident) == nation


def test_new_ids_are_in_no_namespace() -> None:
    assert all(namespace_of(new_id()) is None for _ in range(1000))


def test_a_client_id_outside_the_owners_namespace_is_refused_naming_the_prefix() -> None:
    assert check_client_id("USA", "usa-cell") == "usa-cell"
    for ident in ("jpn-cell", "cell", "usa", "01j0000000000000000000000x"):
        with pytest.raises(InvalidInput) as caught:
            check_client_id("USA", ident, "units.3.id")
        err = caught.value
        assert (err.code, err.status, err.field) == ("id_outside_namespace", 422, "units.3.id")
        assert "'usa-'" in err.message.en
        assert "「usa-」" in err.message.ja


def test_claiming_an_id_checks_the_namespace_before_asking_whether_it_exists() -> None:
    asked: list[str] = []

    def exists(ident: str) -> bool:
        asked.append(ident)
        return ident == "usa-taken"

    with pytest.raises(InvalidInput):
        claim_id("USA", "jpn-secret", exists)
    assert asked == []  # nothing looked up: no oracle
    with pytest.raises(Conflict) as caught:
        claim_id("USA", "usa-taken", exists)
    assert caught.value.code == "duplicate_id"
    assert claim_id("USA", "usa-free", exists) == "usa-free"
    chosen = claim_id("USA", None, exists)
    assert len(chosen) == 26
    assert asked == ["usa-taken", "usa-free"]
