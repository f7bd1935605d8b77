"""Time in UTC, military date-time groups (DTG) and display in Z, JST and HST.

A DTG is ``DDHHMM`` + time-zone letter + month + two-digit year, e.g.
``271200ZJUL24`` (27 July 2024, 12:00 UTC). Zone letters follow the military
time zones: ``Z`` is UTC, ``I`` (India) is UTC+9 = JST, ``W`` (Whiskey) is
UTC-10 = HST. Internally every time is an aware UTC ``datetime``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import InvalidInput
from .i18n import Text
from .limits import EARLIEST, LATEST

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DTG = re.compile(
    r"^\s*(?P<d>\d{2})(?P<h>\d{2})(?P<m>\d{2})\s*(?P<z>[A-IK-Z])\s*"
    r"(?P<mon>[A-Z]{3})\s*(?P<y>\d{2})\s*$",
    re.IGNORECASE | re.ASCII,  # ASCII digits only: "\d" alone also takes e.g. Arabic-Indic digits
)

JST = ZoneInfo("Asia/Tokyo")
HST = ZoneInfo("Pacific/Honolulu")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, aware, in UTC (microsecond precision)."""
    return datetime.now(UTC)


def zone_offset_hours(letter: str) -> int:
    """Offset from UTC in hours of a military time-zone letter (J is not a zone)."""
    c = letter.upper()
    if c == "Z":
        return 0
    if "A" <= c <= "I":
        return ord(c) - ord("A") + 1
    if "K" <= c <= "M":
        return ord(c) - ord("K") + 10
    if "N" <= c <= "Y":
        return -(ord(c) - ord("N") + 1)
    raise ValueError(f"not a military time-zone letter: {letter!r}")


def _bad_dtg(value: str, why_en: str, why_ja: str, field: str | None) -> InvalidInput:
    return InvalidInput(
        Text(
            f"'{value}' is not a date-time group like 271200ZJUL24: {why_en}.",
            f"「{value}」は日時グループ（例: 271200ZJUL24）ではありません: {why_ja}。",
        ),
        field=field,
        code="invalid_dtg",
    )


def parse_dtg(value: str, *, field: str | None = None) -> datetime:
    """Parse a DTG such as ``271200ZJUL24`` into an aware UTC datetime."""
    m = _DTG.match(value)
    if not m:
        raise _bad_dtg(value, "wrong layout", "書式が違います", field)
    mon = m["mon"].upper()
    if mon not in MONTHS:
        raise _bad_dtg(value, f"unknown month {mon}", f"月「{mon}」が不明です", field)
    tz = timezone(timedelta(hours=zone_offset_hours(m["z"])))
    try:
        local = datetime(
            2000 + int(m["y"]),
            MONTHS.index(mon) + 1,
            int(m["d"]),
            int(m["h"]),
            int(m["m"]),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise _bad_dtg(value, str(exc), "存在しない日時です", field) from exc
    return local.astimezone(UTC)


def format_dtg_ja(moment: datetime, zone: str = "Z") -> str:
    """A DTG as Japanese writes a date: ``2024年7月27日 1200Z`` for ``271200ZJUL24``
    (the month a number, not an English abbreviation; the zone letter kept)."""
    if moment.tzinfo is None:
        raise ValueError("DTG needs an aware datetime")
    local = moment.astimezone(timezone(timedelta(hours=zone_offset_hours(zone))))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H%M}{zone.upper()}"


def format_dtg(moment: datetime, zone: str = "Z") -> str:
    """Format an aware datetime as a DTG in the given military zone (default ``Z``)."""
    if moment.tzinfo is None:
        raise ValueError("DTG needs an aware datetime")
    local = moment.astimezone(timezone(timedelta(hours=zone_offset_hours(zone))))
    return f"{local:%d%H%M}{zone.upper()}{MONTHS[local.month - 1]}{local:%y}"


@dataclass(frozen=True, slots=True)
class TimeDisplay:
    """One moment shown side by side in UTC (Z), Japan (JST) and Hawaii (HST)."""

    z: str
    jst: str
    hst: str
    iso: str
    z_ja: str = ""  # the DTG as Japanese writes a date (2024年7月27日 1200Z)

    def as_dict(self) -> dict[str, str]:
        return {"z": self.z, "jst": self.jst, "hst": self.hst, "iso": self.iso, "z_ja": self.z_ja}


def display(moment: datetime) -> TimeDisplay:
    """Render a moment for staff on both sides: DTG in Z, and local JST and HST."""
    if moment.tzinfo is None:
        raise ValueError("display needs an aware datetime")
    utc = moment.astimezone(UTC)
    return TimeDisplay(
        z=format_dtg(utc, "Z"),
        jst=f"{utc.astimezone(JST):%Y-%m-%d %H:%M} JST",
        hst=f"{utc.astimezone(HST):%Y-%m-%d %H:%M} HST",
        iso=utc.isoformat().replace("+00:00", "Z"),
        z_ja=format_dtg_ja(utc, "Z"),
    )


def iso(moment: datetime) -> str:
    """Canonical ISO 8601 text in UTC with a ``Z`` suffix, used in ledger events."""
    if moment.tzinfo is not UTC:  # (the store hands back UTC: no conversion then)
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


def _out_of_range(value: str, field: str | None) -> InvalidInput:
    return InvalidInput(
        Text(
            f"'{value}' is outside the times this node accepts "
            f"({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} UTC).",
            f"「{value}」はこのノードが扱う時刻の範囲"
            f"（UTC {EARLIEST:%Y-%m-%d}〜{LATEST:%Y-%m-%d}）外です。",
        ),
        field=field,
        code="time_out_of_range",
    )


def check_moment(moment: datetime, *, field: str | None = None) -> datetime:
    """An aware time as UTC, refused (``time_out_of_range``) outside
    :data:`~alliance.core.limits.EARLIEST` .. :data:`~alliance.core.limits.LATEST`.

    Converting a time at the edge of ``datetime``'s range to UTC overflows
    (``0001-01-01T00:00:00+01:00``); that, too, is out of range, not a crash.
    """
    if moment.tzinfo is None:
        raise _bad_dtg(moment.isoformat(), "no time zone given", "タイムゾーンがありません", field)
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise _out_of_range(moment.isoformat(), field) from None
    if not EARLIEST <= utc < LATEST:
        raise _out_of_range(moment.isoformat(), field)
    return utc


def parse_time(value: str, *, field: str | None = None) -> datetime:
    """Accept either a DTG or ISO 8601 with an offset; naive times are refused."""
    if _DTG.match(value):
        return check_moment(parse_dtg(value, field=field), field=field)
    if not value.isascii():
        raise _bad_dtg(value, "neither DTG nor ISO 8601", "DTGでもISO 8601でもありません", field)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad_dtg(
            value, "neither DTG nor ISO 8601", "DTGでもISO 8601でもありません", field
        ) from exc
    if moment.tzinfo is None:
        raise _bad_dtg(value, "no time zone given", "タイムゾーンがありません", field)
    return check_moment(moment, field=field)


def coerce_time(value: datetime | str | None, *, field: str) -> datetime | None:
    """An aware UTC datetime from a DTG, ISO text or datetime; naive times and
    times out of range are refused."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return check_moment(value, field=field)
    return parse_time(value, field=field)
