"""Demo stock for `rps demo-data`: the usual items of a shelter's store and the last weeks
of their ledger (weekly deliveries with lots and expiry dates, the kitchen's daily issue
for the residents, clothing and hygiene kits handed to new clients), written through the
services, so the demo ledger keeps every rule the real one does."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from .. import clock
from ..actor import Actor
from ..extensions import db
from ..stays.models import Stay
from . import services
from .ledger import lot_states

# (code, name, unit, category, minimum, per person per day, weekly delivery, shelf days)
ITEMS = (
    ("BRS-01", "Beras", "kg", "pangan", 60, 0.3, 160, 180),
    ("TLR-01", "Telur ayam", "butir", "pangan", 120, 1.0, 450, 21),
    ("MIE-01", "Mi instan", "bungkus", "pangan", 80, 0.3, 150, 240),
    ("AIR-01", "Air mineral 600 ml", "botol", "pangan", 120, 2.0, 900, 365),
    ("SRG-01", "Sarung", "lembar", "sandang", 10, None, 45, None),
    ("KAO-01", "Kaos dalam", "potong", "sandang", 15, None, 45, None),
    ("SBN-01", "Sabun mandi", "batang", "kebersihan", 20, None, 50, 720),
    ("PGG-01", "Pasta gigi", "tube", "kebersihan", 15, None, 45, 540),
    ("PBL-01", "Pembalut", "bungkus", "kebersihan", 10, None, 15, 720),
    ("PCT-01", "Parasetamol 500 mg", "strip", "kesehatan", 10, None, 20, 540),
)
KIT_CODES = ("SRG-01", "KAO-01", "SBN-01", "PGG-01")  # for a newly received client


def fill(actor: Actor, rng, days: int = 28) -> int:
    """The items (when not yet on file) and `days` days of movements up to now; returns
    the number of movements written."""
    now = clock.now()
    zone = clock.local_zone()
    first = clock.to_local(now).date() - timedelta(days=days)
    items = {}
    for code, name, unit, category, minimum, per_head, _weekly, _shelf in ITEMS:
        item = db.session.scalar(select(services.StockItem).where(
            services.StockItem.code == code))
        items[code] = item or services.add_item(actor, {
            "code": code, "name": name, "unit": unit, "category": category,
            "min_level": minimum, "per_head_per_day": per_head})
    written = 0
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        delivery = datetime.combine(day, time(9, 30), zone)
        if offset % 7 == 0 and delivery <= now:  # weekly (APBD), lots where goods expire
            at = delivery
            for code, _n, _u, _c, _m, _p, weekly, shelf in ITEMS:
                lot = f"{code}-{day:%y%m%d}" if shelf else None
                services.record_movement(actor, {
                    "kind": "receipt", "item_id": items[code].id, "at": at.isoformat(),
                    "quantity": weekly, "source": "apbd", "lot": lot,
                    "expiry_date": (day + timedelta(days=shelf)).isoformat() if shelf else None,
                    "document_number": f"SPB/{day:%Y%m%d}"})
                written += 1
        kitchen = datetime.combine(day, time(6, 0), zone)
        if kitchen > now:
            break
        residents = db.session.scalar(select(func.count(Stay.id)).where(
            Stay.entered_at <= kitchen, (Stay.exited_at.is_(None)) | (Stay.exited_at > kitchen)))
        for code, _n, _u, _c, _m, per_head, *_rest in ITEMS:
            if per_head and residents:
                written += _issue(actor, items[code], round(residents * per_head), kitchen,
                                  "Dapur umum: kebutuhan harian penghuni")
        end = min(kitchen + timedelta(days=1), now)
        for stay_id, entered in db.session.execute(select(Stay.id, Stay.entered_at).where(
                Stay.entered_at > kitchen, Stay.entered_at <= end).order_by(Stay.id)):
            if rng.random() < 0.5:  # half of the new clients need a kit
                given = entered + timedelta(minutes=30)
                if given <= now:
                    for code in KIT_CODES:
                        written += _issue(actor, items[code], 1, given, None, stay_id)
    return written


def _issue(actor, item, quantity: int, at: datetime, note: str | None,
           stay_id: int | None = None) -> int:
    """Issue what the store holds (a short store issues less; the demo never fails)."""
    day = clock.to_local(at).date()
    held = sum(max(state.available, 0) for state in lot_states(item.id, at)
               if not state.expired_on(day))
    quantity = min(quantity, held)
    if quantity <= 0:
        return 0
    services.record_movement(actor, {"kind": "issue", "item_id": item.id, "at": at.isoformat(),
                                     "quantity": quantity, "note": note, "stay_id": stay_id})
    return 1
