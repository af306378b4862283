"""A stored letter as an HTTP download: the same bytes every time, never cached elsewhere."""
from flask import Response

from ..errors import DomainError


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
