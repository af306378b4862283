"""The data subject's export from the client page (kepala): a JSON download."""
from flask import Blueprint, current_app

from ..auth.permissions import Permission, requires
from ..web import current_actor
from . import services

bp = Blueprint("privacy", __name__)


def export_response(data: dict, client_id: int):
    response = current_app.response_class(current_app.json.dumps(data, indent=1),
                                          mimetype="application/json")
    # The id only: file names end up in download folders and logs.
    response.headers["Content-Disposition"] = f'attachment; filename="klien-{client_id}.json"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.get("/clients/<int:client_id>/export.json")
@requires(Permission.CLIENTS_READ, Permission.CLIENTS_EXPORT)
def export(client_id: int):
    return export_response(services.export(current_actor(), client_id), client_id)


def export_panel(client) -> dict:
    return {"client_id": client.id, "anonymised_at": client.anonymised_at}
