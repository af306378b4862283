"""A stored letter as an HTTP download: the same bytes every time, never cached elsewhere."""
from flask import Response

from ..errors import DomainError
from ..transaction import start_writing
from ..web import current_actor
from . import services


def pdf_response(letter) -> Response:
    if not letter.pdf:  # removed at the end of the retention period (number and hash stay)
        raise DomainError("Berkas surat ini telah dihapus karena masa retensi data berakhir.",
                          code="letter_removed", status=410)
    response = Response(letter.pdf, mimetype="application/pdf")
    # The id, not the number or a name: file names end up in logs and download folders.
    response.headers["Content-Disposition"] = f'inline; filename="surat-{letter.id}.pdf"'
    response.headers["ETag"] = f'"{letter.sha256}"'
    # Personal data: no shared cache (proxy, browser disk) keeps a copy.
    response.headers["Cache-Control"] = "no-store, private"
    return response


def bast_pdf(intake_id: int) -> Response:
    """The intake's BAST (web page and API alike). Its first print numbers and stores the
    letter: that request leaves its read transaction for a write transaction first."""
    if not services.bast_issued(intake_id):
        start_writing()
    return pdf_response(services.intake_bast(current_actor(), intake_id))
