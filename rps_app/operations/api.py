"""JSON API of daily operations under /api/v1 (contract.md, "Daily operations"): staff and
leave, the duty roster and its proposal, roll calls, incidents. No rules here."""
from flask import Blueprint, jsonify, request

from .. import clock
from ..auth.permissions import Permission, can, requires
from ..errors import Forbidden, ValidationError
from ..fields import FieldErrors
from ..web import current_actor, json_body
from . import documents, incidents, proposal, roster, rollcall, staff

api = Blueprint("operations_api", __name__)


# --- staff ---------------------------------------------------------------------------

@api.get("/staff")
@requires(Permission.ROSTER_READ)
def staff_list():
    return jsonify([staff.staff_json(s) for s in staff.list_staff()])


@api.post("/staff")
@requires(Permission.ROSTER_EDIT)
def staff_create():
    return jsonify(staff.staff_json(staff.create_staff(current_actor(), json_body()))), 201


@api.patch("/staff/<int:staff_id>")
@requires(Permission.ROSTER_EDIT)
def staff_update(staff_id: int):
    return jsonify(staff.staff_json(staff.update_staff(current_actor(), staff_id, json_body())))


@api.post("/staff/<int:staff_id>/leave")
@requires(Permission.ROSTER_EDIT)
def staff_leave(staff_id: int):
    return jsonify(staff.leave_json(staff.add_leave(current_actor(), staff_id, json_body()))), 201


# --- roster --------------------------------------------------------------------------

def period_args() -> tuple:
    return roster.check_period(request.args, max_days=366)


@api.get("/roster")
@requires(Permission.ROSTER_READ)
def roster_list():
    return jsonify(roster.roster_json(*period_args()))


@api.get("/roster/gaps")
@requires(Permission.ROSTER_READ)
def roster_gaps():
    return jsonify([gap.json() for gap in roster.gaps(*period_args())])


@api.get("/roster/now")
@requires(Permission.ROSTER_READ)
def roster_now():
    return jsonify([roster.assignment_json(row, with_person=True)
                    for row in roster.on_duty_now()])


@api.post("/roster/assignments")
@requires(Permission.ROSTER_EDIT)
def assignment_create():
    return jsonify(roster.assignment_json(roster.assign(current_actor(), json_body()))), 201


@api.delete("/roster/assignments/<int:assignment_id>")
@requires(Permission.ROSTER_EDIT)
def assignment_delete(assignment_id: int):
    roster.unassign(current_actor(), assignment_id)
    return "", 204


@api.put("/roster/posts/<code>")
@requires(Permission.ROSTER_EDIT)
def post_minimum(code: str):
    data = json_body()
    errors = FieldErrors()
    post = roster.post_by_code(code, errors)
    if errors:
        raise ValidationError("Pos jaga tidak ditemukan.", errors.fields)
    row = roster.set_minimum(current_actor(), post.id, data.get("shift"), data.get("min_staff"))
    return jsonify({"post": post.code, "shift": row.shift, "min_staff": row.min_staff})


@api.post("/roster/proposal")
@requires(Permission.ROSTER_READ)
def roster_proposal():
    data = json_body()
    errors = FieldErrors()
    apply = errors.boolean(data, "apply", False, label="apply")
    if errors:
        raise ValidationError("Isian usulan tidak valid.", errors.fields)
    if apply and not can(Permission.ROSTER_EDIT):
        raise Forbidden("Hanya kepala RPS yang dapat menyimpan usulan jadwal.")
    start, end = roster.check_period(data)
    result = proposal.propose(start, end)
    if apply:
        proposal.apply(current_actor(), result)
    return jsonify(proposal_json(result))


def proposal_json(result) -> dict:
    codes = {room.id: room.code for room in roster.posts()}
    return {"assignments": [{"date": day.isoformat(), "shift": shift, "post": codes[rid],
                             "staff_id": sid} for day, shift, rid, sid in result.assignments],
            "gaps": [gap.json() for gap in result.gaps]}


@api.get("/roster.pdf")
@requires(Permission.ROSTER_READ)
def roster_pdf():
    return documents.roster_pdf_response(*period_args())


# --- roll call -----------------------------------------------------------------------

@api.post("/rollcalls")
@requires(Permission.ROLLCALL)
def rollcall_create():
    return jsonify(rollcall.rollcall_json(rollcall.take(current_actor(), json_body()))), 201


@api.put("/rollcalls/<int:rollcall_id>")
@requires(Permission.ROLLCALL)
def rollcall_correct(rollcall_id: int):
    result = rollcall.correct(current_actor(), rollcall_id, json_body())
    return jsonify({**rollcall.rollcall_json(result), "version": result.version})


@api.get("/rollcalls")
@requires(Permission.OPERATIONS_READ)
def rollcall_list():
    errors = FieldErrors()
    day = errors.date(request.args, "date", label="Tanggal") or clock.local_today()
    if errors:
        raise ValidationError("Tanggal tidak valid.", errors.fields)
    return jsonify([rollcall.rollcall_json(r) for r in rollcall.on_date(day)])


# --- incidents -----------------------------------------------------------------------

@api.post("/incidents")
@requires(Permission.INCIDENTS_WRITE)
def incident_create():
    return jsonify(incidents.incident_json(incidents.record(current_actor(), json_body()))), 201


@api.get("/incidents")
@requires(Permission.OPERATIONS_READ)
def incident_list():
    errors = FieldErrors()
    start = errors.date(request.args, "from", label="Tanggal awal")
    end = errors.date(request.args, "to", label="Tanggal akhir")
    if errors:
        raise ValidationError("Periode tidak valid.", errors.fields)
    return jsonify([incidents.incident_json(i) for i in incidents.between(start, end)])


@api.post("/incidents/<int:incident_id>/acknowledge")
@requires(Permission.INCIDENTS_ACK)
def incident_acknowledge(incident_id: int):
    return jsonify(incidents.incident_json(incidents.acknowledge(current_actor(), incident_id)))
