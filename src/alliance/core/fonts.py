"""Finding a Japanese font on this machine, for what the node draws and prints:
the after-action report's plot and PDF, the plans' synchronization matrix.

Where the fonts come from: ``tools/system-deps.sh`` (run by ``make test`` and
``make demo``) installs Debian's ``fonts-noto-cjk`` (Noto Sans CJK, the
console's and the plot's font) and ``fonts-ipaexfont-gothic`` (IPAex Gothic,
the PDF's). The PDF wants a *TrueType-outline* font: Noto CJK is CFF-flavoured
OpenType in a collection, which fpdf2 embeds as a CID-keyed CFF font with its
own encoding CMap — viewers show it, but text extractors (pypdf) read its
codes back as single bytes, so copy and search would break. IPAex Gothic is
plain ``glyf`` TrueType and embeds under Identity-H, which every extractor
reads.

Lookup, first hit wins: the known Debian paths, then fontconfig
(``fc-match -s :lang=ja``), then matplotlib's font list; a candidate counts
only if it really has the probe characters. Nothing found is not an error
here: the caller degrades (the plot drops Japanese, the PDF refuses with a
bilingual message naming the package).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
IPAEX_GOTHIC = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
_KNOWN = (
    NOTO_CJK,
    IPAEX_GOTHIC,
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)
_FAMILIES = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "VL Gothic", "TakaoGothic")
# Kanji and kana every report uses: a font without them is no Japanese font.
PROBE = "演習状況付与の評価"


@dataclass(frozen=True, slots=True)
class FontFile:
    """One face of a font file: ``index`` within a collection (.ttc)."""

    path: Path
    index: int
    family: str
    truetype: bool  # glyf outlines (True) or CFF (False)


def _face(path: Path, index: int) -> FontFile | None:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
    except Exception:  # not a font, unreadable, no such face: not a candidate
        return None
    try:
        cmap = font.getBestCmap() or {}
        if not all(ord(c) in cmap for c in PROBE):
            return None
        family = font["name"].getDebugName(1) or path.stem
        return FontFile(path, index, family, "glyf" in font)
    finally:
        font.close()


def _faces(path: Path) -> list[FontFile]:
    """The Japanese-capable faces of a file, the JP face of a CJK collection first."""
    if path.suffix.lower() not in {".ttc", ".otc"}:
        face = _face(path, 0)
        return [face] if face else []
    from fontTools.ttLib import TTCollection

    try:
        collection = TTCollection(str(path), lazy=True)
    except Exception:
        return []
    count = len(collection.fonts)
    collection.close()
    faces = [f for f in (_face(path, i) for i in range(count)) if f is not None]
    return sorted(faces, key=lambda f: (not f.family.endswith(" JP"), "Mono" in f.family))


def _known() -> list[Path]:
    return list(_KNOWN)


def _fontconfig() -> list[Path]:
    exe = shutil.which("fc-match")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, "-s", "-f", "%{file}\n", ":lang=ja"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in out.splitlines()[:20] if line]


def _matplotlib() -> list[Path]:
    from matplotlib import font_manager

    return [Path(f.fname) for f in font_manager.fontManager.ttflist if f.name in _FAMILIES]


@functools.cache
def japanese_fonts() -> tuple[FontFile, ...]:
    """Every Japanese-capable face found, best first, no file twice."""
    seen: set[Path] = set()
    found: list[FontFile] = []
    for source in (_known, _fontconfig, _matplotlib):
        for path in source():
            real = path.resolve()
            if real in seen or not real.is_file():
                continue
            seen.add(real)
            found.extend(_faces(real))
        if any(f.truetype for f in found) and any(f.index == 0 for f in found):
            break  # enough for the plot and the PDF: skip the slower sources
    return tuple(found)


def plot_font() -> FontFile | None:
    """The plot's font: Noto Sans CJK JP when installed, else any Japanese
    face matplotlib can open (face 0 of a file: matplotlib reads no other)."""
    faces = [f for f in japanese_fonts() if f.index == 0]
    return next((f for f in faces if f.family.startswith("Noto Sans CJK")), None) or next(
        iter(faces), None
    )


def plot_family() -> str | None:
    """The Japanese family name matplotlib knows for :func:`plot_font`,
    registering the file with matplotlib once; None without a Japanese font."""
    font = plot_font()
    if font is None:
        return None
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties

    name = FontProperties(fname=str(font.path)).get_name()
    if not any(f.name == name for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(font.path))
    return str(name)


def pdf_font() -> FontFile | None:
    """The PDF's font: a TrueType-outline Japanese face (see the module
    docstring), else a CFF one (renders; text extraction is poorer)."""
    faces = japanese_fonts()
    return next((f for f in faces if f.truetype), None) or next(iter(faces), None)


__all__ = ["IPAEX_GOTHIC", "NOTO_CJK", "FontFile", "japanese_fonts", "pdf_font", "plot_font"]
