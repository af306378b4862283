"""JSON API of audit under /api/v1."""
from flask import Blueprint

api = Blueprint("audit_api", __name__)
