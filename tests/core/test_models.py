"""The shared input types: lengths from core.limits, characters from core.text,
times as Moments, nation codes and TLP checked, errors with their own code and
both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from alliance.core import limits
from alliance.core.models import (
    Label,
    LongText,
    MarkingIn,
    Moment,
    Name,
    Nation,
    Slug,
    Title,
    Version,
)


class Form(BaseModel):
    slug: Slug = "jpn-jjoc"
    name: Name = "JJOC"
    label: Label = ""
    title: Title = "t"
    text: LongText = ""
    nation: Nation = "JPN"
    at: Moment | None = None
    version: Version | None = None


def _error(**data: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(data)
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


def _ja(error: dict[str, Any]) -> str:
    ja: str = error["ctx"]["ja"]
    return ja


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("271200ZJUL24", datetime(2024, 7, 27, 12, 0, tzinfo=UTC)),
        ("272100IJUL24", datetime(2024, 7, 27, 12, 0, tzinfo=UTC)),  # JST
        ("2024-07-27T21:00:00+09:00", datetime(2024, 7, 27, 12, 0, tzinfo=UTC)),
        ("2024-07-27T12:00:00Z", datetime(2024, 7, 27, 12, 0, tzinfo=UTC)),
        (
            datetime(2024, 7, 27, 2, 0, tzinfo=timezone(timedelta(hours=-10))),
            datetime(2024, 7, 27, 12, 0, tzinfo=UTC),
        ),
        ("1900-01-01T00:00:00Z", limits.EARLIEST),
    ],
)
def test_a_moment_is_a_dtg_iso_text_or_aware_time_in_utc(given: Any, expected: datetime) -> None:
    at = Form(at=given).at
    assert at == expected
    assert at is not None
    assert at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "given",
    [
        "0001-01-01T00:00:00+01:00",  # overflows when converted to UTC
        "9999-12-31T23:00:00Z",
        "2200-01-01T00:00:00Z",  # LATEST is excluded
        "1899-12-31T23:59:59Z",
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_a_moment_outside_1900_to_2200_is_out_of_range(given: Any) -> None:
    error = _error(at=given)
    assert error["type"] == "time_out_of_range"
    assert error["loc"] == ("at",)
    assert "1900-01-01" in error["msg"]
    assert "範囲" in _ja(error)


@pytest.mark.parametrize("given", [-5, 0, 1_700_000_000, 1.7e9, True, [2024], {"y": 2024}])
def test_a_moment_is_never_a_number_or_structure(given: Any) -> None:
    error = _error(at=given)
    assert error["type"] == "invalid_dtg"
    assert "271200ZJUL24" in error["msg"]
    assert "271200ZJUL24" in _ja(error)


@pytest.mark.parametrize(
    "given",
    [
        "2024-07-27T12:00:00",  # no zone
        datetime(2024, 7, 27, 12, 0),
        "tomorrow",
        "\u0662\u0667\u0661\u0662\u0660\u0660ZJUL24",  # Arabic-Indic digits
        "2" * (limits.TIME_TEXT + 1),
    ],
)
def test_a_moment_refuses_naive_and_unreadable_times(given: Any) -> None:
    assert _error(at=given)["type"] == "invalid_dtg"


def test_a_moment_is_described_as_text_in_the_openapi_schema() -> None:
    schema = Form.model_json_schema()["properties"]["at"]["anyOf"][0]
    assert schema["type"] == "string"
    assert schema["maxLength"] == limits.TIME_TEXT
    assert "271200ZJUL24" in schema["examples"]


@pytest.mark.parametrize(
    ("field", "value", "code_point"),
    [
        ("slug", "jpn\u202ejjoc", "U+202E"),  # named, not refused as "wrong format"
        ("slug", "jpn\u200b-jjoc", "U+200B"),
        ("slug", "jpn\x00", "U+0000"),
        ("name", "JJOC\x00", "U+0000"),
        ("name", "JJOC\u2066", "U+2066"),
        ("label", "bri\tgade", "U+0009"),
        ("title", "Plan\nB", "U+000A"),
        ("text", "note\x00", "U+0000"),
        ("text", "note \u202e", "U+202E"),
    ],
)
def test_control_and_invisible_characters_are_named(
    field: str, value: str, code_point: str
) -> None:
    error = _error(**{field: value})
    assert error["type"] == "control_character"
    assert code_point in error["msg"]
    assert code_point in _ja(error)


def test_running_text_keeps_line_breaks_and_names_keep_japanese() -> None:
    form = Form(text="一行目\n\t二行目", name="  統合作戦司令部　JJOC ", title="日米共同計画")
    assert form.text == "一行目\n\t二行目"
    assert form.name == "統合作戦司令部　JJOC"  # ASCII spaces stripped, the ideographic one kept


@pytest.mark.parametrize(
    ("field", "longest"),
    [
        ("slug", limits.ID),
        ("name", limits.NAME),
        ("label", limits.LABEL),
        ("title", limits.TITLE),
        ("text", limits.LONG_TEXT),
    ],
)
def test_text_lengths_come_from_core_limits(field: str, longest: int) -> None:
    Form.model_validate({field: "a" * longest})
    error = _error(**{field: "a" * (longest + 1)})
    assert error["type"] == "string_too_long"
    assert error["ctx"]["max_length"] == longest


def test_an_over_long_id_is_refused_for_its_length_without_being_scanned() -> None:
    error = _error(slug="a" * 10_000 + "\x00")
    assert error["type"] == "string_too_long"


@pytest.mark.parametrize(("given", "expected"), [("JPN", "JPN"), (" usa ", "USA"), ("aus", "AUS")])
def test_a_nation_is_an_iso_trigraph_upper_cased(given: str, expected: str) -> None:
    assert Form(nation=given).nation == expected


@pytest.mark.parametrize("given", ["XJP", "JP", "{ja}", "JPN\x00"])
def test_an_unknown_nation_keeps_its_code_and_the_value_verbatim(given: str) -> None:
    error = _error(nation=given)
    assert error["type"] == "invalid_nation"
    assert given.strip() in error["msg"]  # "{ja}" is shown, not read as a placeholder
    assert given.strip() in _ja(error)


def test_a_very_long_nation_is_refused_for_its_length() -> None:
    assert _error(nation="J" * 1000)["type"] == "string_too_long"


@pytest.mark.parametrize("given", [1, limits.MAX_VERSION])
def test_versions_fit_a_32_bit_column(given: int) -> None:
    assert Form(version=given).version == given


@pytest.mark.parametrize("given", [0, -1, limits.MAX_VERSION + 1, 2**63])
def test_versions_outside_the_column_are_refused(given: int) -> None:
    assert _error(version=given)["type"] in {"greater_than_equal", "less_than_equal"}


@pytest.mark.parametrize(
    ("given", "expected"), [("amber", "AMBER"), ("TLP:RED", "RED"), ("", ""), (None, None)]
)
def test_a_tlp_is_normalised(given: str | None, expected: str | None) -> None:
    assert MarkingIn(tlp=given).tlp == expected


def test_an_unknown_tlp_keeps_its_code() -> None:
    with pytest.raises(ValidationError) as caught:
        MarkingIn(tlp="PURPLE")
    (error,) = caught.value.errors()
    assert error["type"] == "invalid_tlp"
    assert error["loc"] == ("tlp",)


def test_a_marking_names_at_most_max_releasable_nations() -> None:
    with pytest.raises(ValidationError) as caught:
        MarkingIn(releasable_to=["USA"] * (limits.MAX_RELEASABLE + 1))
    assert caught.value.errors()[0]["type"] == "too_long"
    with pytest.raises(ValidationError) as caught:
        MarkingIn(releasable_to=["US\u202eA"])
    assert caught.value.errors()[0]["type"] == "control_character"
