"""The MSEL sheet as CSV (RFC 4180): bytes to a table of cells and back.

Read: UTF-8, with or without the byte-order mark Excel's "CSV UTF-8" writes;
a file that is not UTF-8 is read as Shift_JIS (CP932, what Excel's plain
"CSV" writes on a Japanese Windows). Quoted cells may hold line breaks.
Written: UTF-8 with the byte-order mark (so Excel shows the Japanese text),
CRLF line ends, every cell through :func:`.sheet.cell_out` (formula-looking
cells behind an apostrophe). The columns are :mod:`.sheet`'s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from alliance.core.i18n import Text

from .sheet import MAX_SHEET_BYTES, MAX_SHEET_COLUMNS, SheetLine, header_row, sheet_error

MEDIA_TYPE = "text/csv"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise sheet_error(
            Text(
                "The CSV file is neither UTF-8 nor Shift_JIS text: save it as "
                "'CSV UTF-8 (comma delimited)'.",
                "CSVファイルがUTF-8でもShift_JISでもありません。「CSV UTF-8（コンマ区切り）」"
                "で保存してください。",
            ),
            "unreadable_sheet",
        ) from None


def read_csv(data: bytes) -> list[list[str]]:
    """The cells of a CSV file, row by row."""
    if len(data) > MAX_SHEET_BYTES:
        raise too_large(len(data))
    text = _decode(data)
    if "\x00" in text:
        raise sheet_error(
            Text(
                "The file holds NUL bytes: it is not a CSV text file.",
                "ファイルにNULバイトが含まれています。CSVテキストではありません。",
            ),
            "unreadable_sheet",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row[: MAX_SHEET_COLUMNS + 1])
    except csv.Error as exc:
        raise sheet_error(
            Text(
                f"The CSV file cannot be read at line {reader.line_num}: {exc}.",
                f"CSVファイルの{reader.line_num}行目を読み取れません（{exc}）。",
            ),
            "unreadable_sheet",
            f"rows.{reader.line_num}",
        ) from None
    return rows


def write_csv(lines: Iterable[SheetLine], lang: str = "en") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header_row(lang))
    for line in lines:
        writer.writerow(line.cells())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def too_large(size: int) -> Exception:
    return sheet_error(
        Text(
            f"The sheet is {size} bytes; at most {MAX_SHEET_BYTES} are accepted. Split the MSEL.",
            f"シートが{size}バイトあります。上限は{MAX_SHEET_BYTES}バイトです。MSELを分けてください。",
        ),
        "sheet_too_large",
    )


__all__ = ["MEDIA_TYPE", "read_csv", "too_large", "write_csv"]
