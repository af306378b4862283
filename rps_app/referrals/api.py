"""JSON API of referrals under /api/v1: institutions and letter downloads."""
from flask import Blueprint, Response, jsonify, request

from ..auth.permissions import Permission, requires
from ..extensions import db
from ..openapi import PDF, array, boolean, declare, enum, integer, moment, nullable, obj, text
from ..web import current_actor, json_body
from . import services, workflow
from .downloads import bast_pdf, pdf_response
from .models import INSTITUTION_KINDS

api = Blueprint("referrals_api", __name__)
MAX_LIST = 500

INSTITUTION = obj({"id": integer(), "name": text(), "kind": enum(*INSTITUTION_KINDS),
                   "address": text(), "city": text(), "phone": nullable(text())})
NEW_INSTITUTION = obj({"name": text(200, title="Nama lembaga"),
                       "kind": enum(*INSTITUTION_KINDS, title="Jenis lembaga"),
                       "address": text(300, title="Alamat"),
                       "city": text(100, title="Kota/Kabupaten")},
                      {"phone": text(40, title="Telepon")})
LETTER = obj({"id": integer(), "number": text(), "pdf_url": text(), "verify_url": text()})
LETTER_DETAIL = obj({**LETTER["properties"], "kind": text(), "status": enum("valid", "replaced"),
                     "sha256": text(), "issued_at": moment(),
                     "replaces_id": nullable(integer()), "replaced_by_id": nullable(integer())})


@api.get("/institutions")
@requires(Permission.INSTITUTIONS_READ)
@declare(query={"q": text(200), "all": boolean(), "kind": enum(*INSTITUTION_KINDS)},
         answers={200: array(INSTITUTION)}, summary="Referral institutions")
def institutions():
    """Active institutions by name; `q` searches name and city, `all=true` adds retired."""
    include_retired = request.args.get("all") == "true"
    stmt = services.list_institutions(request.args.get("q"), include_retired=include_retired,
                                      kind=request.args.get("kind") or None)
    # The contract's shape {id, name, kind, address, city, phone}; `active` only with all=true.
    return jsonify([{**services.institution_json(row),
                     **({"active": row.active} if include_retired else {})}
                    for row in db.session.scalars(stmt.limit(MAX_LIST))])


@api.post("/institutions")
@requires(Permission.INSTITUTIONS_EDIT)
@declare(body=NEW_INSTITUTION, answers={201: INSTITUTION}, summary="Add an institution")
def institution_add():
    body = json_body()
    institution = services.add_institution(
        current_actor(), body.get("name"), body.get("kind"), body.get("address"),
        body.get("city"), body.get("phone"))
    return jsonify(services.institution_json(institution)), 201


@api.get("/letters/<int:letter_id>")
@requires(Permission.CLIENTS_READ)
@declare(answers={200: LETTER_DETAIL}, summary="A letter's number, status and addresses")
def letter(letter_id: int):
    found = services.get_letter(letter_id)
    return jsonify({**services.letter_json(found), "kind": found.kind,
                    "status": found.status, "sha256": found.sha256,
                    "issued_at": found.issued_at.isoformat(),
                    "replaces_id": found.replaces_id,
                    "replaced_by_id": found.replaced_by.id if found.replaced_by else None})


@api.get("/letters/<int:letter_id>.pdf")
@requires(Permission.CLIENTS_READ)
@declare(answers={200: PDF}, summary="The letter as issued (the same bytes every time)")
def letter_pdf(letter_id: int):
    return pdf_response(services.letter_pdf(current_actor(), letter_id))


@api.post("/letters/<int:letter_id>/reissue")
@requires(Permission.EXIT)
@declare(body=obj({"reason": text(500)}), answers={201: LETTER},
         summary="Correct a letter: a new number that replaces it")
def letter_reissue(letter_id: int):
    """A correction: `{reason}` -> 201 the new letter, which replaces this one."""
    body = json_body()
    new = services.reissue(current_actor(), letter_id, body.get("reason"))
    return jsonify(services.letter_json(new)), 201


@api.get("/intakes/<int:intake_id>/bast.pdf")
@requires(Permission.CLIENTS_READ)
@declare(answers={200: PDF}, summary="The handover record (BAST penerimaan) of an intake")
def intake_bast_pdf(intake_id: int):
    return bast_pdf(intake_id)


# --- referrals asked and answered ----------------------------------------------------------

@api.post("/stays/<int:stay_id>/referrals")
@requires(Permission.REFERRALS)
def referral_ask(stay_id: int):
    """`{institution_id, reason}` -> 201 the referral with its request letter."""
    referral = workflow.ask(current_actor(), stay_id, json_body())
    return jsonify({"id": referral.id, "stay_id": referral.stay_id,
                    "institution_id": referral.institution_id, "status": referral.status,
                    "letter": services.letter_json(referral.letter)}), 201


@api.post("/referrals/<int:referral_id>/response")
@requires(Permission.REFERRALS)
def referral_response(referral_id: int):
    """`{outcome: accepted|refused, responded_at?, reason?, note?}` -> 200 {id, status}."""
    referral = workflow.respond(current_actor(), referral_id, json_body())
    return jsonify({"id": referral.id, "status": referral.status})


@api.get("/referrals")
@requires(Permission.REFERRALS)
def referral_list():
    """`?status=` sent|accepted|refused|done; newest first (`stay_id=` narrows)."""
    status = workflow.check_status(request.args.get("status"))
    stay_id = request.args.get("stay_id", "")
    rows = workflow.rows(status, stay_id=int(stay_id) if stay_id.isdigit() else None)
    return jsonify([workflow.referral_json(row) for row in rows])


@api.get("/reports/referrals")
@requires(Permission.REPORTS)
def referral_report():
    return jsonify(workflow.report(*workflow.check_period(request.args)))


@api.get("/reports/referrals.pdf")
@requires(Permission.REPORTS)
def referral_report_pdf():
    start, end = workflow.check_period(request.args)
    name = f"referrals_{start.isoformat()}_{end.isoformat()}.pdf"
    return Response(workflow.report_pdf(start, end), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
