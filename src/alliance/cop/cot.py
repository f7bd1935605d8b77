"""Cursor-on-Target (CoT) events: parsed safely, written byte for byte the same way,
and carried as XML or as TAK protocol version 1 (protobuf).

CoT event schema (MITRE CoT 2.0, as TAK clients use it)::

    <event version="2.0" uid="…" type="a-f-G-U-C" how="m-g"
           time="…Z" start="…Z" stale="…Z">
      <point lat="…" lon="…" hae="…" ce="…" le="…"/>
      <detail><contact callsign="…"/><__group name="…" role="…"/>
              <track course="…" speed="…"/><remarks>…</remarks>
              <exercise name="…"/></detail>
    </event>

Exercise data is marked twice: the symbol code carries a MIL-STD-2525C
exercise identity (exercise friend ``D``, exercise neutral ``L``, faker ``K``
for a friend playing hostile...), which CoT's type has no letters for, so the
type carries the identity it plays (``a-f``, ``a-n``, ``a-k``) and the event's
``<detail>`` carries ``<exercise name="…"/>``: an event with that element is
exercise data, whatever else it says.

XML is parsed with defusedxml: no DTD, no entity expansion, no external
entities, and a size limit before any parsing. TAK protocol v1 (as in
ATAK/WinTAK and the ``takproto`` library): a stream frame is ``0xBF``, a
varint length, then a ``TakMessage``; the mesh form is ``0xBF 0x01 0xBF`` then
the message.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from google.protobuf.message import DecodeError
from lxml import etree
from takproto.proto import TakMessage

from alliance.core import limits
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

MAX_EVENT_BYTES = 64 * 1024
UNKNOWN = 9999999.0  # CoT's "not known" for hae, ce, le
PROTO_MAGIC = 0xBF
_AFFILIATIONS = {"f", "h", "n", "u", "a", "s", "p", "j", "k", "o", "x"}
# MIL-STD-2525C exercise identities as the CoT affiliation they play: exercise
# pending, unknown, assumed friend, friend, neutral (joker and faker are CoT's own).
_EXERCISE_AFFILIATION = {"g": "p", "w": "u", "m": "a", "d": "f", "l": "n"}


def varint(value: int) -> bytes:
    """Protobuf base-128 varint (the length prefix of a TAK stream frame)."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data: bytes | bytearray, start: int = 0) -> tuple[int, int] | None:
    """``(value, end)`` of the varint at ``start``, or None if it is not complete yet.

    At most 10 bytes (64 bits); a longer one is refused.
    """
    value = shift = 0
    for i in range(start, min(len(data), start + 10)):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    if len(data) - start >= 10:
        raise _bad("a frame length is longer than 10 bytes", "フレーム長が10バイトを超えています")
    return None


class CotError(InvalidInput):
    code = "invalid_cot"


def _bad(en: str, ja: str) -> CotError:
    return CotError(Text(f"Bad CoT event: {en}", f"不正なCoTイベント: {ja}"), field="event")


@dataclass(frozen=True, slots=True)
class CotEvent:
    uid: str
    type: str
    time: datetime
    start: datetime
    stale: datetime
    lat: float
    lon: float
    how: str = "m-g"
    hae: float = UNKNOWN
    ce: float = UNKNOWN
    le: float = UNKNOWN
    callsign: str = ""
    group_name: str = ""
    group_role: str = ""
    course: float | None = None
    speed: float | None = None
    remarks: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    exercise: str | None = None  # the exercise's name: ``<exercise name="…"/>``; None: not one

    def with_position(self, lat: float, lon: float) -> CotEvent:
        return replace(self, lat=lat, lon=lon)


# -- SIDC <-> CoT type (MIL-STD-2525C letter codes) ---------------------------


@lru_cache(maxsize=4096)
def sidc_to_cot_type(sidc: str) -> str:
    """``SFGPUCI----H---`` → ``a-f-G-U-C-I``: affiliation, dimension, function id."""
    code = sidc.upper()
    if len(code) != 15 or code[0] not in "SGWIOE":
        return "a-u-G"
    affiliation = code[1].lower()
    affiliation = _EXERCISE_AFFILIATION.get(affiliation, affiliation)
    if affiliation not in _AFFILIATIONS:
        affiliation = "u"
    parts = ["a", affiliation, code[2]]
    parts.extend(ch for ch in code[4:10].rstrip("-") if ch != "-")
    return "-".join(parts)


@lru_cache(maxsize=4096)
def cot_type_to_sidc(cot_type: str) -> str:
    """``a-f-G-U-C-I`` → ``SFGPUCI--------`` (present, no echelon)."""
    parts = cot_type.split("-")
    if len(parts) < 3 or parts[0] != "a":
        return "SUGP-----------"
    affiliation = parts[1].upper()[:1] or "U"
    dimension = parts[2].upper()[:1] or "G"
    function = "".join(p.upper()[:1] for p in parts[3:9])
    return f"S{affiliation}{dimension}P{function:-<6}" + "-" * 5


# -- time ---------------------------------------------------------------------


def _fmt_time(moment: datetime) -> str:
    """``2024-07-27T12:00:00.000Z``: UTC, milliseconds."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _parse_time(value: str | None, name: str) -> datetime:
    if not value:
        raise _bad(f"missing {name}", f"{name}がありません")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(
            f"{name} is not an ISO 8601 time", f"{name}がISO 8601の時刻ではありません"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00: no such time in UTC
        raise _bad(f"{name} {value} is out of range", f"{name} {value} が範囲外です") from None


def _float(
    value: str | None, name: str, lo: float, hi: float, default: float | None = None
) -> float:
    if value is None or value == "":
        if default is None:
            raise _bad(f"missing {name}", f"{name}がありません")
        return default
    try:
        number = float(value)
    except ValueError:
        raise _bad(f"{name} is not a number", f"{name}が数値ではありません") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise _bad(f"{name} {value} out of range", f"{name} {value} が範囲外です")
    return number


# -- XML ----------------------------------------------------------------------

_parsers = threading.local()
_DETAIL_TAGS = frozenset({"contact", "__group", "track", "remarks", "alliance", "exercise"})
# How much of an ``<alliance>`` attribute is kept: 800 characters, but the
# Japanese remarks as much as the remarks (``limits.REMARKS``).
_EXTRA_LIMITS = {"remarks_ja": limits.REMARKS}


def _lxml_parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        _parsers.parser = parser
    return parser


def _parse_root(data: bytes) -> Any:
    """The root element of one document.

    A document with any markup declaration, comment or CDATA section (``<!``)
    goes to defusedxml, which refuses DTDs, entity declarations and external
    references outright. Every other document can hold no entity but XML's five
    predefined ones and character references, and is parsed by lxml (libxml2,
    about five times faster) with entity resolution, DTD loading and network
    access all off.
    """
    if b"<!" in data:
        try:
            return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException:
            raise _bad(
                "DTDs and entities are not accepted", "DTDとエンティティは受け付けません"
            ) from None
        except Exception as exc:  # ParseError and friends
            raise _bad(f"not well-formed XML ({exc})", "整形式のXMLではありません") from None
    try:
        return etree.fromstring(data, _lxml_parser())
    except etree.XMLSyntaxError as exc:
        raise _bad(f"not well-formed XML ({exc})", "整形式のXMLではありません") from None


def parse_xml(data: bytes) -> CotEvent:
    """One ``<event>`` document, parsed without DTDs or entity expansion."""
    if len(data) > MAX_EVENT_BYTES:
        raise _bad(f"larger than {MAX_EVENT_BYTES} bytes", f"{MAX_EVENT_BYTES}バイトを超えています")
    root = _parse_root(data)
    if root.tag != "event":
        raise _bad(f"root element is <{root.tag}>, not <event>", f"ルート要素が<{root.tag}>です")
    uid = root.get("uid") or ""
    cot_type = root.get("type") or ""
    if not uid or len(uid) > limits.TRACK_UID:
        raise _bad("uid missing or too long", "uidがないか長すぎます")
    if not cot_type or len(cot_type) > 100:
        raise _bad("type missing or too long", "typeがないか長すぎます")
    # One pass over the children (the first of each name counts, as find() would).
    parts: dict[str, Any] = {}
    for child in root:
        if child.tag in ("point", "detail"):
            parts.setdefault(child.tag, child)
    point = parts.get("point")
    if point is None:
        raise _bad("no <point>", "<point>がありません")
    detail = parts.get("detail")
    found: dict[str, Any] = {}
    if detail is not None:
        for child in detail:
            if child.tag in _DETAIL_TAGS:
                found.setdefault(child.tag, child)
    contact = found.get("contact")
    group = found.get("__group")
    track = found.get("track")
    remarks = found.get("remarks")
    alliance = found.get("alliance")
    exercise = found.get("exercise")
    return CotEvent(
        uid=uid,
        type=cot_type,
        how=root.get("how") or "m-g",
        time=_parse_time(root.get("time"), "time"),
        start=_parse_time(root.get("start") or root.get("time"), "start"),
        stale=_parse_time(root.get("stale"), "stale"),
        lat=_float(point.get("lat"), "lat", -90, 90),
        lon=_float(point.get("lon"), "lon", -180, 180),
        hae=_float(point.get("hae"), "hae", -1e7, UNKNOWN, UNKNOWN),
        ce=_float(point.get("ce"), "ce", 0, UNKNOWN, UNKNOWN),
        le=_float(point.get("le"), "le", 0, UNKNOWN, UNKNOWN),
        callsign=(contact.get("callsign") or "")[: limits.NAME] if contact is not None else "",
        group_name=(group.get("name") or "")[:100] if group is not None else "",
        group_role=(group.get("role") or "")[:100] if group is not None else "",
        course=_float(track.get("course"), "course", 0, 360, -1) if track is not None else None,
        speed=_float(track.get("speed"), "speed", 0, 1e5, -1) if track is not None else None,
        remarks=(remarks.text or "")[: limits.REMARKS] if remarks is not None else "",
        extra={k: v[: _EXTRA_LIMITS.get(k, 800)] for k, v in alliance.attrib.items()}
        if alliance is not None
        else {},
        exercise=(exercise.get("name") or "")[: limits.NAME] if exercise is not None else None,
    )


def _num(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".") if value != UNKNOWN else "9999999.0"


_SPECIAL = re.compile(r"[&<>\"'\n\r\t]")


def _attr(value: str) -> str:
    """``quoteattr``, without its work for the common value that needs no escaping."""
    return f'"{value}"' if _SPECIAL.search(value) is None else quoteattr(value)


def to_xml(ev: CotEvent) -> bytes:
    """The event as CoT XML, attributes in a fixed order (byte-stable for golden files)."""
    detail: list[str] = []
    if ev.callsign:
        detail.append(f"<contact callsign={_attr(ev.callsign)}/>")
    if ev.group_name or ev.group_role:
        detail.append(f"<__group name={_attr(ev.group_name)} role={_attr(ev.group_role)}/>")
    if ev.course is not None or ev.speed is not None:
        course = _num(ev.course) if ev.course is not None and ev.course >= 0 else "0"
        speed = _num(ev.speed) if ev.speed is not None and ev.speed >= 0 else "0"
        detail.append(f'<track course="{course}" speed="{speed}"/>')
    if ev.remarks:
        detail.append(f"<remarks>{escape(ev.remarks)}</remarks>")
    if ev.extra:
        attrs = " ".join(f"{k}={_attr(v)}" for k, v in sorted(ev.extra.items()))
        detail.append(f"<alliance {attrs}/>")
    if ev.exercise is not None:
        detail.append(f"<exercise name={_attr(ev.exercise)}/>")
    time = _fmt_time(ev.time)
    start = time if ev.start == ev.time else _fmt_time(ev.start)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<event version="2.0" uid={_attr(ev.uid)} type={_attr(ev.type)} '
        f'how={_attr(ev.how)} time="{time}" start="{start}" '
        f'stale="{_fmt_time(ev.stale)}">'
        f'<point lat="{_num(ev.lat)}" lon="{_num(ev.lon)}" hae="{_num(ev.hae)}" '
        f'ce="{_num(ev.ce)}" le="{_num(ev.le)}"/>'
        f"<detail>{''.join(detail)}</detail></event>"
    ).encode()


# -- TAK protocol version 1 ----------------------------------------------------


def _ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)


_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def _from_ms(ms: int, name: str = "time") -> datetime:
    if not 0 <= ms <= _MAX_MS:
        raise _bad(f"{name} {ms} ms is out of range", f"{name} {ms} ms が範囲外です")
    return datetime.fromtimestamp(ms / 1000, UTC)


def to_message(ev: CotEvent) -> TakMessage:
    msg = TakMessage()
    e = msg.cotEvent
    e.type, e.uid, e.how = ev.type, ev.uid, ev.how
    e.sendTime, e.startTime, e.staleTime = _ms(ev.time), _ms(ev.start), _ms(ev.stale)
    e.lat, e.lon, e.hae, e.ce, e.le = ev.lat, ev.lon, ev.hae, ev.ce, ev.le
    if ev.callsign:
        e.detail.contact.callsign = ev.callsign
    if ev.group_name or ev.group_role:
        e.detail.group.name, e.detail.group.role = ev.group_name, ev.group_role
    if ev.course is not None or ev.speed is not None:
        e.detail.track.course = ev.course if ev.course is not None and ev.course >= 0 else 0.0
        e.detail.track.speed = ev.speed if ev.speed is not None and ev.speed >= 0 else 0.0
    xml_detail = ""
    if ev.remarks:
        xml_detail += f"<remarks>{escape(ev.remarks)}</remarks>"
    if ev.extra:
        attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in sorted(ev.extra.items()))
        xml_detail += f"<alliance {attrs}/>"
    if ev.exercise is not None:
        xml_detail += f"<exercise name={quoteattr(ev.exercise)}/>"
    if xml_detail:
        e.detail.xmlDetail = xml_detail
    return msg


def to_proto_frame(ev: CotEvent) -> bytes:
    """A TAK protocol v1 *stream* frame: 0xBF, varint length, TakMessage."""
    payload: bytes = to_message(ev).SerializeToString()
    return bytes([PROTO_MAGIC]) + varint(len(payload)) + payload


def from_message(msg: TakMessage) -> CotEvent:
    e = msg.cotEvent
    if not e.uid or not e.type:
        raise _bad("protobuf event without uid or type", "uidまたはtypeのないprotobufイベント")
    extra: dict[str, str] = {}
    remarks = ""
    exercise: str | None = None
    if e.detail.xmlDetail:
        # The free-form part is XML too: parse it as safely as a whole event.
        wrapped = f"<detail>{e.detail.xmlDetail}</detail>".encode()
        probe = parse_xml(
            b'<event uid="x" type="a" time="2000-01-01T00:00:00Z" stale="2000-01-01T00:00:00Z">'
            b'<point lat="0" lon="0"/>' + wrapped + b"</event>"
        )
        extra, remarks, exercise = probe.extra, probe.remarks, probe.exercise
    has_track = e.detail.HasField("track")
    return CotEvent(
        uid=e.uid[: limits.TRACK_UID],
        type=e.type[:100],
        how=e.how or "m-g",
        time=_from_ms(e.sendTime, "time"),
        start=_from_ms(e.startTime or e.sendTime, "start"),
        stale=_from_ms(e.staleTime, "stale"),
        # The same ranges as the XML form's attributes.
        lat=_float(str(e.lat), "lat", -90, 90),
        lon=_float(str(e.lon), "lon", -180, 180),
        hae=_float(str(e.hae), "hae", -1e7, UNKNOWN),
        ce=_float(str(e.ce), "ce", 0, UNKNOWN),
        le=_float(str(e.le), "le", 0, UNKNOWN),
        callsign=e.detail.contact.callsign[: limits.NAME],
        group_name=e.detail.group.name[:100],
        group_role=e.detail.group.role[:100],
        course=_float(str(e.detail.track.course), "course", 0, 360) if has_track else None,
        speed=_float(str(e.detail.track.speed), "speed", 0, 1e5) if has_track else None,
        remarks=remarks,
        extra=extra,
        exercise=exercise,
    )


class FrameError(CotError):
    code = "invalid_frame"


class StreamDecoder:
    """Splits a TCP byte stream into CoT events: XML documents or TAK v1 stream frames.

    Bounded: no frame or document may exceed ``MAX_EVENT_BYTES``, and the
    buffer never holds more than one such frame; anything else is a
    :class:`CotError` that should close the connection.
    """

    def __init__(self, max_bytes: int = MAX_EVENT_BYTES) -> None:
        self.max_bytes = max_bytes
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[CotEvent]:
        self.buffer.extend(data)
        events: list[CotEvent] = []
        while self.buffer:
            # Whitespace and newlines between documents are fine.
            stripped = len(self.buffer) - len(self.buffer.lstrip())
            if stripped:
                del self.buffer[:stripped]
                continue
            if self.buffer[0] == PROTO_MAGIC:
                ev = self._proto()
            elif self.buffer[:1] == b"<":
                ev = self._xml()
            else:
                raise FrameError(
                    Text(
                        "Stream is neither CoT XML nor TAK protocol.",
                        "ストリームがCoT XMLでもTAKプロトコルでもありません。",
                    ),
                    field="stream",
                )
            if ev is None:
                break
            events.append(ev)
        if len(self.buffer) > self.max_bytes:
            raise _bad(
                f"an event is larger than {self.max_bytes} bytes",
                f"イベントが{self.max_bytes}バイトを超えています",
            )
        return events

    def _proto(self) -> CotEvent | None:
        header = read_varint(self.buffer, 1)
        if header is None:
            return None  # the length is not complete yet
        size, start = header
        if size > self.max_bytes:
            raise _bad(f"a frame announces {size} bytes", f"フレームが{size}バイトを宣言しています")
        end = start + size
        if len(self.buffer) < end:
            return None
        payload = bytes(self.buffer[start:end])
        del self.buffer[:end]
        msg = TakMessage()
        try:
            msg.ParseFromString(payload)
        except DecodeError:
            raise _bad(
                "not a TAK protocol message", "TAKプロトコルのメッセージではありません"
            ) from None
        return from_message(msg)

    def _xml(self) -> CotEvent | None:
        end = self.buffer.find(b"</event>")
        if end < 0:
            return None
        end += len(b"</event>")
        doc = bytes(self.buffer[:end])
        del self.buffer[:end]
        return parse_xml(doc)
