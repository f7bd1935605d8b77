"""Importing and exporting a nation's MSEL as a sheet (CSV or XLSX).

The columns and the reading of a row are :mod:`.sheet`'s; the bytes are
:mod:`.sheet_csv`'s and :mod:`.sheet_xlsx`'s. This module is the desk's part:

- **Import is all or nothing, in one transaction of the writer.** Every row
  is checked as a new MSEL row would be (time, addressee HQ, objectives by
  code, serial unique in the file and among the nation's stored rows,
  delivery method, lengths, what its delivery releases and the release gate)
  before any is written. One bad row refuses the whole file with
  ``invalid_sheet``: the message and ``errors`` name every problem found, by
  row and column (``rows.12.DTG``), so the planner fixes the sheet in one go;
  nothing is stored. The rows are written as drafts of the importing nation.
- **Export** writes the nation's own rows of the exercise (injects are
  national: a partner's never show), in order of their due time.

Who may: importing is an MSEL editor's (or the exercise owner's) of a
participating nation; exporting, anyone with a role in the exercise (a
viewer's will do), as reading the MSEL is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Actor
from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text
from alliance.store.owned import released_to
from alliance.store.writer import Tx

from .common import (
    ExerciseBase,
    inject_view,
    release_marking,
    require_participant_nation,
    require_role,
)
from .models import ExerciseRole, InjectIn, SheetFormat, SheetImportOut
from .msel import READ_ROLES, Msel, NewInject
from .sheet import (
    OBJECTIVES,
    SERIAL,
    RowError,
    SheetLine,
    SheetRow,
    error_column,
    inject_data,
    read_table,
    refuse_rows,
    validate_inject,
    when_text,
)
from .sheet_csv import MEDIA_TYPE as CSV_TYPE
from .sheet_csv import read_csv, write_csv
from .sheet_xlsx import MEDIA_TYPE as XLSX_TYPE
from .sheet_xlsx import read_xlsx, write_xlsx
from .tables import ExerciseRow, ObjectiveRow

MEDIA_TYPES = {SheetFormat.CSV: CSV_TYPE, SheetFormat.XLSX: XLSX_TYPE}


@dataclass(frozen=True, slots=True)
class SheetFile:
    """An exported sheet: its bytes, media type and file name."""

    data: bytes
    media_type: str
    filename: str


def sheet_format(fmt: str | None, content_type: str | None) -> SheetFormat:
    """The format named by ``fmt`` (csv, xlsx), else by the content type."""
    if fmt:
        try:
            return SheetFormat(fmt.lower())
        except ValueError:
            pass
    elif content_type:
        media = content_type.split(";")[0].strip().lower()
        for known, media_type in MEDIA_TYPES.items():
            if media == media_type:
                return known
        if media in ("application/csv", "text/comma-separated-values"):
            return SheetFormat.CSV
    raise InvalidInput(
        Text(
            "Say which sheet this is: ?format=csv or ?format=xlsx, or Content-Type "
            f"{CSV_TYPE} or {XLSX_TYPE}.",
            "シートの形式を ?format=csv または ?format=xlsx、あるいは Content-Type "
            f"（{CSV_TYPE} または {XLSX_TYPE}）で指定してください。",
        ),
        field="format",
        code="unsupported_sheet",
    )


class MselSheets(Msel, ExerciseBase):
    """A nation's MSEL in and out of a spreadsheet."""

    def import_sheet(
        self,
        actor: Actor,
        exercise_id: str,
        data: bytes,
        fmt: str | None = None,
        content_type: str | None = None,
    ) -> SheetImportOut:
        """Import ``data``, a sheet in the format ``fmt`` names (csv, xlsx) or
        else ``content_type``: every row as a draft, or none (see the module)."""
        # Who may is answered before the file is read, the same for any file.
        with self.ctx.db.read() as s:
            exercise = self._exercise(s, actor, exercise_id)
            require_participant_nation(exercise, actor.nation, "exercise_id")
            require_role(s, actor, exercise, ExerciseRole.EDITOR)
        sheet_fmt = sheet_format(fmt, content_type)
        table = read_csv(data) if sheet_fmt is SheetFormat.CSV else read_xlsx(data)
        rows, problems = read_table(table)
        if any(p.error.code == "too_many_rows" for p in problems):
            raise refuse_rows(problems)  # refused whole: its rows are not worth checking
        return self.ctx.writer.run(
            lambda tx: self.import_rows_in(tx, actor, exercise_id, sheet_fmt, rows, problems)
        )

    def import_rows_in(
        self,
        tx: Tx,
        actor: Actor,
        exercise_id: str,
        fmt: SheetFormat,
        rows: list[SheetRow],
        problems: list[RowError],
    ) -> SheetImportOut:
        """Check every row, then write them all — or, if any is wrong, refuse
        the sheet naming every problem, having written nothing."""
        s = tx.session
        exercise = self._exercise(s, actor, exercise_id)
        require_participant_nation(exercise, actor.nation, "exercise_id")
        require_role(s, actor, exercise, ExerciseRole.EDITOR)
        found = list(problems)
        codes = objective_codes(s, actor.nation, exercise)
        serials: dict[str, int] = {}
        ready: list[tuple[InjectIn, NewInject]] = []
        for row in rows:
            data, row_problems = inject_data(row)
            ids: list[str] = []
            for code in row.objective_codes:
                ident = codes.get(code)
                if ident is None:
                    row_problems.append(unknown_code(row.number, code, exercise.id))
                else:
                    ids.append(ident)
            data["objective_ids"] = ids
            inject, invalid = validate_inject(row, data)
            reported = {p.column for p in row_problems}
            row_problems += [p for p in invalid if p.column not in reported]
            serial = row.cell(SERIAL)
            if serial and serial in serials:
                row_problems.append(
                    RowError(
                        row.number,
                        SERIAL,
                        InvalidInput(
                            Text(
                                f"serial '{serial}' is also in row {serials[serial]}",
                                f"通し番号「{serial}」は{serials[serial]}行目にもあります",
                            ),
                            code="duplicate_serial",
                        ),
                    )
                )
            serials.setdefault(serial, row.number)
            if inject is not None and not row_problems:
                try:
                    ready.append((inject, self.check_new_inject(tx, actor, exercise, inject)))
                except AllianceError as exc:
                    column = error_column(exc)
                    if column is None:
                        raise  # not the row's fault (authority): the whole import is refused
                    row_problems.append(RowError(row.number, column, exc))
            found += row_problems
        if found:
            raise refuse_rows(sorted(found, key=lambda p: p.row))
        written = [self.store_new_inject(tx, actor, exercise, i, c) for i, c in ready]
        return SheetImportOut(
            exercise_id=exercise.id,
            format=fmt,
            imported=len(written),
            injects=[inject_view(r, exercise) for r in written],
        )

    def export_sheet(
        self, actor: Actor, exercise_id: str, fmt: SheetFormat, lang: str = "en"
    ) -> SheetFile:
        """The nation's own MSEL rows of the exercise as a sheet."""
        with self.ctx.db.read() as s:
            exercise = self._exercise(s, actor, exercise_id)
            require_role(s, actor, exercise, *READ_ROLES)
            code_of = {i: c for c, i in objective_codes(s, actor.nation, exercise).items()}
            lines = []
            for r in self.msel_rows(s, actor.nation, exercise):
                release = release_marking(r)
                lines.append(
                    SheetLine(
                        serial=r.serial,
                        when=when_text(r.due_ex, r.offset_s),
                        sender=r.sender,
                        addressee_hq_id=r.addressee_hq_id,
                        method=r.method,
                        description=r.description,
                        description_ja=r.description_ja,
                        expected_action=r.expected_action,
                        expected_action_ja=r.expected_action_ja,
                        objectives=";".join(code_of.get(i, i) for i in r.objective_ids),
                        controller=r.controller,
                        releasable_to=";".join(sorted(release.releasable_to - {r.owner})),
                        tlp=release.tlp.value if release.tlp else "",
                        status=r.state,
                    )
                )
        data = write_csv(lines, lang) if fmt is SheetFormat.CSV else write_xlsx(lines, lang)
        name = f"msel-{exercise.id}-{actor.nation.lower()}.{fmt.value}"
        return SheetFile(data, MEDIA_TYPES[fmt], name)


def objective_codes(s: Session, nation: str, exercise: ExerciseRow) -> dict[str, str]:
    """Objective code → id among the exercise's objectives released to
    ``nation``; the nation's own win over a partner's of the same code."""
    stmt = released_to(select(ObjectiveRow), ObjectiveRow, nation).where(
        ObjectiveRow.exercise_id == exercise.id
    )
    out: dict[str, str] = {}
    rows = sorted(s.scalars(stmt), key=lambda r: (r.owner != nation, r.owner, r.id))
    for row in rows:
        out.setdefault(row.code, row.id)
    return out


def unknown_code(number: int, code: str, exercise_id: str) -> RowError:
    return RowError(
        number,
        OBJECTIVES,
        InvalidInput(
            Text(
                f"exercise '{exercise_id}' has no training objective with code '{code}'",
                f"演習「{exercise_id}」にコード「{code}」の訓練目標はありません",
            ),
            code="unknown_objective",
        ),
    )


__all__ = ["MEDIA_TYPES", "MselSheets", "SheetFile", "objective_codes", "sheet_format"]
