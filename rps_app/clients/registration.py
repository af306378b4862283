"""Registering a client: checking a client row of contract.md and numbering the new client.

A row is checked as a whole (every problem under its field) so that a batch intake can
report all rows at once. Registration numbers `RPS-<year>-<5 digits>` come from a gap-free
counter per year, taken inside the caller's transaction.
"""
from datetime import date, datetime

from sqlalchemy import select, text

from .. import clock
from ..audit import services as audit
from ..errors import ValidationError
from ..extensions import db
from ..fields import FieldErrors
from ..sequences import next_value
from .models import Client
from .nik import nik_problem

SEXES = ("L", "P")
# Optional text fields of a client row and their longest length (the columns').
TEXT_FIELDS = {"birth_place": 100, "origin_regency": 100, "origin_address": 300,
               "description": 4000, "guardian": 200}
# Any constant will do: it names "the NIK registry" among PostgreSQL advisory locks.
NIK_LOCK_KEY = 0x52505301


def check_client_row(row: dict, on_date: date, errors: FieldErrors) -> dict:
    """Check the client's part of a row (the intake's rows also hold the new stay's
    fields, which stays checks); problems go to `errors`, the clean columns are returned."""
    values: dict = {}
    values["name"] = errors.text(row, "name", 120, required=True, label="Nama")
    values["identity_known"] = errors.boolean(row, "identity_known", label="Identitas diketahui")
    values["sex"] = errors.choice(row, "sex", SEXES, label="Jenis kelamin")
    values["pmks_category"] = errors.integer(row, "pmks_category", 1, 26, required=True,
                                             label="Kategori PMKS")
    birth_date = errors.date(row, "birth_date", label="Tanggal lahir")
    if birth_date is not None and birth_date > on_date:
        errors.add("birth_date", "Tanggal lahir tidak boleh di masa depan.")
        birth_date = None
    values["birth_date"] = birth_date
    values["estimated_age"] = errors.integer(row, "estimated_age", 0, 130, label="Perkiraan umur")
    values["age_estimated_on"] = on_date if values["estimated_age"] is not None else None
    if row.get("birth_date") in (None, "") and row.get("estimated_age") in (None, ""):
        errors.add("birth_date", "Isi tanggal lahir atau perkiraan umur.")
    for name, length in TEXT_FIELDS.items():
        values[name] = errors.text(row, name, length)
    values["nik"] = None
    nik = row.get("nik")
    if nik not in (None, ""):
        nik = nik.strip() if isinstance(nik, str) else nik
        problem = nik_problem(nik, values["sex"], birth_date)
        if problem:
            errors.add("nik", problem, code="invalid_nik")
        else:
            values["nik"] = nik
    return values


def lock_nik_registry() -> None:
    """Serialise NIK duplicate checks with the inserts they guard, until commit.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every write transaction
    already holds the database's write lock (BEGIN IMMEDIATE).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NIK_LOCK_KEY})


def nik_owner(nik: str, exclude_client_id: int | None = None) -> Client | None:
    """The client already registered with this NIK, if any."""
    stmt = select(Client).where(Client.nik == nik).order_by(Client.id).limit(1)
    if exclude_client_id is not None:
        stmt = stmt.where(Client.id != exclude_client_id)
    return db.session.scalar(stmt)


def duplicate_nik_message(owner: Client) -> str:
    return (f"NIK ini sudah terdaftar atas klien {owner.registration_number}; "
            "pilih klien yang sudah ada (klien kembali) alih-alih mendaftarkan baru.")


def next_registration_number(year: int) -> str:
    return f"RPS-{year}-{next_value(f'registration:{year}'):05d}"


def create_client(actor, values: dict, on_date: date, at: datetime | None = None) -> Client:
    """Insert a checked client with the next registration number of `on_date`'s year."""
    at = at or clock.now()
    client = Client(registration_number=next_registration_number(on_date.year),
                    created_at=at, updated_at=at, **values)
    db.session.add(client)
    db.session.flush()
    audit.record(actor, "create", "client", client.id,
                 {"registration_number": client.registration_number})
    return client


def register_client(actor, row: dict, on_date: date) -> Client:
    """Check a client row of contract.md and register the client (422 on any problem)."""
    if not isinstance(row, dict):
        raise ValidationError("Data klien harus berupa objek.", {"client": "Harus berupa objek."})
    errors = FieldErrors()
    values = check_client_row(row, on_date, errors)
    if not errors and values["nik"]:
        lock_nik_registry()
        owner = nik_owner(values["nik"])
        if owner is not None:
            errors.add("nik", duplicate_nik_message(owner))
    if errors:
        raise ValidationError("Data klien tidak valid.", errors.fields, code=errors.code())
    return create_client(actor, values, on_date)
