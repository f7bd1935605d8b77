"""Azimuthal equidistant on the mean sphere: the exact test's first pass.

Within 0.6 % of the ellipsoid's distances and azimuths from the centre
(:mod:`alliance.airspace.deconflict` bounds its decisions by that, and measures
again on the ellipsoid what falls within it). ``numpy`` only: ~50 times
cheaper per point than a geodesic.
"""

from __future__ import annotations

import numpy as np

R = 6_371_008.8  # the mean Earth radius (IUGG)


def sphere_project(
    lon0: np.ndarray, lat0: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Azimuthal equidistant on the mean sphere (the first pass: within 0.6 % of
    the ellipsoid's distances from the centre, and of its azimuths)."""
    p0, p = np.radians(lat0), np.radians(lat)
    dl = np.radians(lon - lon0)
    cp, sp0, cp0 = np.cos(p), np.sin(p0), np.cos(p0)
    sx = cp * np.sin(dl)
    sy = cp0 * np.sin(p) - sp0 * cp * np.cos(dl)
    sinc = np.hypot(sx, sy)
    c = np.arctan2(sinc, sp0 * np.sin(p) + cp0 * cp * np.cos(dl))
    k = np.where(sinc > 0, c / np.where(sinc > 0, sinc, 1.0), 1.0) * R
    return k * sx, k * sy


def sphere_distance(
    lon0: np.ndarray, lat0: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    x, y = sphere_project(lon0, lat0, lon, lat)
    return np.asarray(np.hypot(x, y))


def sphere_unproject(
    lon0: np.ndarray, lat0: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    c = np.hypot(x, y) / R
    az = np.arctan2(x, y)
    p0 = np.radians(lat0)
    lat = np.arcsin(np.sin(p0) * np.cos(c) + np.cos(p0) * np.sin(c) * np.cos(az))
    lon = np.radians(lon0) + np.arctan2(
        np.sin(az) * np.sin(c) * np.cos(p0), np.cos(c) - np.sin(p0) * np.sin(lat)
    )
    return (np.degrees(lon) + 180.0) % 360.0 - 180.0, np.degrees(lat)
