"""Case notes and SPM service records: append-only, validated, audited."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.stays import notes
from rps_app.stays import services as stays
from rps_app.stays.models import CaseNote, ServiceRecord

from .factories import make_user
from .stays_support import ACTOR, NOW, admit, client_row, count, refused


@pytest.fixture(autouse=True)
def frozen(ctx):
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def audit_of(entity: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity == entity)
                                   .order_by(AuditEntry.id)))


def test_a_note_is_written_and_audited():
    (stay,) = admit(client_row())
    note = notes.add_note(ACTOR, stay.id, "initial_assessment", "  Tidak membawa KTP.  ")
    assert (note.kind, note.body, note.corrects_id) == ("initial_assessment", "Tidak membawa KTP.", None)
    (entry,) = audit_of("case_note")
    assert entry.entity_id == str(note.id)
    assert entry.detail == {"stay_id": stay.id, "kind": "initial_assessment", "corrects_id": None}


def test_a_correction_is_a_new_note_naming_the_old_one():
    first, other = admit(client_row("A"), client_row("B"))
    old = notes.add_note(ACTOR, first.id, "health", "Demam 39 C.")
    correction = notes.add_note(ACTOR, first.id, "health", "Demam 38 C (koreksi).", old.id)
    assert correction.corrects_id == old.id and correction.id != old.id
    assert db.session.get(CaseNote, old.id).body == "Demam 39 C."  # never edited
    assert [n.id for n in notes.notes_for([first.id])[first.id]] == [old.id, correction.id]
    error = refused(notes.add_note, ACTOR, other.id, "health", "x", old.id)
    assert "corrects_id" in error.fields  # a note of another client cannot be corrected here


def test_a_note_needs_a_known_kind_and_a_body():
    (stay,) = admit(client_row())
    error = refused(notes.add_note, ACTOR, stay.id, "gossip", "   ")
    assert set(error.fields) == {"kind", "body"}
    error = refused(notes.add_note, ACTOR, stay.id, "incident", "x" * (notes.MAX_NOTE + 1))
    assert "body" in error.fields
    assert refused(notes.add_note, ACTOR, 9999, "incident", "x").status == 404
    assert count(CaseNote) == 0 and audit_of("case_note") == []


def test_a_service_record_names_component_date_and_staff():
    staff = make_user("pekerja1", role="staf")
    (stay,) = admit(client_row())
    today = clock.local_today()
    record = notes.add_service(ACTOR, stay.id, "1", today.isoformat(), str(staff.id), "Makan 3x")
    assert (record.component, record.given_on, record.staff_id, record.note) == \
        (1, today, staff.id, "Makan 3x")
    (entry,) = audit_of("service_record")
    assert entry.detail == {"stay_id": stay.id, "component": 1, "given_on": today.isoformat(),
                            "staff_id": staff.id}
    assert [r.id for r in notes.services_for([stay.id])[stay.id]] == [record.id]


def test_a_service_record_is_checked():
    admin = make_user("admin9", role="admin")
    (stay,) = admit(client_row())
    today = clock.local_today()
    error = refused(notes.add_service, ACTOR, stay.id, 12, "kemarin", "abc")
    assert set(error.fields) == {"component", "given_on", "staff_id"}
    error = refused(notes.add_service, ACTOR, stay.id, 2, today + timedelta(days=1), admin.id)
    assert set(error.fields) == {"given_on", "staff_id"}  # the future; an administrator
    error = refused(notes.add_service, ACTOR, stay.id, 2, stay.entry_date - timedelta(days=1))
    assert "given_on" in error.fields  # before the stay began
    assert count(ServiceRecord) == 0


def test_services_may_be_recorded_after_exit_within_the_stay():
    (stay,) = admit(client_row())
    stays.exit_stay(ACTOR, stay.id, {"exit_type": "absconded"})
    record = notes.add_service(ACTOR, stay.id, 11, stay.exit_date)
    assert record.given_on == stay.exit_date and record.staff_id == ACTOR.user_id
