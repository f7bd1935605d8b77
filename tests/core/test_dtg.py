"""Date-time groups (DTG) and the Z / JST / HST display, both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.core.dtg import (
    MONTHS,
    coerce_time,
    display,
    format_dtg,
    iso,
    parse_dtg,
    parse_time,
    zone_offset_hours,
)
from alliance.core.errors import InvalidInput

NOON_27_JUL_24 = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)
ZONE_LETTERS = list("ABCDEFGHIKLMNOPQRSTUVWXYZ")  # J is local time, not a zone


@pytest.mark.parametrize(
    ("letter", "hours"),
    [
        ("Z", 0),
        ("A", 1),
        ("I", 9),  # JST
        ("K", 10),
        ("M", 12),
        ("N", -1),
        ("R", -5),  # EST
        ("W", -10),  # HST
        ("Y", -12),
        ("i", 9),
    ],
)
def test_zone_letters_follow_the_military_time_zones(letter: str, hours: int) -> None:
    assert zone_offset_hours(letter) == hours


def test_j_is_not_a_time_zone_letter() -> None:
    with pytest.raises(ValueError, match="J"):
        zone_offset_hours("J")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("271200ZJUL24", NOON_27_JUL_24),
        ("272100IJUL24", NOON_27_JUL_24),  # 21:00 JST is 12:00Z
        ("270200WJUL24", NOON_27_JUL_24),  # 02:00 HST is 12:00Z
        ("271200zjul24", NOON_27_JUL_24),  # lower case is accepted
        (" 271200 Z JUL 24 ", NOON_27_JUL_24),  # spaces people type are accepted
        ("010800IJAN25", datetime(2024, 12, 31, 23, 0, tzinfo=UTC)),  # JST crosses the year back
        ("311500WDEC24", datetime(2025, 1, 1, 1, 0, tzinfo=UTC)),  # HST crosses it forward
        ("290000ZFEB24", datetime(2024, 2, 29, 0, 0, tzinfo=UTC)),  # leap day
    ],
)
def test_parse_dtg_gives_aware_utc(text: str, expected: datetime) -> None:
    moment = parse_dtg(text)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Z", "271200ZJUL24"), ("I", "272100IJUL24"), ("W", "270200WJUL24"), ("w", "270200WJUL24")],
)
def test_format_dtg_in_each_zone(zone: str, expected: str) -> None:
    assert format_dtg(NOON_27_JUL_24, zone) == expected


def test_format_dtg_converts_from_any_aware_zone() -> None:
    tokyo = NOON_27_JUL_24.astimezone(ZoneInfo("Asia/Tokyo"))
    assert format_dtg(tokyo) == "271200ZJUL24"


def test_format_dtg_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_dtg(datetime(2024, 7, 27, 12, 0))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("27120ZJUL24", "layout"),
        ("", "layout"),
        ("271200JJUL24", "layout"),  # J is not a zone
        ("271200ZJUL2024", "layout"),
        ("271200ZJLY24", "JLY"),
        ("311200ZJUN24", "day"),  # June has 30 days
        ("290000ZFEB23", "day"),  # 2023 is not a leap year
        ("272400ZJUL24", "hour"),
        ("271260ZJUL24", "minute"),
    ],
)
def test_bad_dtg_is_invalid_input_naming_the_field_in_both_languages(text: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_dtg(text, field="window.start")
    err = caught.value
    assert err.field == "window.start"
    assert err.code == "invalid_dtg"
    assert err.status == 422
    assert f"'{text}'" in err.message.en
    assert why in err.message.en
    assert f"「{text}」" in err.message.ja
    assert "日時グループ" in err.message.ja


def test_parse_time_accepts_dtg_and_iso_with_offset() -> None:
    assert parse_time("272100IJUL24") == NOON_27_JUL_24
    assert parse_time("2024-07-27T21:00:00+09:00") == NOON_27_JUL_24
    assert parse_time("2024-07-27T12:00:00Z") == NOON_27_JUL_24
    assert parse_time("2024-07-27T21:00:00+09:00").utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2024-07-27T12:00:00", "tomorrow"])
def test_parse_time_refuses_naive_or_garbage_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time(text, field="due")
    assert caught.value.field == "due"
    assert caught.value.message.en
    assert caught.value.message.ja


def test_coerce_time_refuses_a_naive_datetime_and_keeps_aware_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        coerce_time(datetime(2024, 7, 27, 12, 0), field="valid_from")
    assert caught.value.field == "valid_from"
    hst = timezone(timedelta(hours=-10))
    assert coerce_time(datetime(2024, 7, 27, 2, 0, tzinfo=hst), field="x") == NOON_27_JUL_24
    assert coerce_time(None, field="x") is None


def test_display_shows_z_jst_and_hst_side_by_side() -> None:
    shown = display(NOON_27_JUL_24)
    assert shown.z == "271200ZJUL24"
    assert shown.jst == "2024-07-27 21:00 JST"
    assert shown.hst == "2024-07-27 02:00 HST"
    assert shown.iso == "2024-07-27T12:00:00Z"
    assert shown.as_dict() == {
        "z": shown.z,
        "jst": shown.jst,
        "hst": shown.hst,
        "iso": shown.iso,
        "z_ja": shown.z_ja,
    }


def test_display_crosses_the_date_line_correctly() -> None:
    shown = display(datetime(2024, 12, 31, 20, 0, tzinfo=UTC))
    assert shown.z == "312000ZDEC24"
    assert shown.jst == "2025-01-01 05:00 JST"
    assert shown.hst == "2024-12-31 10:00 HST"


def test_display_is_the_same_whatever_zone_the_moment_is_in() -> None:
    honolulu = NOON_27_JUL_24.astimezone(ZoneInfo("Pacific/Honolulu"))
    assert display(honolulu) == display(NOON_27_JUL_24)


def test_iso_is_utc_with_z_and_microseconds() -> None:
    tokyo = datetime(2024, 7, 27, 21, 0, 0, 5, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert iso(tokyo) == "2024-07-27T12:00:00.000005Z"


# -- properties ---------------------------------------------------------------


@st.composite
def dtg_texts(draw: st.DrawFn) -> tuple[str, str]:
    """A well-formed DTG in canonical form, and its zone letter."""
    local = draw(
        st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31, 23, 59))
    )
    zone = draw(st.sampled_from(ZONE_LETTERS))
    text = (
        f"{local.day:02d}{local.hour:02d}{local.minute:02d}{zone}"
        f"{MONTHS[local.month - 1]}{local.year % 100:02d}"
    )
    return text, zone


@given(dtg_texts())
def test_format_of_parse_gives_the_dtg_back(case: tuple[str, str]) -> None:
    text, zone = case
    assert format_dtg(parse_dtg(text), zone) == text
    assert format_dtg(parse_dtg(text.lower()), zone) == text


@given(
    st.datetimes(
        min_value=datetime(2001, 1, 2),
        max_value=datetime(2098, 12, 30),
        timezones=st.sampled_from([UTC, ZoneInfo("Asia/Tokyo"), ZoneInfo("Pacific/Honolulu")]),
    ),
    st.sampled_from(ZONE_LETTERS),
)
def test_parse_of_format_gives_the_moment_back_to_the_minute(moment: datetime, zone: str) -> None:
    back = parse_dtg(format_dtg(moment, zone))
    assert back == moment.replace(second=0, microsecond=0)
    assert back.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",  # converting to UTC overflows
        "9999-12-31T23:00:00Z",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
    ],
)
def test_times_outside_1900_to_2200_are_refused_not_crashed(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time(value, field="at")
    assert caught.value.code == "time_out_of_range"
    assert caught.value.field == "at"


def test_times_at_the_edges_of_the_range_pass() -> None:
    assert parse_time("1900-01-01T00:00:00Z").year == 1900
    assert parse_time("2199-12-31T23:59:59Z").year == 2199


def test_an_aware_datetime_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        coerce_time(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), field="due")
    assert caught.value.code == "time_out_of_range"


@pytest.mark.parametrize("value", ["٢٧١٢٠٠ZJUL٢٤", "２７１２００ZJUL24"])
def test_a_dtg_takes_ascii_digits_only(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time(value, field="at")
    assert caught.value.code == "invalid_dtg"


def test_a_dtg_in_japanese_names_the_month_as_a_number() -> None:
    from alliance.core.dtg import format_dtg_ja

    moment = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)
    assert format_dtg(moment) == "271200ZJUL24"
    assert format_dtg_ja(moment) == "2024年7月27日 1200Z"
    assert display(moment).z_ja == "2024年7月27日 1200Z"
    assert format_dtg_ja(moment, "I") == "2024年7月27日 2100I"
    assert "JUL" not in display(moment).z_ja
