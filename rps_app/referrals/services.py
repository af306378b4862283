"""Referral institutions (the directory) and, re-exported from .letters, issuing letters.

`issue_exit_letter(actor, stay)` is what stays.services.exit_stay() calls.
"""
import re

from sqlalchemy import func, or_, select

from .. import clock
from ..audit.services import Actor, record
from ..errors import ValidationError, found
from ..extensions import db
from ..settings import services as settings
from .letters import (bast_issued, find_by_code, get_letter, intake_bast, issue_exit_letter,  # noqa: F401
                      issue_intake_bast, letter_json, letter_pdf, letters_for_client, reissue,
                      verify_url)
from .models import INSTITUTION_KINDS, Institution

PHONE_RE = re.compile(r"^[0-9+()\-. ]{5,40}$")
LIMITS = {"name": 200, "address": 300, "city": 100}
LABELS = {"name": "Nama lembaga", "address": "Alamat", "city": "Kota/Kabupaten"}
EXAMPLES_SEEDED_KEY = "institutions.examples_seeded"

# Shipped so that a new installation can refer at once; marked as examples, to be checked
# (addresses change) and retired by an administrator when not used.
EXAMPLES = (
    {"name": "Panti Pelayanan Sosial PGOT Mardi Utomo Semarang", "kind": "panti",
     "address": "Dinas Sosial Provinsi Jawa Tengah", "city": "Kota Semarang"},
    {"name": "Sentra Terpadu Pangudi Luhur Bekasi (Kementerian Sosial RI)", "kind": "balai",
     "address": "Kementerian Sosial Republik Indonesia", "city": "Kota Bekasi"},
    {"name": "RSUD dr. Soeselo Slawi", "kind": "hospital",
     "address": "Jl. Dr. Soetomo No. 63, Slawi", "city": "Kabupaten Tegal"},
    {"name": "RSJD dr. Amino Gondohutomo", "kind": "hospital",
     "address": "Jl. Brigjen Sudiarto No. 347", "city": "Kota Semarang"},
    {"name": "Dinas Sosial Kota Tegal", "kind": "dinsos",
     "address": "Pemerintah Kota Tegal", "city": "Kota Tegal"},
)


def list_institutions(q: str | None = None, include_retired: bool = False,
                      kind: str | None = None):
    """A select of institutions (active only unless asked), by name; `q` searches name/city."""
    stmt = select(Institution).order_by(func.lower(Institution.name), Institution.id)
    if not include_retired:
        stmt = stmt.where(Institution.active.is_(True))
    if kind:
        stmt = stmt.where(Institution.kind == kind)
    q = (q or "").strip().lower()
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(func.lower(Institution.name).like(pattern),
                              func.lower(Institution.city).like(pattern)))
    return stmt


def get_institution(institution_id: int) -> Institution:
    return found(db.session.get(Institution, institution_id), "Lembaga rujukan tidak ditemukan.")


def _clean(name, kind, address, city, phone, exclude_id: int | None = None) -> dict:
    values = {"name": name, "kind": kind, "address": address, "city": city, "phone": phone}
    for key, value in values.items():
        values[key] = value.strip() if isinstance(value, str) else value
    errors = {}
    for key, label in LABELS.items():
        value = values[key]
        if not isinstance(value, str) or not value:
            errors[key] = f"{label} wajib diisi."
        elif len(value) > LIMITS[key]:
            errors[key] = f"{label} paling banyak {LIMITS[key]} karakter."
    if values["kind"] not in INSTITUTION_KINDS:
        errors["kind"] = ("Jenis lembaga harus salah satu dari: "
                          + ", ".join(INSTITUTION_KINDS) + ".")
    phone = values["phone"]
    if phone in (None, ""):
        values["phone"] = None
    elif not isinstance(phone, str) or not PHONE_RE.match(phone):
        errors["phone"] = "Nomor telepon hanya boleh berisi angka, spasi, +, -, ( dan )."
    if "name" not in errors and "city" not in errors:
        same = select(Institution.id).where(
            func.lower(Institution.name) == values["name"].lower(),
            func.lower(Institution.city) == values["city"].lower())
        if exclude_id is not None:
            same = same.where(Institution.id != exclude_id)
        if db.session.scalar(same.limit(1)) is not None:
            errors["name"] = "Lembaga dengan nama ini di kota ini sudah terdaftar."
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationError(f"Data lembaga belum lengkap atau tidak valid: {message}",
                              fields=errors)
    return values


def add_institution(actor: Actor, name, kind, address, city, phone=None,
                    is_example: bool = False) -> Institution:
    values = _clean(name, kind, address, city, phone)
    institution = Institution(**values, is_example=is_example, active=True,
                              created_at=clock.now())
    db.session.add(institution)
    db.session.flush()
    record(actor, "create", "institution", institution.id,
           {"kind": institution.kind, "is_example": is_example})
    return institution


def edit_institution(actor: Actor, institution_id: int, name, kind, address, city,
                     phone=None) -> Institution:
    institution = get_institution(institution_id)
    values = _clean(name, kind, address, city, phone, exclude_id=institution.id)
    changed = sorted(key for key, value in values.items() if getattr(institution, key) != value)
    for key, value in values.items():
        setattr(institution, key, value)
    if changed:
        # An edited example has been checked by someone: it is no longer just an example.
        institution.is_example = False
    db.session.flush()
    record(actor, "update", "institution", institution.id, {"fields": changed})
    return institution


def set_institution_active(actor: Actor, institution_id: int, active: bool) -> Institution:
    """Retire (no longer offered for new exits; old letters keep it) or reactivate."""
    institution = get_institution(institution_id)
    if institution.active != active:
        institution.active = active
        db.session.flush()
        record(actor, "reactivate" if active else "retire", "institution", institution.id)
    return institution


def seed_example_institutions(actor: Actor) -> int:
    """Add the example institutions on the first `rps init`; later runs add nothing,
    so an example an administrator retired or edited is left as they left it."""
    if settings.get(EXAMPLES_SEEDED_KEY):
        return 0
    added = 0
    for example in EXAMPLES:
        exists = db.session.scalar(select(Institution.id).where(
            func.lower(Institution.name) == example["name"].lower()).limit(1))
        if exists is None:
            add_institution(actor, **example, is_example=True)
            added += 1
    settings.put(EXAMPLES_SEEDED_KEY, True)
    return added


def institution_json(institution: Institution) -> dict:
    return {"id": institution.id, "name": institution.name, "kind": institution.kind,
            "address": institution.address, "city": institution.city,
            "phone": institution.phone}
