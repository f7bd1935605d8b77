"""The common operational picture desk: tracks, TAK interop, the map, the track feed.

The interface other packages use is :data:`__all__`: the desk and its hub and
store (the node builds them), the TAK server, the track feed federation carries
(:class:`TrackFeed`), the report and filter models, and exports.
"""

from .desk import CopDesk, ReportIn, TrackFilter
from .exports import geojson, kml
from .feed import TrackFeed
from .hub import TrackHub
from .simulator import Simulator
from .store import TrackStore
from .tak import TakServer, TakSettings
from .tracks import LinkStatus, Track, TrackDomain

__all__ = [
    "CopDesk",
    "LinkStatus",
    "ReportIn",
    "Simulator",
    "TakServer",
    "TakSettings",
    "Track",
    "TrackDomain",
    "TrackFeed",
    "TrackFilter",
    "TrackHub",
    "TrackStore",
    "geojson",
    "kml",
]
