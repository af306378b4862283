"""Health checks for load balancers and benchmarks."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from .auth.permissions import public
from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    """Alive: no login, no database work."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    """Ready: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def register(app) -> None:
    from . import registry
    registry.add_blueprint(app, bp)
