"""Rows for the letter tests: an intake with clients and stays, an exit, institutions.

Built directly from the models (not through the intake and exit services) so that the
letter tests stand on their own; each helper flushes, the caller commits.
"""
from datetime import date, datetime, timedelta, timezone

from rps_app import clock
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.referrals import services as referrals
from rps_app.stays.models import Belonging, CaseNote, Intake, Stay, StayExit

from .factories import TEST_ACTOR

RECEIVED = datetime(2026, 11, 2, 3, 30, tzinfo=timezone.utc)  # 10.30 WIB, Monday 2 November
_serial = iter(range(1, 10_000))


def make_client(name: str = "Slamet Riyadi", nik: str | None = "3328011507800001",
                sex: str = "L", **values) -> Client:
    number = next(_serial)
    client = Client(registration_number=f"RPS-2026-{number:05d}", name=name,
                    identity_known=nik is not None, nik=nik, sex=sex,
                    birth_date=values.pop("birth_date", date(1980, 7, 15)),
                    estimated_age=values.pop("estimated_age", None),
                    birth_place=values.pop("birth_place", "Tegal"),
                    origin_regency=values.pop("origin_regency", "Kabupaten Tegal"),
                    origin_address=values.pop("origin_address", "Desa Procot, Slawi"),
                    pmks_category=values.pop("pmks_category", 11),
                    created_at=clock.now(), updated_at=clock.now(), **values)
    db.session.add(client)
    db.session.flush()
    return client


def make_intake(clients: list[Client], received_at: datetime = RECEIVED,
                belongings: list[tuple[str, int]] = ()) -> Intake:
    intake = Intake(agency="satpol_pp", officer_name="Bripka Darsono", officer_id_number="87051234",
                    bast_number="BA/17/XI/2026", operation_place="Alun-alun Slawi",
                    operation_at=received_at - timedelta(hours=2), received_at=received_at,
                    created_at=received_at)
    db.session.add(intake)
    db.session.flush()
    for client in clients:
        stay = Stay(client_id=client.id, intake_id=intake.id, entered_at=received_at,
                    entry_date=clock.to_local(received_at).date(), screening={})
        db.session.add(stay)
        db.session.flush()
        for description, quantity in belongings:
            db.session.add(Belonging(stay_id=stay.id, description=description,
                                     quantity=quantity))
    db.session.flush()
    db.session.refresh(intake)
    return intake


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
    intake = make_intake([client], belongings=[("Tas ransel", 1), ("KTP lama", 1)])
    stay = intake.stays[0]
    add_note(stay, "initial_assessment", "Klien hidup menggelandang sejak 2019.", RECEIVED)
    add_note(stay, "health", "Sehat, tekanan darah normal.", RECEIVED + timedelta(hours=1))
    return exit_stay(stay, "panti", exited_at, institution=make_institution(),
                     notes="Memerlukan rehabilitasi sosial lanjutan.")
