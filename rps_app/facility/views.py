"""Admin pages for rooms and beds."""
from flask import Blueprint

bp = Blueprint("facility", __name__)
