"""The audit log page (admin, kepala)."""
from flask import Blueprint

bp = Blueprint("audit", __name__)
