"""JSON API of auth under /api/v1."""
from flask import Blueprint

api = Blueprint("auth_api", __name__)
