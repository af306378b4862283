"""The data subject's export as JSON under /api/v1 (kepala)."""
from flask import Blueprint

from ..auth.permissions import Permission, requires
from ..web import current_actor
from . import services
from .views import export_response

api = Blueprint("privacy_api", __name__)


@api.get("/clients/<int:client_id>/export.json")
@requires(Permission.CLIENTS_READ, Permission.CLIENTS_EXPORT)
def export(client_id: int):
    return export_response(services.export(current_actor(), client_id), client_id)
