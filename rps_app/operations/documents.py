"""The weekly duty roster (jadwal piket) as a PDF: gathered here, drawn by reports.roster."""
from datetime import date

from flask import Response

from reports import roster as roster_pdf

from .. import clock
from ..referrals import letter_settings
from . import roster
from .models import SHIFTS


def roster_data(start: date, end: date) -> roster_pdf.RosterData:
    rooms = roster.posts()
    names = {room.id: room.name for room in rooms}
    cells: dict = {}
    for row in roster.assignments_between(start, end):
        if row.room_id in names:
            cells.setdefault((row.date, row.shift, names[row.room_id]), []).append(row.staff.name)
    notes = []
    for gap in roster.gaps(start, end):
        where = names.get(next((r.id for r in rooms if r.code == gap.post), None), "")
        what = ("petugas kurang dari minimal" if gap.code == "understaffed"
                else "tidak ada petugas perempuan")
        notes.append(f"{gap.date.strftime('%d/%m')} {gap.shift}{' ' + where if where else ''}: "
                     f"{what}")
    return roster_pdf.RosterData(
        start=start, end=end, issued_on=clock.local_today(),
        shifts=tuple((code, roster.SHIFT_LABELS[code]) for code in SHIFTS),
        posts=tuple(room.name for room in rooms),
        cells={key: tuple(value) for key, value in cells.items()},
        days=tuple(roster.days(start, end)), notes=tuple(notes))


def roster_pdf_bytes(start: date, end: date) -> bytes:
    return roster_pdf.build(roster_data(start, end), letter_settings.letterhead(),
                            letter_settings.signatory())


def roster_pdf_response(start: date, end: date) -> Response:
    response = Response(roster_pdf_bytes(start, end), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="jadwal-piket-{start.isoformat()}.pdf"')
    response.headers["Cache-Control"] = "no-store, private"
    return response
