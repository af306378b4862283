"""The dashboard (/) and the reports pages."""
from flask import Blueprint, render_template

from ..auth.permissions import Permission, requires

bp = Blueprint("reporting", __name__)


@bp.get("/")
@requires(Permission.ACCOUNT)
def dashboard():
    return render_template("reporting/dashboard.html")
