"""JSON API of reports under /api/v1 (Permission.REPORTS): metrics, the archive, PDFs."""
from flask import Blueprint, Response, jsonify, request

from ..audit import services as audit
from ..auth.permissions import Permission, requires
from ..errors import ValidationError
from ..extensions import db
from ..web import current_actor
from . import metrics, services
from .models import RUN_KINDS

api = Blueprint("reporting_api", __name__)
RUNS_LIMIT = 500
OVER_LIMIT_KEYS = ("stay_id", "client_id", "name", "nights")


def _period(kind: str):
    return services.check_period(kind, request.args.get("from"), request.args.get("to"))


@api.get("/reports/occupancy")
@requires(Permission.REPORTS)
def occupancy():
    return jsonify(metrics.occupancy(*_period("occupancy")).as_json())


@api.get("/reports/length-of-stay")
@requires(Permission.REPORTS)
def length_of_stay():
    data = metrics.length_of_stay(*_period("length-of-stay")).as_json()
    # contract.md fixes over_limit items as {stay_id, client_id, name, nights}.
    data["active"]["over_limit"] = [{key: item[key] for key in OVER_LIMIT_KEYS}
                                    for item in data["active"]["over_limit"]]
    audit.note_shown(current_actor(), "length-of-stay", [item["client_id"] for item in
                                                         data["active"]["over_limit"]])
    return jsonify(data)


@api.get("/reports/runs")
@requires(Permission.REPORTS)
def runs():
    """`[{id, kind, period_from, period_to, status, sha256, created_at}]`, newest first."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in RUN_KINDS:
        raise ValidationError("Jenis laporan tidak dikenal.",
                              {"kind": "Salah satu dari: " + ", ".join(RUN_KINDS) + "."})
    stmt = services.runs_query(kind=kind).limit(RUNS_LIMIT)
    return jsonify([run.as_json() for run in db.session.scalars(stmt)])


@api.get("/reports/<kind>.pdf")
@requires(Permission.REPORTS)
def report_pdf(kind: str):
    start, end = _period(kind)
    pdf = services.build_pdf(kind, start, end, current_actor())
    name = f"{kind}_{start.isoformat()}_{end.isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
