"""The rules of logistics stock: items, movements (receipt, issue, disposal, reversal),
stock counts with their adjustments, days left and alerts.

Every movement of an item happens under a lock on that item (PostgreSQL: its row FOR
UPDATE; SQLite: every write transaction already holds the database's write lock), and is
checked against the running balance of each lot from its moment on: no lot, and so no
item, ever goes below zero then or at any later movement. Services flush; the caller
commits.
"""
import math
from fractions import Fraction
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload

from .. import clock
from ..audit.services import Actor, record
from ..clients.models import Client
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..fields import FieldErrors, local_date
from ..reads import Query, made, rows
from ..stays import notes as stay_notes
from ..stays import residence
from ..stays.models import Stay
from .ledger import LotState, balances_at, item_balance, lot_label, lot_states
from .models import (CATEGORIES, NO_LOT, SOURCES, StockBalance, StockCount, StockCountLine,
                     StockItem, StockLot, StockMovement, StockMovementLine)

MAX_QUANTITY = 10**9
MAX_ID = 2**31 - 1          # what an INTEGER id column holds
EARLIEST = date(1900, 1, 1)  # dates and times outside these years are input mistakes
LATEST = date(2199, 12, 31)
ISSUE_WINDOW_DAYS = 14
EXPIRING_DAYS = 30
# An issue to a client is that client's SPM service (Permensos 9/2018): food is
# permakanan (1), clothing and hygiene kits are sandang (2), medicine and first aid are
# perbekalan kesehatan (4), stationery serves access to education (8), anything else is
# an assistive aid (alat bantu, 3).
SPM_COMPONENT_OF = {"pangan": 1, "sandang": 2, "kebersihan": 2, "kesehatan": 4, "atk": 8,
                    "lainnya": 3}
MOVEMENT_KINDS = ("receipt", "issue", "disposal", "reversal")
OUT_KINDS = ("issue", "disposal")

INSUFFICIENT = "insufficient_stock"
EXPIRED = "lot_expired"


def _refuse(errors: FieldErrors, message: str) -> None:
    if errors:
        raise ValidationError(message, errors.fields, code=errors.code())


# ---------------------------------------------------------------- items

def add_item(actor: Actor, data: dict) -> StockItem:
    errors = FieldErrors()
    code = errors.text(data, "code", 40, required=True, label="Kode barang")
    name = errors.text(data, "name", 120, required=True, label="Nama barang")
    unit = errors.text(data, "unit", 30, required=True, label="Satuan")
    category = errors.choice(data, "category", CATEGORIES, label="Kategori")
    min_level = errors.integer(data, "min_level", 0, MAX_QUANTITY, required=True,
                               label="Stok minimum")
    per_head = _positive_number(data, "per_head_per_day", errors,
                                "Pemakaian per orang per hari")
    if code and db.session.scalar(select(StockItem.id).where(
            func.lower(StockItem.code) == code.lower())) is not None:
        errors.add("code", "Kode barang ini sudah dipakai.")
    _refuse(errors, "Data barang belum lengkap atau tidak valid.")
    item = StockItem(code=code, name=name, unit=unit, category=category, min_level=min_level,
                     per_head_per_day=per_head, created_at=clock.now())
    db.session.add(item)
    db.session.flush()
    record(actor, "create", "stock_item", item.id, {"code": code, "category": category})
    return item


def _positive_number(data: dict, field: str, errors: FieldErrors, label: str) -> float | None:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0 or value > MAX_QUANTITY:
        errors.add(field, f"{label} harus berupa angka lebih dari 0.")
        return None
    return float(value)


def get_item(item_id: int) -> StockItem:
    item = db.session.get(StockItem, item_id)
    if item is None:
        raise NotFound("Barang tidak ditemukan.")
    return item


def _lock_items(item_ids) -> None:
    """Serialise movements of these items (in id order, so two counts cannot deadlock)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(StockItem.id).where(StockItem.id.in_(sorted(item_ids)))
                           .order_by(StockItem.id).with_for_update())


# ---------------------------------------------------------------- days left, lists

def residents_now() -> int:
    """Clients in residence now (stays/residence.py)."""
    return db.session.scalar(select(func.count()).select_from(residence.at(clock.now())))


def issued_last_days(days: int = ISSUE_WINDOW_DAYS, item_ids=None) -> dict[int, int]:
    """Units issued per item in the last `days` days (issues less their reversals), read
    through the index on (item_id, at) of the movements of those days only (the reversed
    movement's kind is looked up by key per reversal, never joined over the whole table)."""
    now = clock.now()
    values = {"since": now - timedelta(days=days), "until": now}
    if item_ids is not None:
        values["item_ids"] = list(item_ids)
    rows = db.session.execute(_issued_statement(item_ids is not None), values)
    return {item_id: int(total) for item_id, total in rows}


@lru_cache(maxsize=2)
def _issued_statement(by_items: bool):
    """issued_last_days' select, built once: building it (an alias, a correlated subquery)
    cost more than running it, on every stock page."""
    move, reversed_ = StockMovement, db.aliased(StockMovement)
    reversed_kind = (select(reversed_.kind).where(reversed_.id == move.reverses_id)
                     .correlate(move).scalar_subquery())
    issued = db.case((move.kind == "issue", move.quantity), else_=-move.quantity)
    stmt = (select(move.item_id, func.sum(issued))
            .where(move.at > bindparam("since"), move.at <= bindparam("until"),
                   (move.kind == "issue") | ((move.kind == "reversal") & (reversed_kind == "issue")))
            .group_by(move.item_id))
    if by_items:
        stmt = stmt.where(move.item_id.in_(bindparam("item_ids", expanding=True)))
    return stmt


def days_left(balance: int, per_head: float | None, residents: int, issued: int) -> int | None:
    """contract.md: floor(balance / (per_head_per_day x residents)) when both are set and
    non-zero, else floor(balance / mean daily issue of the last 14 days), else None."""
    # Exact fractions: 0.3 kg x 10 people is 3, not 3.0000000000000004.
    if per_head and residents:
        return math.floor(Fraction(balance) / (Fraction(str(per_head)) * residents))
    if issued > 0:
        return math.floor(Fraction(balance * ISSUE_WINDOW_DAYS, issued))
    return None


@dataclass
class ItemRow:
    item: StockItem
    balance: int
    low: bool
    expiring: int      # lots with stock expiring within 30 days
    expired: int       # lots with stock past their expiry date
    days_left: int | None

    def as_json(self) -> dict:
        item = self.item
        return {"id": item.id, "code": item.code, "name": item.name, "unit": item.unit,
                "category": item.category, "balance": self.balance,
                "min_level": item.min_level, "per_head_per_day": item.per_head_per_day,
                "days_left": self.days_left, "low": self.low}


def _lot_flags(today: date):
    """Per item: lots with stock expired, and expiring within EXPIRING_DAYS."""
    soon = today + timedelta(days=EXPIRING_DAYS)
    lot, bal = StockLot, StockBalance
    expired = func.sum(db.case(((lot.expiry_date < today), 1), else_=0))
    expiring = func.sum(db.case(((lot.expiry_date >= today) & (lot.expiry_date <= soon), 1),
                                else_=0))
    return (select(bal.item_id.label("item_id"), func.sum(bal.quantity).label("balance"),
                   func.coalesce(expired, 0).label("expired"),
                   func.coalesce(expiring, 0).label("expiring"))
            .join(lot, lot.id == bal.lot_id)
            .where(bal.quantity > 0)
            .group_by(bal.item_id).subquery())


def item_rows_query(category: str | None = None):
    """A select of (StockItem, balance, low, expiring, expired): low first, then items
    with expired or expiring stock, then by code. Balances come from stock_balances."""
    flags = _lot_flags(clock.local_today())
    balance = func.coalesce(flags.c.balance, 0)
    low = balance <= StockItem.min_level
    expiring = func.coalesce(flags.c.expiring, 0)
    expired = func.coalesce(flags.c.expired, 0)
    stmt = (select(StockItem, balance.label("balance"), low.label("low"),
                   expiring.label("expiring"), expired.label("expired"))
            .outerjoin(flags, flags.c.item_id == StockItem.id)
            .order_by(db.case((low, 0), else_=1), db.case(((expiring + expired) > 0, 0), else_=1),
                      StockItem.code))
    if category:
        stmt = stmt.where(StockItem.category == category)
    return stmt


def item_rows(rows, residents: int | None = None) -> list[ItemRow]:
    """ItemRows (with days left) of the rows of item_rows_query(); `residents`, the count
    of residents_now() when the caller has it."""
    rows = list(rows)
    residents = residents_now() if residents is None else residents
    issued = issued_last_days(item_ids=[row[0].id for row in rows]) if rows else {}
    return [ItemRow(item, int(balance), bool(low), int(expiring), int(expired),
                    days_left(int(balance), item.per_head_per_day, residents,
                              issued.get(item.id, 0)))
            for item, balance, low, expiring, expired in rows]


def list_items(category: str | None = None) -> list[ItemRow]:
    if category is not None and category not in CATEGORIES:
        raise ValidationError("Kategori tidak dikenal.",
                              {"category": "Kategori harus salah satu dari: "
                               + ", ".join(CATEGORIES) + "."})
    return item_rows(db.session.execute(item_rows_query(category)))


def item_row(item_id: int) -> ItemRow:
    rows = item_rows(db.session.execute(item_rows_query().where(StockItem.id == item_id)))
    if not rows:
        raise NotFound("Barang tidak ditemukan.")
    return rows[0]


# ---------------------------------------------------------------- movements

@dataclass
class _Movement:
    """A movement's checked values before it is written."""
    item: StockItem
    kind: str
    quantity: int
    at: datetime
    lot: str | None = None
    expiry_date: date | None = None
    source: str | None = None
    document_number: str | None = None
    note: str | None = None
    stay: Stay | None = None
    reverses: StockMovement | None = None


def _moment(data: dict, errors: FieldErrors, field: str = "at", required: bool = False):
    try:
        at = errors.moment(data, field, required=required, label="Waktu")
    except (OverflowError, ValueError):  # a year the time zones cannot reach
        at = None
        errors.add(field, "Waktu di luar jangkauan.")
    if at is None:
        return None if field in errors.fields else clock.now()
    if at > clock.now() + timedelta(minutes=5):
        errors.add(field, "Waktu tidak boleh di masa depan.")
        return None
    if at.date() < EARLIEST:
        errors.add(field, f"Waktu tidak boleh sebelum tahun {EARLIEST.year}.")
        return None
    return at


def in_years(errors: FieldErrors, field: str, day: date | None) -> date | None:
    """`day`, or None with a problem when it lies outside EARLIEST..LATEST."""
    if day is not None and not EARLIEST <= day <= LATEST:
        errors.add(field, f"Tanggal harus antara tahun {EARLIEST.year} dan {LATEST.year}.")
        return None
    return day


def _check_movement(data: dict) -> _Movement:
    errors = FieldErrors()
    kind = errors.choice(data, "kind", MOVEMENT_KINDS, label="Jenis mutasi")
    if data.get("kind") == "adjustment":
        errors.fields["kind"] = "Penyesuaian dibuat oleh stock opname (POST /stock/counts)."
    reverses = None
    if kind == "reversal":
        reverses_id = errors.integer(data, "reverses", 1, MAX_ID, required=True,
                                     label="Mutasi yang dibatalkan")
        if reverses_id is not None:
            reverses = db.session.get(StockMovement, reverses_id)
            if reverses is None:
                errors.add("reverses", "Mutasi yang dibatalkan tidak ditemukan.")
    elif data.get("reverses") not in (None, ""):
        errors.add("reverses", "Hanya pembatalan (reversal) yang menyebut mutasi lain.")
    item_id = errors.integer(data, "item_id", 1, MAX_ID, required=kind != "reversal",
                             label="Barang")
    item = None
    if item_id is not None:
        item = db.session.get(StockItem, item_id)
        if item is None:
            errors.add("item_id", "Barang tidak ditemukan.")
        elif reverses is not None and reverses.item_id != item_id:
            errors.add("item_id", "Mutasi yang dibatalkan milik barang lain.")
    elif reverses is not None:
        item = reverses.item
    quantity = errors.integer(data, "quantity", 1, MAX_QUANTITY, required=kind != "reversal",
                              label="Jumlah")
    at = _moment(data, errors)
    lot = errors.text(data, "lot", 60, label="Lot")
    expiry = in_years(errors, "expiry_date",
                      errors.date(data, "expiry_date", label="Tanggal kedaluwarsa"))
    source = errors.choice(data, "source", SOURCES, required=False, label="Sumber")
    document_number = errors.text(data, "document_number", 80, label="Nomor dokumen")
    note = errors.text(data, "note", 1000, required=kind == "disposal", label="Keterangan")
    stay = None
    stay_id = errors.integer(data, "stay_id", 1, MAX_ID, label="Klien (stay)")
    if kind != "receipt":
        for field, label in (("expiry_date", "Tanggal kedaluwarsa"), ("source", "Sumber"),
                             ("document_number", "Nomor dokumen")):
            if kind == "reversal" and field == "document_number":
                continue
            if data.get(field) not in (None, ""):
                errors.add(field, f"{label} hanya diisi pada penerimaan.")
    elif expiry is not None and not lot:
        errors.add("lot", "Lot wajib diisi bila barang memiliki tanggal kedaluwarsa.")
    if kind == "reversal" and lot:
        errors.add("lot", "Pembatalan memakai lot mutasi yang dibatalkan.")
    if stay_id is not None:
        if kind != "issue":
            errors.add("stay_id", "Klien hanya disebut pada pengeluaran (issue).")
        else:
            stay = db.session.get(Stay, stay_id)
            if stay is None:
                errors.add("stay_id", "Data tinggal (stay) klien tidak ditemukan.")
            elif at is not None and (at < stay.entered_at
                                     or (stay.exited_at is not None and at > stay.exited_at)):
                errors.add("stay_id", "Klien tidak tinggal di RPS pada waktu itu.")
    if reverses is not None:
        if reverses.kind == "reversal":
            errors.add("reverses", "Pembatalan tidak dapat dibatalkan lagi.")
        if quantity is not None and quantity != reverses.quantity:
            errors.add("quantity", "Jumlah pembatalan harus sama dengan mutasi yang dibatalkan.")
        if at is not None and at < reverses.at:
            errors.add("at", "Pembatalan tidak boleh sebelum mutasi yang dibatalkan.")
    _refuse(errors, "Data mutasi stok tidak valid.")
    if reverses is not None:
        quantity = reverses.quantity
    return _Movement(item=item, kind=kind, quantity=quantity, at=at, lot=lot,
                     expiry_date=expiry, source=source, document_number=document_number,
                     note=note, stay=stay, reverses=reverses)


def record_movement(actor: Actor, data: dict) -> StockMovement:
    """POST /stock/movements: a receipt, issue, disposal or reversal (contract.md)."""
    checked = _check_movement(data)
    _lock_items([checked.item.id])
    if checked.kind == "receipt":
        lot = _receiving_lot(checked.item, checked.lot, checked.expiry_date)
        lines = [(lot, checked.quantity)]
    elif checked.kind == "reversal":
        lines = _reversal_lines(checked.reverses)
    else:
        lines = _taking(checked.item, checked.quantity, checked.at, checked.lot,
                        allow_expired=checked.kind == "disposal")
    service_id = None
    if checked.stay is not None:
        # The client's SPM service, written first: the ledger row that names it is final.
        item = checked.item
        service_id = stay_notes.add_service(
            actor, checked.stay.id, SPM_COMPONENT_OF[item.category], local_date(checked.at),
            note=f"{item.name}: {checked.quantity} {item.unit} ({item.code})").id
    movement = _append(actor, checked.item, checked.kind, checked.quantity, checked.at, lines,
                       source=checked.source, document_number=checked.document_number,
                       note=checked.note, stay_id=checked.stay.id if checked.stay else None,
                       service_record_id=service_id,
                       reverses_id=checked.reverses.id if checked.reverses else None,
                       check="reverses" if checked.reverses else None)
    return movement


def _receiving_lot(item: StockItem, code: str | None, expiry: date | None) -> StockLot:
    code = code or NO_LOT
    lot = db.session.scalar(select(StockLot).where(StockLot.item_id == item.id,
                                                   StockLot.lot == code))
    if lot is None:
        lot = StockLot(item_id=item.id, lot=code, expiry_date=expiry)
        db.session.add(lot)
        db.session.flush()
        db.session.add(StockBalance(lot_id=lot.id, item_id=item.id, quantity=0))
        db.session.flush()
    elif expiry is not None and lot.expiry_date != expiry:
        shown = lot.expiry_date.isoformat() if lot.expiry_date else "tanpa tanggal"
        raise ValidationError("Tanggal kedaluwarsa berbeda dengan lot yang sudah ada.",
                              {"expiry_date": f"Lot {code} tercatat kedaluwarsa {shown}."})
    return lot


def _reversal_lines(original: StockMovement) -> list[tuple[StockLot, int]]:
    if db.session.scalar(select(StockMovement.id).where(
            StockMovement.reverses_id == original.id)) is not None:
        raise Conflict("Mutasi ini sudah dibatalkan.", {"reverses": "Sudah dibatalkan."},
                       code="already_reversed")
    return [(line.lot, -line.quantity) for line in original.lines]


def _insufficient(item: StockItem, wanted: int, available: int, field: str = "quantity"):
    return Conflict(f"Stok {item.name} tidak cukup: diminta {wanted}, tersedia {available} "
                    f"{item.unit}.", {field: f"Tersedia {available} {item.unit}."},
                    code=INSUFFICIENT)


def _taking(item: StockItem, quantity: int, at: datetime, lot_code: str | None,
            allow_expired: bool, field: str = "quantity") -> list[tuple[StockLot, int]]:
    """The lines that take `quantity` out at `at`: from the named lot, or first expiring
    first (lots without expiry last), split over lots as needed."""
    day = local_date(at)
    states = lot_states(item.id, at)
    if lot_code is not None:
        states = [s for s in states if s.code == lot_code]
        if not states:
            raise ValidationError("Lot tidak ditemukan.",
                                  {"lot": f"Barang {item.code} tidak memiliki lot {lot_code}."})
        if not allow_expired and states[0].expired_on(day):
            raise Conflict(f"Lot {lot_code} sudah kedaluwarsa; musnahkan dengan alasan.",
                           {"lot": "Lot kedaluwarsa."}, code=EXPIRED)
    usable = [s for s in states if allow_expired or not s.expired_on(day)]
    lines = _split(usable, quantity)
    if lines is None:
        available = sum(max(0, s.available) for s in usable)
        if not allow_expired and _split(states, quantity) is not None:
            raise Conflict("Stok yang tersisa sudah kedaluwarsa; musnahkan dengan alasan.",
                           {"lot": "Lot kedaluwarsa."}, code=EXPIRED)
        raise _insufficient(item, quantity, available, field)
    return lines


def _split(states: list[LotState], quantity: int) -> list[tuple[StockLot, int]] | None:
    lines, left = [], quantity
    for state in states:
        take = min(left, max(0, state.available))
        if take:
            lines.append((state.lot, -take))
            left -= take
        if not left:
            return lines
    return None


def _check_running(item: StockItem, at: datetime, lines: list[tuple[StockLot, int]],
                   field: str = "quantity") -> None:
    """No lot goes below zero at `at` or after it (for lines not chosen by _taking)."""
    states = {s.lot.id: s for s in lot_states(item.id, at)}
    for lot, delta in lines:
        if delta < 0 and states[lot.id].available + delta < 0:
            raise _insufficient(item, -delta, max(0, states[lot.id].available), field)


def _append(actor: Actor, item: StockItem, kind: str, quantity: int, at: datetime,
            lines: list[tuple[StockLot, int]], check: str | None = None,
            **values) -> StockMovement:
    """Write the movement and its lines; `check`: first check the running balances of lines
    not chosen by _taking(), naming that field when one would go below zero."""
    if check:
        _check_running(item, at, lines, check)
    movement = StockMovement(item_id=item.id, kind=kind, quantity=quantity, at=at,
                             recorded_by_id=actor.user_id, recorded_at=clock.now(), **values)
    db.session.add(movement)
    db.session.flush()
    for lot, delta in lines:
        db.session.add(StockMovementLine(movement_id=movement.id, item_id=item.id,
                                         lot_id=lot.id, at=at, quantity=delta))
        db.session.execute(update(StockBalance).where(StockBalance.lot_id == lot.id)
                           .values(quantity=StockBalance.quantity + delta))
    db.session.flush()
    db.session.expire(movement, ["lines"])
    record(actor, "create", "stock_movement", movement.id,
           {"item_id": item.id, "kind": kind, "quantity": quantity, "at": at.isoformat(),
            "lots": [[lot_label(lot.lot), delta] for lot, delta in lines],
            **{k: v for k, v in values.items() if v is not None and k != "note"}})
    return movement


def movement_json(movement: StockMovement) -> dict:
    return {"id": movement.id, "item_id": movement.item_id, "kind": movement.kind,
            "lots": [{"lot": lot_label(line.lot.lot), "quantity": abs(line.quantity)}
                     for line in movement.lines],
            "balance": item_balance(movement.item_id)}


# ---------------------------------------------------------------- stock counts

def _check_count(data: dict) -> tuple[datetime, list[dict], list[str], str | None]:
    errors = FieldErrors()
    at = _moment(data, errors)  # contract: {at, lines}; without it, now
    note = errors.text(data, "note", 2000, label="Catatan")
    counters = data.get("counters")
    names: list[str] = []
    if counters is not None:
        if not isinstance(counters, list) or not all(isinstance(c, str) for c in counters):
            errors.add("counters", "Petugas penghitung harus berupa daftar nama.")
        else:
            names = [c.strip()[:120] for c in counters if c.strip()][:10]
    lines = data.get("lines")
    checked: list[dict] = []
    if not isinstance(lines, list) or not lines:
        errors.add("lines", "Baris hitungan wajib diisi (minimal satu barang).")
        lines = []
    seen: dict[tuple, int] = {}
    for i, line in enumerate(lines[:1000]):
        row = FieldErrors(f"lines.{i}.")
        if not isinstance(line, dict):
            errors.add(f"lines.{i}", "Baris harus berupa objek.")
            continue
        item_id = row.integer(line, "item_id", 1, MAX_ID, required=True, label="Barang")
        lot = row.text(line, "lot", 60, label="Lot")
        counted = row.integer(line, "counted", 0, MAX_QUANTITY, required=True,
                              label="Jumlah terhitung")
        item = db.session.get(StockItem, item_id) if item_id is not None else None
        if item_id is not None and item is None:
            row.add("item_id", "Barang tidak ditemukan.")
        if item is not None and lot and db.session.scalar(select(StockLot.id).where(
                StockLot.item_id == item.id, StockLot.lot == lot)) is None:
            row.add("lot", f"Barang {item.code} tidak memiliki lot {lot}.")
        if item is not None:
            key, whole = (item.id, lot), (item.id, None)
            if key in seen or (lot is None and any(k[0] == item.id for k in seen)) \
                    or (lot is not None and whole in seen):
                row.add("lot" if lot else "item_id",
                        "Barang dan lot ini sudah ada di baris lain (seluruh barang atau per lot).")
            seen[key] = i
        errors.merge(row)
        checked.append({"index": i, "item": item, "lot": lot, "counted": counted})
    _refuse(errors, "Data stock opname tidak valid.")
    return at, checked, names, note


def record_count(actor: Actor, data: dict) -> tuple[StockCount, list[dict]]:
    """POST /stock/counts: each difference between the counted and the recorded balance at
    `at` becomes an `adjustment` movement. A line without `lot` counts the whole item: a
    surplus goes to stock without a lot, a shortage is taken first expiring first."""
    at, lines, counters, note = _check_count(data)
    _lock_items({line["item"].id for line in lines})
    count = StockCount(at=at, counters="\n".join(counters), note=note,
                       recorded_by_id=actor.user_id, recorded_at=clock.now())
    db.session.add(count)
    db.session.flush()
    adjustments = []
    for line in lines:
        item, code, counted = line["item"], line["lot"], line["counted"]
        field = f"lines.{line['index']}.counted"
        states = lot_states(item.id, at)
        lot = None
        if code is not None:
            state = next(s for s in states if s.code == code)
            lot, expected = state.lot, state.at
        else:
            expected = sum(s.at for s in states)
        db.session.add(StockCountLine(count_id=count.id, item_id=item.id,
                                      lot_id=lot.id if lot else None, expected=expected,
                                      counted=counted))
        difference = counted - expected
        if not difference:
            continue
        if difference > 0:
            moved = [(lot or _receiving_lot(item, None, None), difference)]
        elif lot is not None:
            moved = [(lot, difference)]
        else:
            moved = _taking(item, -difference, at, None, allow_expired=True, field=field)
        _append(actor, item, "adjustment", abs(difference), at, moved, check=field,
                count_id=count.id, note=f"Stock opname #{count.id}")
        adjustments.append({"item_id": item.id, "lot": code, "difference": difference})
    db.session.flush()
    record(actor, "create", "stock_count", count.id,
           {"at": at.isoformat(), "lines": len(lines), "adjustments": len(adjustments)})
    return count, adjustments


def get_count(count_id: int) -> StockCount:
    """The count with its lines, their items and lots (one query each, not one per line)."""
    count = db.session.get(StockCount, count_id, options=[
        selectinload(StockCount.lines).selectinload(StockCountLine.item),
        selectinload(StockCount.lines).selectinload(StockCountLine.lot)])
    if count is None:
        raise NotFound("Stock opname tidak ditemukan.")
    return count


def count_adjustments(count: StockCount) -> list[dict]:
    rows = db.session.execute(
        select(StockMovement.item_id, StockLot.lot, StockMovementLine.quantity)
        .join(StockMovementLine, StockMovementLine.movement_id == StockMovement.id)
        .join(StockLot, StockLot.id == StockMovementLine.lot_id)
        .where(StockMovement.count_id == count.id)
        .order_by(StockMovement.id, StockMovementLine.id))
    return [{"item_id": item_id, "lot": lot_label(lot), "difference": quantity}
            for item_id, lot, quantity in rows]


def list_counts(limit: int = 100) -> list[StockCount]:
    return list(db.session.scalars(select(StockCount).options(selectinload(StockCount.lines))
                                   .order_by(StockCount.at.desc(), StockCount.id.desc())
                                   .limit(limit)))


# ---------------------------------------------------------------- kartu stok

@dataclass
class CardRow:
    movement: StockMovement
    change: int          # signed, for the item
    balance: int         # running balance after it
    lots: list[tuple[str | None, int]]
    reversed: bool = False                   # a later reversal undid it
    registration_number: str | None = None   # of the client it was issued to


@dataclass
class Card:
    item: StockItem
    start: date
    end: date
    opening: int
    rows: list[CardRow]
    closing: int


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end + 1 day 00:00) in RPS_TIMEZONE, as UTC moments."""
    zone = clock.local_zone()
    return (datetime.combine(start, time(), tzinfo=zone),
            datetime.combine(end + timedelta(days=1), time(), tzinfo=zone))


def card(item_id: int, start: date, end: date, limit: int | None = None) -> Card:
    """The kartu stok of [start, end]: the opening balance is the balance now less every
    line since `start` (so its cost follows the period and what came after it, not the
    years of history before it), then each movement with its running balance."""
    item = get_item(item_id)
    if end < start:
        raise ValidationError("Periode tidak valid.", {"to": "Tanggal akhir sebelum tanggal awal."})
    low, high = local_bounds(start, end)
    line = StockMovementLine
    now_held = select(func.coalesce(func.sum(StockBalance.quantity), 0)).where(
        StockBalance.item_id == item.id).scalar_subquery()
    since = select(func.coalesce(func.sum(line.quantity), 0)).where(
        line.item_id == item.id, line.at >= low).scalar_subquery()
    opening = int(db.session.scalar(select(now_held - since)))
    totals = (select(line.movement_id, func.sum(line.quantity).label("change"))
              .where(line.item_id == item.id, line.at >= low, line.at < high)
              .group_by(line.movement_id).subquery())
    running = func.sum(totals.c.change).over(order_by=(StockMovement.at, StockMovement.id))
    reversal = db.aliased(StockMovement)
    undone = select(reversal.id).where(reversal.reverses_id == StockMovement.id).exists()
    registration = (select(Client.registration_number).join(Stay, Stay.client_id == Client.id)
                    .where(Stay.id == StockMovement.stay_id).scalar_subquery())
    # The movements' own (item_id, at) bounds too, so that both sides are read by index.
    stmt = (select(StockMovement, totals.c.change, running, undone, registration)
            .join(totals, totals.c.movement_id == StockMovement.id)
            .where(StockMovement.item_id == item.id, StockMovement.at >= low,
                   StockMovement.at < high)
            .order_by(StockMovement.at, StockMovement.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    result = db.session.execute(stmt).all()
    lots = _lines_of([m.id for m, *_rest in result])
    rows = [CardRow(m, int(change), opening + int(total), lots.get(m.id, []), bool(gone), number)
            for m, change, total, gone, number in result]
    if limit is None:  # every movement of the period was read: the last running balance
        closing = rows[-1].balance if rows else opening
    else:
        closing = opening + int(db.session.scalar(
            select(func.coalesce(func.sum(totals.c.change), 0))) or 0)
    return Card(item, start, end, opening, rows, closing)


def _lines_of(movement_ids: list[int]) -> dict[int, list[tuple[str | None, int]]]:
    out: dict[int, list] = {}
    for chunk in range(0, len(movement_ids), 500):
        ids = movement_ids[chunk:chunk + 500]
        for movement_id, lot, quantity in db.session.execute(
                select(StockMovementLine.movement_id, StockLot.lot, StockMovementLine.quantity)
                .join(StockLot, StockLot.id == StockMovementLine.lot_id)
                .where(StockMovementLine.movement_id.in_(ids))
                .order_by(StockMovementLine.id)):
            out.setdefault(movement_id, []).append((lot_label(lot), quantity))
    return out


# ---------------------------------------------------------------- alerts

@dataclass(frozen=True)
class Alert:
    item_id: int
    code: str
    name: str
    unit: str
    kind: str
    lot: str | None
    expiry_date: date | None
    balance: int

    def as_json(self) -> dict:
        return {"item_id": self.item_id, "code": self.code, "kind": self.kind,
                "lot": self.lot,
                "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
                "balance": self.balance}


def alerts(moment: datetime | None = None) -> list[Alert]:
    """Items at or under their minimum (`low`), lots with stock expiring within 30 days
    (`expiring`) or past their expiry date (`expired`), now or at `moment`."""
    balances = balances_at(moment)
    known = select(StockItem)
    if moment is not None:  # a day caught up later: the items that existed then
        known = known.where(StockItem.created_at <= moment)
    items = {item.id: item for item in db.session.scalars(known)}
    lots = db.session.execute(select(StockLot.id, StockLot.item_id, StockLot.lot,
                                     StockLot.expiry_date)
                              .where(StockLot.item_id.in_(list(items)))).all()
    return alerts_of(local_date(moment or clock.now()), items,
                     [(lot_id, item_id, code, expiry, balances.get(lot_id, 0))
                      for lot_id, item_id, code, expiry in lots])


ALERT_ITEMS = Query("stock_alert_items", lambda param: rows(
    select(StockItem.id, StockItem.code, StockItem.name, StockItem.unit, StockItem.min_level)))
ALERT_LOTS = Query("stock_alert_lots", lambda param: rows(
    select(StockLot.id, StockLot.item_id, StockLot.lot, StockLot.expiry_date,
           func.coalesce(StockBalance.quantity, 0).label("balance"))
    .outerjoin(StockBalance, StockBalance.lot_id == StockLot.id)))


def ask_alerts(reads):
    """Asks `reads` (rps_app.reads) for what the alerts now are judged on (the items, their
    lots with their balances); the answer is alerts()."""
    items, lots = reads.ask(ALERT_ITEMS), reads.ask(ALERT_LOTS)
    day = local_date(clock.now())
    return made(lambda: alerts_of(day, {item.id: item for item in items.value}, lots.value))


def alerts_of(day: date, items: dict, lots) -> list[Alert]:
    """The alerts of `day`, from {item id: item (code, name, unit, min_level)} and the
    (lot id, item id, lot, expiry date, balance) of their lots (others are ignored)."""
    soon = day + timedelta(days=EXPIRING_DAYS)
    totals: dict[int, int] = dict.fromkeys(items, 0)
    found: list[Alert] = []
    for _lot_id, item_id, code, expiry, balance in lots:
        if item_id not in items:
            continue
        totals[item_id] += balance
        if balance > 0 and expiry is not None and expiry <= soon:
            item = items[item_id]
            found.append(Alert(item_id, item.code, item.name, item.unit,
                               "expired" if expiry < day else "expiring", lot_label(code),
                               expiry, balance))
    for item_id, item in items.items():
        if totals[item_id] <= item.min_level:
            found.append(Alert(item_id, item.code, item.name, item.unit, "low", None, None,
                               totals[item_id]))
    order = {"low": 0, "expiring": 1, "expired": 2}
    found.sort(key=lambda a: (order[a.kind], a.code, a.expiry_date or date.max, a.lot or ""))
    return found
