"""JSON API of facility under /api/v1."""
from flask import Blueprint

api = Blueprint("facility_api", __name__)
