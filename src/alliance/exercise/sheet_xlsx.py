"""The MSEL sheet as an Excel workbook (XLSX, Office Open XML): bytes to a
table of cells and back, with openpyxl.

**Parsing XML safely.** A workbook is a zip of XML parts. openpyxl parses
worksheets with ``defusedxml`` when it is installed (``openpyxl.DEFUSEDXML``),
which refuses entity expansion ("billion laughs") and external entities; its
other parts go through lxml with entity resolution off. defusedxml is a
dependency of this project, and this module refuses to load if openpyxl does
not use it. A zip bomb is refused before openpyxl opens the file: the parts
may not unpack to more than :data:`MAX_UNPACKED_BYTES`.

Read: the worksheet named ``MSEL`` if there is one, else the first; formula
cells are refused by :func:`.sheet.cell_in` (openpyxl gives their text,
``=…``, as the value is not computed); a date-time cell is read as UTC (Z).
Written: one worksheet ``MSEL``, every cell a text cell through
:func:`.sheet.cell_out`, the header row frozen.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

import openpyxl

from alliance.core.i18n import Text

from .sheet import (
    MAX_SHEET_BYTES,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    SheetLine,
    header_row,
    sheet_error,
)
from .sheet_csv import too_large

if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
    raise ImportError("openpyxl must parse XML with defusedxml: install defusedxml")

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_PARTS = 500

_NOT_XLSX = Text(
    "The file is not an Excel workbook (.xlsx): save it as 'Excel Workbook' or send CSV.",
    "ファイルがExcelブック（.xlsx）ではありません。「Excelブック」形式で保存するか、CSVで送ってください。",
)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise sheet_error(_NOT_XLSX, "unreadable_sheet") from None
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise sheet_error(
            Text(
                f"The workbook unpacks to {unpacked} bytes in {len(infos)} parts; at most "
                f"{MAX_UNPACKED_BYTES} bytes in {MAX_PARTS} parts are accepted.",
                f"ブックを展開すると{len(infos)}個・{unpacked}バイトになります。上限は"
                f"{MAX_PARTS}個・{MAX_UNPACKED_BYTES}バイトです。",
            ),
            "sheet_too_large",
        )


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The cell values of the workbook's MSEL worksheet, row by row."""
    if len(data) > MAX_SHEET_BYTES:
        raise too_large(len(data))
    _check_zip(data)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # a malformed part raises anything: it is the file's fault
        raise sheet_error(_NOT_XLSX, "unreadable_sheet") from None
    try:
        sheet = book["MSEL"] if "MSEL" in book.sheetnames else book.worksheets[0]
        rows: list[list[Any]] = []
        filled = 0
        for values in sheet.iter_rows(max_col=MAX_SHEET_COLUMNS + 1, values_only=True):
            rows.append(list(values))
            filled += any(v not in (None, "") for v in values)
            # The header, the rows allowed, and one more to tell a sheet with too many.
            if filled > MAX_SHEET_ROWS + 1:
                break
        return rows
    except Exception:  # as above
        raise sheet_error(_NOT_XLSX, "unreadable_sheet") from None
    finally:
        book.close()


def write_xlsx(lines: Iterable[SheetLine], lang: str = "en") -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("MSEL")
    sheet.freeze_panes = "A2"
    sheet.append(header_row(lang))
    for line in lines:
        sheet.append(line.cells())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["MAX_UNPACKED_BYTES", "MEDIA_TYPE", "read_xlsx", "write_xlsx"]
