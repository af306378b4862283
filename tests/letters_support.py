"""Rows for the letter tests: an intake of clients (the shared factories), an exit closed
without its letter, institutions. The exit helpers flush; the caller commits."""
from datetime import datetime, timedelta, timezone

from rps_app import clock
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.referrals import services as referrals
from rps_app.stays.models import CaseNote, Intake, Stay, StayExit

from .factories import TEST_ACTOR, make_client, make_intake

RECEIVED = datetime(2026, 11, 2, 3, 30, tzinfo=timezone.utc)  # 10.30 WIB, Monday 2 November


# The letters' batch: received at RECEIVED under Bripka Darsono's BAST.
BAST_HEADER = {"officer_name": "Bripka Darsono", "officer_id_number": "87051234",
               "bast_number": "BA/17/XI/2026", "operation_place": "Alun-alun Slawi"}


def intake_of(clients: list[Client], received_at: datetime = RECEIVED,
              belongings: list[tuple[str, int]] = ()) -> Intake:
    """An intake of existing clients (factories.make_intake) as the letter tests use it."""
    return make_intake(clients, received_at=received_at, belongings=belongings, **BAST_HEADER)


def add_note(stay: Stay, kind: str, body: str, at: datetime) -> None:
    db.session.add(CaseNote(stay_id=stay.id, kind=kind, body=body, written_at=at))
    db.session.flush()


def exit_stay(stay: Stay, exit_type: str, exited_at: datetime, institution=None,
              family_contact: dict | None = None, notes: str | None = None) -> Stay:
    """Close the stay the way stays.services does, without issuing a letter."""
    stay.exited_at = exited_at
    stay.exit_date = clock.to_local(exited_at).date()
    stay.exit_type = exit_type
    for item in stay.belongings:
        item.returned_at = exited_at
    db.session.add(StayExit(stay_id=stay.id, institution_id=institution.id if institution else None,
                            family_contact=family_contact, notes=notes, recorded_at=exited_at))
    db.session.flush()
    db.session.refresh(stay)
    return stay


def make_institution(name: str = "Panti Sosial Bina Karya Pemalang", kind: str = "panti",
                     city: str = "Kabupaten Pemalang"):
    return referrals.add_institution(TEST_ACTOR, name, kind, "Jl. Gatot Subroto 10", city)


def referred_stay(name: str = "Slamet Riyadi", nik: str | None = "3328011507800001",
                  exited_at: datetime = RECEIVED + timedelta(days=4)) -> Stay:
    """A client who stayed four nights and was referred to a panti, with notes and belongings."""
    client = make_client(name=name, nik=nik)
    intake = intake_of([client], belongings=[("Tas ransel", 1), ("KTP lama", 1)])
    stay = intake.stays[0]
    add_note(stay, "initial_assessment", "Klien hidup menggelandang sejak 2019.", RECEIVED)
    add_note(stay, "health", "Sehat, tekanan darah normal.", RECEIVED + timedelta(hours=1))
    return exit_stay(stay, "panti", exited_at, institution=make_institution(),
                     notes="Memerlukan rehabilitasi sosial lanjutan.")
