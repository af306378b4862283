"""The content snapshot of a letter: every value it prints, taken from the records once.

Plain JSON values (dates as `YYYY-MM-DD`, times as ISO 8601 in RPS_TIMEZONE), so that the
stored snapshot says exactly what the letter said even after the records change.
"""
from datetime import date, datetime

from sqlalchemy import select

from reports.pmks import pmks_name
from .. import clock
from ..clients.vocabulary import SEX_LABELS
from ..extensions import db
from ..stays.vocabulary import AGENCY_LABELS, EXIT_LABELS
from ..stays.models import (FAMILY_EXIT_TYPES, INSTITUTION_EXIT_TYPES, Belonging, CaseNote,
                            Intake, Stay, StayExit)

UNKNOWN_NIK = "belum diketahui"


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return clock.to_local(value).isoformat()
    return value.isoformat()


def client_identity(client, on: date) -> dict:
    """The client as letters name them; an unknown NIK is said to be unknown."""
    return {
        "registration_number": client.registration_number,
        "name": client.name,
        "identity_known": bool(client.identity_known),
        "nik": client.nik or UNKNOWN_NIK,
        "sex": client.sex,
        "sex_label": SEX_LABELS.get(client.sex, client.sex),
        "birth_place": client.birth_place,
        "birth_date": _iso(client.birth_date),
        "age": client.age_on(on),
        "age_estimated": client.birth_date is None,
        "origin_regency": client.origin_regency,
        "origin_address": client.origin_address,
        "pmks_category": client.pmks_category,
        "pmks_name": pmks_name(client.pmks_category),
    }


def _latest_note(stay_id: int, kind: str) -> str | None:
    return db.session.scalar(
        select(CaseNote.body).where(CaseNote.stay_id == stay_id, CaseNote.kind == kind)
        .order_by(CaseNote.written_at.desc(), CaseNote.id.desc()).limit(1))


def _institution(institution) -> dict | None:
    if institution is None:
        return None
    return {"id": institution.id, "name": institution.name, "kind": institution.kind,
            "address": institution.address, "city": institution.city,
            "phone": institution.phone}


def _family_contact(contact: dict | None) -> dict | None:
    if not contact:
        return None
    return {key: contact.get(key) for key in ("name", "relation", "address", "phone")}


def exit_letter_kind(exit_type: str | None) -> str | None:
    if exit_type in INSTITUTION_EXIT_TYPES:
        return "referral"
    if exit_type in FAMILY_EXIT_TYPES:
        return "handover"
    return None


def for_exit(stay: Stay, stay_exit: StayExit | None) -> dict:
    """What the referral or handover letter of an exited stay prints."""
    exit_day = stay.exit_date
    return {
        "exit_type": stay.exit_type,
        "exit_label": EXIT_LABELS.get(stay.exit_type, stay.exit_type),
        "client": client_identity(stay.client, exit_day),
        "stay": {"id": stay.id, "entry_date": _iso(stay.entry_date),
                 "exit_date": _iso(exit_day), "exited_at": _iso(stay.exited_at),
                 "nights": (exit_day - stay.entry_date).days},
        "assessment": _latest_note(stay.id, "initial_assessment"),
        "health": _latest_note(stay.id, "health"),
        "reason": stay_exit.notes if stay_exit else None,
        "escort_name": stay_exit.escort_name if stay_exit else None,
        "belongings_returned": [
            {"description": item.description, "quantity": item.quantity}
            for item in db.session.scalars(
                select(Belonging).where(Belonging.stay_id == stay.id,
                                        Belonging.returned_at.is_not(None))
                .order_by(Belonging.id))],
        "institution": _institution(stay_exit.institution if stay_exit else None),
        "family_contact": _family_contact(stay_exit.family_contact if stay_exit else None),
        "officer": _user(stay_exit.recorded_by_id if stay_exit else None),
    }


def for_referral(stay: Stay, institution, reason: str, asked_at: datetime) -> dict:
    """What the surat permohonan rujukan prints: the client as they are on the day it is
    asked, the stay so far, the institution asked and why."""
    on = clock.to_local(asked_at).date()
    return {
        "client": client_identity(stay.client, on),
        "stay": {"id": stay.id, "entry_date": _iso(stay.entry_date), "exit_date": None,
                 "exited_at": None, "nights": max(0, (on - stay.entry_date).days)},
        "assessment": _latest_note(stay.id, "initial_assessment"),
        "health": _latest_note(stay.id, "health"),
        "reason": reason,
        "institution": _institution(institution),
    }


def _user(user_id: int | None) -> dict | None:
    from ..auth.models import User
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        return None
    return {"name": user.full_name or user.username, "nip": user.nip}


def for_intake(intake: Intake) -> dict:
    """What the BAST penerimaan of a whole intake batch prints."""
    received_on = clock.to_local(intake.received_at).date()
    persons = []
    for stay in intake.stays:
        person = client_identity(stay.client, received_on)
        person["stay_id"] = stay.id
        person["needs_isolation"] = bool(stay.needs_isolation)
        person["belongings"] = [{"description": item.description, "quantity": item.quantity}
                                for item in stay.belongings]
        persons.append(person)
    return {
        "intake_id": intake.id,
        "agency": intake.agency,
        "agency_label": AGENCY_LABELS.get(intake.agency, intake.agency),
        "officer_name": intake.officer_name,
        "officer_id_number": intake.officer_id_number,
        "bast_number": intake.bast_number,
        "operation_place": intake.operation_place,
        "operation_at": _iso(intake.operation_at),
        "received_at": _iso(intake.received_at),
        "received_by": _user(intake.received_by_id),
        "notes": intake.notes,
        "persons": persons,
    }
