"""The client-flow services without HTTP: intake, placement, isolation, extension, exit."""
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.facility import services as facility
from rps_app.referrals import services as referrals
from rps_app.sequences import current_value
from rps_app.stays import board as bed_board
from rps_app.stays import services
from rps_app.stays.models import (BedAssignment, Belonging, Intake, IsolationDecision, Stay,
                                  StayExit)

from .stays_support import (ACTOR, NOW, admit, client_row, count, intake_body, make_nik,
                            refused, room)


@pytest.fixture(autouse=True)
def frozen(ctx):
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def later(minutes: int = 1) -> None:
    clock.freeze(clock.now() + timedelta(minutes=minutes))


# --- intake --------------------------------------------------------------------------

def test_intake_registers_clients_and_opens_stays():
    body = intake_body(
        client_row("Budi", nik=make_nik("L", date(1980, 5, 17)), birth_date="1980-05-17",
                   age=None, identity_known=True, origin_regency="Brebes",
                   belongings=[{"description": "Tas ransel", "quantity": 1},
                               {"description": "Uang (Rp)", "quantity": 15000}]),
        client_row("Tanpa Nama 1", "P", 55, needs_isolation=True,
                   screening={"psychotic": True}),
        received_at="2026-11-06T09:15:00+07:00")
    batch = services.intake(ACTOR, body)
    db.session.commit()
    stays = list(batch.stays)
    assert [s.client.registration_number for s in stays] == ["RPS-2026-00001", "RPS-2026-00002"]
    assert batch.received_at == datetime(2026, 11, 6, 2, 15, tzinfo=timezone.utc)
    assert batch.operation_at == datetime(2026, 11, 6, 1, 30, tzinfo=timezone.utc)
    budi, other = stays
    assert budi.entered_at == batch.received_at and budi.entry_date == date(2026, 11, 6)
    assert budi.client.nik == "3328011705800001" and budi.client.birth_date == date(1980, 5, 17)
    assert [(b.description, b.quantity) for b in budi.belongings] == [("Tas ransel", 1),
                                                                      ("Uang (Rp)", 15000)]
    assert other.needs_isolation and other.screening["psychotic"] is True
    assert other.screening["aggressive"] is False
    assert other.client.estimated_age == 55 and other.client.age_estimated_on == date(2026, 11, 6)
    decisions = db.session.scalars(select(IsolationDecision)).all()
    assert [(d.stay_id, d.needs_isolation) for d in decisions] == [(other.id, True)]
    actions = {(e.action, e.entity) for e in db.session.scalars(select(AuditEntry))}
    assert {("create", "intake"), ("create", "client"), ("create", "stay")} <= actions


def test_entry_date_is_the_local_date_and_naive_times_are_local():
    stay, = admit(operation_at="2026-11-06T00:30:00", received_at="2026-11-06T01:00:00")
    assert stay.intake.operation_at == datetime(2026, 11, 5, 17, 30, tzinfo=timezone.utc)
    assert stay.entered_at == datetime(2026, 11, 5, 18, 0, tzinfo=timezone.utc)
    assert stay.entry_date == date(2026, 11, 6)  # the UTC date is the 5th


def test_received_at_defaults_to_now_and_numbers_follow_the_year():
    clock.freeze(datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc))  # 1 Jan 2027, 00:30 WIB
    stay, = admit(operation_at="2026-12-31T23:00:00+07:00")
    assert stay.entered_at == clock.now()
    assert stay.client.registration_number == "RPS-2027-00001"


@pytest.mark.parametrize("change, field", [
    ({"agency": "tni"}, "agency"),
    ({"officer_name": " "}, "officer_name"),
    ({"bast_number": None}, "bast_number"),
    ({"operation_at": "kemarin"}, "operation_at"),
    ({"operation_at": "2026-11-06T11:00:00+07:00"}, "operation_at"),  # in the future
    ({"received_at": "2026-11-06T10:30:00+07:00"}, "received_at"),    # in the future
    ({"received_at": "2026-11-06T08:00:00+07:00"}, "received_at"),    # before the raid
    ({"clients": []}, "clients"),
    ({"clients": "Budi"}, "clients"),
    ({"notes": 12}, "notes"),
])
def test_intake_header_rules(change, field):
    error = refused(services.intake, ACTOR, intake_body(**change))
    assert (error.status, error.code) == (422, "validation_error")
    assert field in error.fields
    assert count(Intake) == 0


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"),
    ({"sex": "X"}, "sex"),
    ({"pmks_category": 27}, "pmks_category"),
    ({"pmks_category": "sebelas"}, "pmks_category"),
    ({"estimated_age": 131}, "estimated_age"),
    ({"estimated_age": None}, "birth_date"),                          # neither is given
    ({"birth_date": "2026-11-07"}, "birth_date"),                     # in the future
    ({"birth_date": "17-05-1980"}, "birth_date"),
    ({"identity_known": "ya"}, "identity_known"),
    ({"needs_isolation": 1}, "needs_isolation"),
    ({"origin_address": "x" * 301}, "origin_address"),
    ({"belongings": [{"description": "Tas", "quantity": 0}]}, "belongings.0.quantity"),
    ({"belongings": [{"quantity": 2}]}, "belongings.0.description"),
    ({"screening": {"ngantuk": True}}, "screening.ngantuk"),
])
def test_client_row_rules(change, field):
    rows = [client_row(), client_row(), client_row(**change)]
    error = refused(services.intake, ACTOR, intake_body(*rows))
    assert (error.status, error.code) == (422, "validation_error")
    assert f"clients.2.{field}" in error.fields
    assert not any(key.startswith(("clients.0.", "clients.1.")) for key in error.fields)


def test_one_bad_row_writes_nothing_and_all_problems_are_named():
    rows = [client_row(), client_row(name="", sex="X"), client_row(),
            client_row(nik="1234")]
    error = refused(services.intake, ACTOR, intake_body(*rows))
    assert error.code == "validation_error"  # NIK is not the only problem
    assert set(error.fields) == {"clients.1.name", "clients.1.sex", "clients.3.nik"}
    db.session.rollback()
    assert (count(Intake), count(Client), count(Stay)) == (0, 0, 0)
    assert current_value("registration:2026") == 0
    admit(client_row())
    assert db.session.scalar(select(Client.registration_number)) == "RPS-2026-00001"


def test_invalid_nik_when_the_nik_is_the_only_problem():
    rows = [client_row(), client_row(nik=make_nik("P"))]  # a woman's NIK for a man
    error = refused(services.intake, ACTOR, intake_body(*rows))
    assert (error.status, error.code) == (422, "invalid_nik")
    assert list(error.fields) == ["clients.1.nik"]
    assert "jenis kelamin" in error.fields["clients.1.nik"]


def test_nik_must_agree_with_birth_date():
    row = client_row(nik=make_nik("L", date(1980, 5, 17)), birth_date="1980-05-18", age=None)
    error = refused(services.intake, ACTOR, intake_body(row))
    assert error.code == "invalid_nik" and "clients.0.nik" in error.fields


def test_a_registered_nik_points_to_the_existing_client():
    nik = make_nik("L")
    first, = admit(client_row(nik=nik))
    # The NIK's owner is in the shelter: an intake of a client whose stay is open.
    error = refused(services.intake, ACTOR, intake_body(client_row(), client_row(nik=nik)))
    assert (error.status, error.code) == (409, "already_in_shelter")
    assert first.client.registration_number in error.fields["clients.1.nik"]
    services.exit_stay(ACTOR, first.id, {"exit_type": "absconded"})
    error = refused(services.intake, ACTOR, intake_body(client_row(), client_row(nik=nik)))
    assert (error.status, error.code) == (422, "validation_error")
    assert first.client.registration_number in error.fields["clients.1.nik"]
    error = refused(services.intake, ACTOR,
                    intake_body(client_row(nik=make_nik(serial=5)),
                                client_row(nik=make_nik(serial=5))))
    assert list(error.fields) == ["clients.1.nik"]


def test_returning_client_gets_a_new_stay():
    first, = admit(client_row())
    services.exit_stay(ACTOR, first.id, {"exit_type": "absconded"})
    later(60)
    again, = admit({"client_id": first.client_id, "needs_isolation": True,
                    "belongings": [{"description": "Sandal", "quantity": 2}]},
                   received_at=None)
    assert again.client_id == first.client_id and again.id != first.id
    assert again.needs_isolation and again.belongings[0].description == "Sandal"
    assert count(Client) == 1
    assert [s.id for s in db.session.get(Client, first.client_id).stays] == [first.id, again.id]


def test_returning_client_unknown_or_repeated_or_still_inside():
    stay, = admit(client_row())
    error = refused(services.intake, ACTOR, intake_body(client_row(), {"client_id": 999}))
    assert (error.status, error.code) == (422, "validation_error")
    assert list(error.fields) == ["clients.1.client_id"]
    error = refused(services.intake, ACTOR, intake_body({"client_id": "x"}))
    assert "clients.0.client_id" in error.fields
    services.exit_stay(ACTOR, stay.id, {"exit_type": "other"})
    error = refused(services.intake, ACTOR,
                    intake_body({"client_id": stay.client_id}, {"client_id": stay.client_id}))
    assert list(error.fields) == ["clients.1.client_id"]
    db.session.rollback()
    stay, = admit(client_row("Sri", "P"))
    error = refused(services.intake, ACTOR, intake_body(client_row(), {"client_id": stay.client_id}))
    assert (error.status, error.code) == (409, "already_in_shelter")
    assert list(error.fields) == ["clients.1.client_id"]


def test_bast_number_may_repeat():
    admit(client_row())
    assert services.bast_number_used("BAST/11/2026/001")
    assert not services.bast_number_used("BAST/lain")
    admit(client_row("Joko"))
    assert count(Intake) == 2


# --- placement -----------------------------------------------------------------------

def test_place_in_a_bed_a_room_and_best_fit():
    a, b, c = admit(client_row("A"), client_row("B"), client_row("C"))
    bed = room("PA-3").beds[4]
    assignment = services.place(ACTOR, a.id, bed_id=bed.id)
    assert (assignment.bed_id, assignment.room_id, assignment.room_sex, assignment.client_sex) \
        == (bed.id, room("PA-3").id, "L", "L")
    assert assignment.start_at == NOW and assignment.start_date == date(2026, 11, 6)
    assert services.place(ACTOR, b.id, room_id=room("PA-2").id).bed_id == room("PA-2").beds[0].id
    # Best fit: the fullest room of the client's sex and age group (PA-2 and PA-3 tie on
    # one occupant each; PA-2 comes first in the usual order).
    assert services.place(ACTOR, c.id).room_id == room("PA-2").id


def test_best_fit_sends_flagged_clients_to_isolation():
    stay, = admit(client_row(needs_isolation=True))
    assignment = services.place(ACTOR, stay.id)
    assert assignment.bed.room.kind == "isolation"


def test_best_fit_keeps_children_and_adults_apart():
    adult, child = admit(client_row("Dewasa"), client_row("Anak", age=12))
    services.place(ACTOR, adult.id, room_id=room("PA-1").id)
    assert services.place(ACTOR, child.id).room_id == room("PA-2").id


def test_best_fit_prefers_a_room_tagged_for_the_age_group():
    facility.rename_room(ACTOR, room("PA-4").id, "Shelter Anak", "anak")
    adult, child, elder = admit(client_row("Dewasa"), client_row("Anak", age=12),
                                client_row("Sepuh", age=70))
    assert services.place(ACTOR, child.id).room_id == room("PA-4").id
    assert services.place(ACTOR, adult.id).room_id == room("PA-1").id
    assert services.place(ACTOR, elder.id).room_id == room("PA-1").id


def test_best_fit_without_a_free_bed_is_room_full():
    stays = admit(*[client_row(f"K{n}", needs_isolation=True) for n in range(11)])
    for stay in stays[:10]:
        services.place(ACTOR, stay.id)
    error = refused(services.place, ACTOR, stays[10].id)
    assert (error.status, error.code) == (409, "room_full")


def test_sex_mismatch():
    stay, = admit(client_row("Sri", "P"))
    error = refused(services.place, ACTOR, stay.id, room_id=room("PA-1").id)
    assert (error.status, error.code) == (422, "sex_mismatch")
    error = refused(services.place, ACTOR, stay.id, bed_id=room("PA-1").beds[0].id)
    assert (error.code, list(error.fields)) == ("sex_mismatch", ["bed_id"])


def test_isolation_required():
    stay, = admit(client_row(needs_isolation=True))
    error = refused(services.place, ACTOR, stay.id, room_id=room("PA-1").id)
    assert (error.status, error.code) == (422, "isolation_required")
    assert services.place(ACTOR, stay.id, room_id=room("ISO-03").id).room_id == room("ISO-03").id


def test_age_mix_and_room_tags():
    adult, child, elder = admit(client_row("Dewasa"), client_row("Anak", age=17),
                                client_row("Sepuh", age=60))
    services.place(ACTOR, adult.id, room_id=room("PA-1").id)
    error = refused(services.place, ACTOR, child.id, room_id=room("PA-1").id)
    assert (error.status, error.code) == (422, "age_mix")
    facility.rename_room(ACTOR, room("PA-2").id, "Shelter Lansia", "lansia")
    facility.rename_room(ACTOR, room("PA-3").id, "Shelter Anak", "anak")
    assert refused(services.place, ACTOR, child.id, room_id=room("PA-2").id).code == "age_mix"
    assert refused(services.place, ACTOR, adult.id, room_id=room("PA-3").id).code == "age_mix"
    assert services.place(ACTOR, elder.id, room_id=room("PA-2").id)
    assert services.place(ACTOR, child.id, room_id=room("PA-3").id)


def test_a_birthday_counts_on_the_placement_date():
    adult, turning = admit(client_row("Dewasa"),
                           client_row("Remaja", age=None, birth_date="2008-11-07"))
    services.place(ACTOR, adult.id, room_id=room("PA-1").id)
    assert refused(services.place, ACTOR, turning.id, room_id=room("PA-1").id).code == "age_mix"
    clock.freeze(NOW + timedelta(days=1))  # 18 today
    assert services.place(ACTOR, turning.id, room_id=room("PA-1").id)


def test_bed_occupied_and_room_full():
    stays = admit(*[client_row(f"K{n}") for n in range(11)])
    beds = room("PA-1").beds
    services.place(ACTOR, stays[0].id, bed_id=beds[0].id)
    error = refused(services.place, ACTOR, stays[1].id, bed_id=beds[0].id)
    assert (error.status, error.code, list(error.fields)) == (409, "bed_occupied", ["bed_id"])
    for stay in stays[1:10]:
        services.place(ACTOR, stay.id, room_id=room("PA-1").id)
    error = refused(services.place, ACTOR, stays[10].id, room_id=room("PA-1").id)
    assert (error.status, error.code) == (409, "room_full")


def test_unusable_beds_and_rooms():
    stay, = admit(client_row())
    beds = room("PA-1").beds
    facility.retire_bed(ACTOR, beds[0].id)
    facility.take_out_of_service(ACTOR, beds[1].id, "Rusak")
    for bed in beds[:2]:
        error = refused(services.place, ACTOR, stay.id, bed_id=bed.id)
        assert (error.status, error.code, list(error.fields)) == (422, "validation_error", ["bed_id"])
    assert services.place(ACTOR, stay.id, room_id=room("PA-1").id).bed_id == beds[2].id
    error = refused(services.place, ACTOR, stay.id, room_id=room("DAPUR").id)
    assert (error.status, error.code) == (422, "validation_error")


def test_unknown_ids_and_exited_stays():
    stay, = admit(client_row())
    assert refused(services.place, ACTOR, 999).status == 404
    assert refused(services.place, ACTOR, stay.id, bed_id=999).code == "not_found"
    assert refused(services.place, ACTOR, stay.id, room_id=999).code == "not_found"
    services.exit_stay(ACTOR, stay.id, {"exit_type": "absconded"})
    error = refused(services.place, ACTOR, stay.id)
    assert (error.status, error.code) == (409, "already_exited")


def test_moves_keep_dated_history():
    stay, = admit(client_row())
    first = services.place(ACTOR, stay.id, bed_id=room("PA-1").beds[0].id)
    clock.freeze(NOW + timedelta(days=1, hours=2))
    assert services.place(ACTOR, stay.id, bed_id=first.bed_id) is first  # same bed: no-op
    assert services.place(ACTOR, stay.id, room_id=room("PA-1").id) is first  # same room
    second = services.place(ACTOR, stay.id, room_id=room("PA-2").id)
    history = db.session.scalars(select(BedAssignment).order_by(BedAssignment.id)).all()
    assert [(a.bed_id, a.start_date, a.end_date) for a in history] == [
        (first.bed_id, date(2026, 11, 6), date(2026, 11, 7)),
        (second.bed_id, date(2026, 11, 7), None)]
    assert history[0].end_at == history[1].start_at == clock.now()
    # The old bed is free again.
    other, = admit(client_row("Lain"), received_at=None)
    assert services.place(ACTOR, other.id, bed_id=first.bed_id).bed_id == first.bed_id
    moves = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "stay",
                                                               AuditEntry.entity_id == str(stay.id)))
    assert list(moves).count("move") == 1


def test_best_fit_moves_a_client_whose_flag_changed():
    stay, = admit(client_row())
    services.place(ACTOR, stay.id, room_id=room("PA-1").id)
    assert services.place(ACTOR, stay.id).room_id == room("PA-1").id  # fits: stays put
    outcome = services.decide_isolation(ACTOR, stay.id, True, "Mengamuk di kamar")
    assert outcome.needs_move and outcome.stay.needs_isolation
    assert services.place(ACTOR, stay.id).bed.room.kind == "isolation"
    outcome = services.decide_isolation(ACTOR, stay.id, False, "Sudah tenang")
    assert not outcome.needs_move
    assert services.place(ACTOR, stay.id).bed.room.kind == "shelter"


def test_place_all_places_each_and_reports_what_does_not_fit():
    stays = admit(client_row("A"), client_row("B", needs_isolation=True), client_row("C", "P"))
    facility.retire_bed(ACTOR, room("ISO-01").beds[0].id)
    for n in range(2, 11):
        facility.take_out_of_service(ACTOR, room(f"ISO-{n:02d}").beds[0].id, "Dibersihkan")
    results = services.place_all(ACTOR, [s.id for s in stays] + [999])
    assert [r[0].id if r[0] else None for r in results] == [s.id for s in stays] + [None]
    assert results[0][1].room_id == room("PA-1").id
    assert results[1][1].code == "room_full"
    assert results[2][1].room_id == room("PI-1").id
    assert results[3][1].code == "not_found"
    assert count(BedAssignment) == 2


def test_an_occupied_bed_cannot_be_retired():
    stay, = admit(client_row())
    assignment = services.place(ACTOR, stay.id)
    error = refused(facility.retire_bed, ACTOR, assignment.bed_id)
    assert error.code == "bed_occupied"


# --- isolation and extension ---------------------------------------------------------

def test_isolation_decisions_are_recorded_and_need_a_reason():
    stay, = admit(client_row())
    error = refused(services.decide_isolation, ACTOR, stay.id, True, "  ")
    assert (error.status, list(error.fields)) == (422, ["reason"])
    assert refused(services.decide_isolation, ACTOR, stay.id, "ya", "x").status == 422
    outcome = services.decide_isolation(ACTOR, stay.id, True, "Batuk berdarah")
    assert not outcome.needs_move  # not placed yet
    assert (outcome.decision.reason, outcome.decision.decided_at) == ("Batuk berdarah", NOW)
    services.exit_stay(ACTOR, stay.id, {"exit_type": "hospital",
                                        "institution_id": _institution().id})
    assert refused(services.decide_isolation, ACTOR, stay.id, False, "x").code == "already_exited"


def test_extension_raises_the_limit_with_a_reason():
    stay, = admit(client_row())
    assert services.stay_limit(stay) == 7
    error = refused(services.extend_stay, ACTOR, stay.id, 7, "Menunggu keluarga")
    assert "max_stay_days" in error.fields
    assert "reason" in refused(services.extend_stay, ACTOR, stay.id, 10, "").fields
    extension = services.extend_stay(ACTOR, stay.id, 10, "Menunggu jemputan keluarga")
    assert stay.max_stay_days == 10 == extension.max_stay_days and services.stay_limit(stay) == 10


def test_days_and_warnings():
    stay, = admit(client_row())
    assert services.days_in_shelter(stay, date(2026, 11, 6)) == 0
    assert services.days_in_shelter(stay, date(2026, 11, 11)) == 5
    assert [services.warning_level(d, 7) for d in (4, 5, 7, 8)] == [None, "warning", "warning",
                                                                     "over"]
    clock.freeze(NOW + timedelta(days=2))
    services.exit_stay(ACTOR, stay.id, {"exit_type": "other"})
    assert services.days_in_shelter(stay, date(2026, 11, 30)) == 2


# --- exit ----------------------------------------------------------------------------

def _institution(kind: str = "panti", active: bool = True):
    institution = referrals.add_institution(ACTOR, f"Panti {kind} Uji", kind, "Jl. Uji 1",
                                            "Kota Semarang")
    if not active:
        referrals.set_institution_active(ACTOR, institution.id, False)
    return institution


def test_exit_closes_the_bed_and_returns_belongings():
    stay, = admit(client_row(belongings=[{"description": "Tas", "quantity": 1},
                                         {"description": "HP", "quantity": 1}]))
    assignment = services.place(ACTOR, stay.id)
    clock.freeze(NOW + timedelta(days=3))
    bag = stay.belongings[0]
    exited, letter = services.exit_stay(ACTOR, stay.id, {
        "exit_type": "family", "exited_at": "2026-11-08T20:00:00+07:00",
        "family_contact": {"name": "Siti", "relation": "Istri", "address": "Desa Pangkah RT 2"},
        "escort_name": "Petugas Jaga", "notes": "Dijemput istri", "returned_belonging_ids": [bag.id]})
    assert exited.exit_type == "family" and exited.exit_date == date(2026, 11, 8)
    assert exited.exited_at == datetime(2026, 11, 8, 13, 0, tzinfo=timezone.utc)
    assert (assignment.end_at, assignment.end_date) == (exited.exited_at, date(2026, 11, 8))
    assert letter is not None and letter.stay_id == stay.id
    record = db.session.scalar(select(StayExit))
    assert record.family_contact == {"name": "Siti", "relation": "Istri",
                                     "address": "Desa Pangkah RT 2", "phone": None}
    returned = {b.description: b.returned_at for b in db.session.scalars(select(Belonging))}
    assert returned == {"Tas": exited.exited_at, "HP": None}
    assert not services.bed_is_occupied(assignment.bed_id)


def test_exit_before_placement_and_without_a_letter():
    stay, = admit(client_row())
    exited, letter = services.exit_stay(ACTOR, stay.id, {"exit_type": "absconded"})
    assert letter is None and exited.exited_at == NOW and exited.exit_date == date(2026, 11, 6)


def test_exit_to_an_institution_gets_a_letter():
    stay, = admit(client_row())
    institution = _institution("balai")
    exited, letter = services.exit_stay(ACTOR, stay.id, {"exit_type": "balai",
                                                         "institution_id": institution.id})
    assert letter.number and exited.exit.institution_id == institution.id


@pytest.mark.parametrize("body, field", [
    ({}, "exit_type"),
    ({"exit_type": "kabur"}, "exit_type"),
    ({"exit_type": "other", "exited_at": "2026-11-06T10:01:00+07:00"}, "exited_at"),  # future
    ({"exit_type": "other", "exited_at": "2026-11-06T08:59:00+07:00"}, "exited_at"),  # before entry
    ({"exit_type": "other", "exited_at": "besok"}, "exited_at"),
    ({"exit_type": "panti"}, "institution_id"),
    ({"exit_type": "hospital", "institution_id": 999}, "institution_id"),
    ({"exit_type": "family"}, "family_contact"),
    ({"exit_type": "home_region", "family_contact": {"name": "Siti"}}, "family_contact.address"),
    ({"exit_type": "family", "family_contact": "Siti"}, "family_contact"),
    ({"exit_type": "other", "returned_belonging_ids": [999]}, "returned_belonging_ids"),
    ({"exit_type": "other", "escort_name": "x" * 121}, "escort_name"),
])
def test_exit_rules(body, field):
    stay, = admit(client_row(), received_at="2026-11-06T09:00:00+07:00")
    error = refused(services.exit_stay, ACTOR, stay.id, body)
    assert (error.status, error.code) == (422, "validation_error")
    assert field in error.fields
    assert stay.exited_at is None


def test_exit_to_an_inactive_institution_and_twice():
    stay, = admit(client_row())
    institution = _institution(active=False)
    error = refused(services.exit_stay, ACTOR, stay.id, {"exit_type": "panti",
                                                         "institution_id": institution.id})
    assert "institution_id" in error.fields
    services.exit_stay(ACTOR, stay.id, {"exit_type": "deceased"})
    error = refused(services.exit_stay, ACTOR, stay.id, {"exit_type": "deceased"})
    assert (error.status, error.code) == (409, "already_exited")
    assert refused(services.exit_stay, ACTOR, 999, {"exit_type": "other"}).status == 404


def test_a_backdated_exit_never_ends_the_bed_before_it_started():
    stay, = admit(client_row(), received_at="2026-11-06T08:45:00+07:00")
    assignment = services.place(ACTOR, stay.id)
    services.exit_stay(ACTOR, stay.id, {"exit_type": "other",
                                        "exited_at": "2026-11-06T09:00:00+07:00"})
    assert assignment.end_at == assignment.start_at == NOW


# --- board ---------------------------------------------------------------------------

@contextmanager
def statements():
    seen = []

    def count_it(*args):
        seen.append(1)
    event.listen(db.engine, "before_cursor_execute", count_it)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count_it)


def _board_statements(today) -> int:
    db.session.commit()
    db.session.expire_all()
    with statements() as seen:
        result = bed_board.board(today)
        for entry in result.rooms:
            for bed in entry.beds:
                _ = bed.occupant and bed.occupant.name
        _ = [occupant.name for occupant in result.queue]
    return len(seen)


def test_board_shows_occupants_days_and_queue_in_few_statements():
    stays = admit(client_row("A"), client_row("B", "P"), client_row("C", needs_isolation=True))
    services.place(ACTOR, stays[0].id, room_id=room("PA-1").id)
    result = bed_board.board(date(2026, 11, 11))
    pa1 = next(r for r in result.rooms if r.room.code == "PA-1")
    assert (pa1.capacity, pa1.occupied, pa1.free) == (10, 1, 9)
    first = pa1.beds[0].occupant
    assert (first.stay_id, first.days, first.limit, first.warning) == (stays[0].id, 5, 7, "warning")
    assert [o.stay_id for o in result.queue] == [stays[1].id, stays[2].id]
    assert result.queue[1].needs_isolation
    small = _board_statements(date(2026, 11, 11))
    more = admit(*[client_row(f"K{n}") for n in range(20)], received_at=None)
    for stay in more[:15]:
        services.place(ACTOR, stay.id)
    assert _board_statements(date(2026, 11, 11)) == small
