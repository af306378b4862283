"""Staff who can be rostered (a login is optional) and their leave."""
from datetime import date

from sqlalchemy import select

from .. import clock
from ..audit import services as audit
from ..auth.models import User
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..fields import FieldErrors
from .models import LEAVE_KINDS, Staff, StaffLeave

MAX_LEAVE_DAYS = 366


def staff_json(staff: Staff) -> dict:
    """The contract's shape (the phone is shown on the pages, not in the list)."""
    return {"id": staff.id, "name": staff.name, "sex": staff.sex, "position": staff.position,
            "user_id": staff.user_id, "active": staff.active}


def list_staff(active_only: bool = False) -> list[Staff]:
    stmt = select(Staff).order_by(Staff.name, Staff.id)
    if active_only:
        stmt = stmt.where(Staff.active.is_(True))
    return list(db.session.scalars(stmt))


def linkable_users() -> list[User]:
    """Active logins not yet linked to a staff member (the staff form's choice)."""
    linked = select(Staff.user_id).where(Staff.user_id.is_not(None))
    return list(db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.id.not_in(linked))
                                   .order_by(User.username)))


def get_staff(staff_id, field: str = "staff_id", lock: bool = False) -> Staff:
    """The staff member, or 404 naming `field` (a FOR UPDATE lock on PostgreSQL)."""
    stmt = select(Staff).where(Staff.id == staff_id)
    if lock:
        stmt = stmt.with_for_update()
    staff = db.session.scalar(stmt) if isinstance(staff_id, int) else None
    if staff is None:
        raise NotFound("Petugas tidak ditemukan.", {field: "Petugas tidak ditemukan."})
    return staff


def _check_staff(data: dict, errors: FieldErrors, partial: bool = False) -> dict:
    values = {}
    if not partial or "name" in data:
        values["name"] = errors.text(data, "name", 120, required=True, label="Nama")
    if not partial or "sex" in data:
        values["sex"] = errors.choice(data, "sex", ("L", "P"), label="Jenis kelamin")
    if not partial or "position" in data:
        values["position"] = errors.text(data, "position", 80, required=True, label="Jabatan")
    if not partial or "phone" in data:
        values["phone"] = errors.text(data, "phone", 40, label="Telepon")
    if not partial or "user_id" in data:
        user_id = errors.integer(data, "user_id", 1, label="Akun pengguna")
        if user_id is not None and db.session.get(User, user_id) is None:
            errors.add("user_id", "Akun pengguna tidak ditemukan.")
        values["user_id"] = user_id
    if "active" in data:
        values["active"] = errors.boolean(data, "active", True, label="Aktif")
    return values


def _refuse_taken_user(user_id: int | None, own_id: int | None = None) -> None:
    if user_id is None:
        return
    owner = db.session.scalar(select(Staff.id).where(Staff.user_id == user_id))
    if owner is not None and owner != own_id:
        raise Conflict("Akun pengguna ini sudah terhubung ke petugas lain.",
                       {"user_id": "Akun pengguna sudah dipakai petugas lain."})


def create_staff(actor, data: dict) -> Staff:
    if not isinstance(data, dict):
        raise ValidationError("Data petugas harus berupa objek.")
    errors = FieldErrors()
    values = _check_staff(data, errors)
    if errors:
        raise ValidationError("Data petugas tidak valid.", errors.fields)
    _refuse_taken_user(values["user_id"])
    staff = Staff(**values, created_at=clock.now())
    db.session.add(staff)
    db.session.flush()
    audit.record(actor, "create", "staff", staff.id,
                 staff_json(staff))
    return staff


def update_staff(actor, staff_id: int, data: dict) -> Staff:
    staff = get_staff(staff_id, "id", lock=True)
    errors = FieldErrors()
    values = _check_staff(data, errors, partial=True)
    if errors:
        raise ValidationError("Data petugas tidak valid.", errors.fields)
    if "user_id" in values:
        _refuse_taken_user(values["user_id"], staff.id)
    changes = {}
    for key, value in values.items():
        if getattr(staff, key) != value:
            changes[key] = [getattr(staff, key), value] if key != "phone" else "changed"
            setattr(staff, key, value)
    db.session.flush()
    audit.record(actor, "update", "staff", staff.id, changes)
    return staff


def add_leave(actor, staff_id: int, data: dict) -> StaffLeave:
    staff = get_staff(staff_id, "id", lock=True)
    if not isinstance(data, dict):
        raise ValidationError("Data cuti harus berupa objek.")
    errors = FieldErrors()
    start = errors.date(data, "from", required=True, label="Tanggal mulai")
    end = errors.date(data, "to", required=True, label="Tanggal selesai")
    kind = errors.choice(data, "kind", LEAVE_KINDS, label="Jenis cuti")
    if start and end and end < start:
        errors.add("to", "Tanggal selesai tidak boleh sebelum tanggal mulai.")
    elif start and end and (end - start).days >= MAX_LEAVE_DAYS:
        errors.add("to", f"Paling lama {MAX_LEAVE_DAYS} hari.")
    if errors:
        raise ValidationError("Data cuti tidak valid.", errors.fields)
    leave = StaffLeave(staff_id=staff.id, kind=kind, from_date=start, to_date=end,
                       created_by_id=actor.user_id, created_at=clock.now())
    db.session.add(leave)
    db.session.flush()
    audit.record(actor, "create", "staff_leave", leave.id,
                 {"staff_id": staff.id, "kind": kind, "from": start.isoformat(),
                  "to": end.isoformat()})
    return leave


def leave_json(leave: StaffLeave) -> dict:
    return {"id": leave.id, "staff_id": leave.staff_id, "kind": leave.kind,
            "from": leave.from_date.isoformat(), "to": leave.to_date.isoformat()}


def leaves_between(start: date, end: date) -> list[StaffLeave]:
    return list(db.session.scalars(select(StaffLeave).where(
        StaffLeave.from_date <= end, StaffLeave.to_date >= start)
        .order_by(StaffLeave.from_date, StaffLeave.id)))


def on_leave(staff_id: int, day: date) -> StaffLeave | None:
    return db.session.scalar(select(StaffLeave).where(
        StaffLeave.staff_id == staff_id, StaffLeave.from_date <= day,
        StaffLeave.to_date >= day).limit(1))


def remove_leave(actor, leave_id: int) -> None:
    leave = db.session.get(StaffLeave, leave_id)
    if leave is None:
        raise NotFound("Data cuti tidak ditemukan.")
    audit.record(actor, "delete", "staff_leave", leave.id, leave_json(leave))
    db.session.delete(leave)
    db.session.flush()
