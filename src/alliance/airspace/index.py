"""The stored volumes a proposed or changed one is checked against.

A static R-tree (STR-packed, GEOS through ``shapely``) over the stored set's
boxes; volumes added since sit in a side set that ``numpy`` scans, removed
ones are masked, and the tree is rebuilt when the side set passes 1/16 of the
stored one. One check against a million stored volumes costs under a
millisecond (``bench/deconflict.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from .deconflict import Pairs, VolumeSet, _exact, _tree_boxes, compile_volumes


class Index:
    """Stored volumes, for checking one proposed or changed volume against all.

    The R-tree is bulk-built over the stored set; volumes added since sit in a
    side set tested by ``numpy``, removed ones are masked, and the tree is
    rebuilt when the side set passes 1/16 of the stored one (at least 256).
    """

    def __init__(self, volumes: VolumeSet | None = None) -> None:
        self._base = volumes if volumes is not None else compile_volumes([], [])
        self._side: list[VolumeSet] = []
        self._side_set: VolumeSet | None = None
        self._alive = np.ones(len(self._base), dtype=bool)
        self._row: dict[str, tuple[int, int]] = {}  # id → (0 base | 1 side, position)
        self._build()

    def _build(self) -> None:
        geoms, self._tree_rows = _tree_boxes(self._base.box)
        self._tree = shapely.STRtree(geoms)
        self._row = {str(k): (0, i) for i, k in enumerate(self._base.ids) if self._alive[i]}
        self._side, self._side_set = [], None

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: str) -> bool:
        return key in self._row

    def put(self, volumes: VolumeSet) -> None:
        """Add or replace volumes (by id)."""
        self.remove([str(k) for k in volumes.ids])
        start = sum(len(s) for s in self._side)
        self._side.append(volumes)
        self._side_set = None
        for i, key in enumerate(volumes.ids):
            self._row[str(key)] = (1, start + i)
        if sum(len(s) for s in self._side) > max(256, len(self._base) // 16):
            self._rebuild()

    def remove(self, keys: Sequence[str]) -> None:
        for key in keys:
            where = self._row.pop(key, None)
            if where is not None and where[0] == 0:
                self._alive[where[1]] = False

    def _side_volumes(self) -> VolumeSet:
        if self._side_set is None:
            self._side_set = VolumeSet.concat(self._side)
        return self._side_set

    def _rebuild(self) -> None:
        side = self._side_volumes()
        live_side = np.array(
            [self._row.get(str(k)) == (1, i) for i, k in enumerate(side.ids)], dtype=bool
        )
        self._base = VolumeSet.concat(
            [self._base.take(np.flatnonzero(self._alive)), side.take(np.flatnonzero(live_side))]
        )
        self._alive = np.ones(len(self._base), dtype=bool)
        self._build()

    def check(self, query: VolumeSet) -> list[tuple[int, str, float, float]]:
        """Each stored volume in conflict with a volume of ``query`` (not itself,
        by id): ``(query row, stored id, distance m, vertical gap ft)``."""
        out: list[tuple[int, str, float, float]] = []
        left, right = self._tree.query(shapely.box(*query.box.T))
        rows = self._tree_rows[right]
        keep = self._alive[rows]
        found = _exact(query, left[keep], self._base, rows[keep])
        out += self._found(query, found, self._base, 0)
        if self._side:
            side = self._side_volumes()
            qa, sb = np.nonzero(_box_overlap(query.box, side.box))
            found = _exact(query, qa, side, sb)
            out += self._found(query, found, side, 1)
        return sorted(set(out))

    def _found(
        self, query: VolumeSet, found: Pairs, stored: VolumeSet, where: int
    ) -> list[tuple[int, str, float, float]]:
        out = []
        for qa, sb, d, g in zip(
            found.a, found.b, found.distance_m, found.vertical_gap_ft, strict=True
        ):
            key = str(stored.ids[sb])
            if key != str(query.ids[qa]) and self._row.get(key) == (where, int(sb)):
                out.append((int(qa), key, float(d), float(g)))
        return out


def _box_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) booleans: boxes meet, with longitude taken modulo 360°."""

    def meets(shift: float) -> np.ndarray:
        return np.asarray(
            (a[:, None, 0] <= b[None, :, 2] + shift)
            & (b[None, :, 0] + shift <= a[:, None, 2])
            & (a[:, None, 1] <= b[None, :, 3])
            & (b[None, :, 1] <= a[:, None, 3])
        )

    return np.asarray(meets(0.0) | meets(360.0) | meets(-360.0))
