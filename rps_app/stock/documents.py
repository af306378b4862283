"""The stock PDFs (kartu stok, berita acara of a count): gathered here, laid out by
reports/stock.py. Also the period of a card and the lots of an item as JSON."""
from datetime import date, timedelta

from flask import Response, current_app
from sqlalchemy import select

from reports import stock as stock_pdf
from reports.indonesian import roman_month

from .. import clock
from ..auth.models import User
from ..errors import ValidationError
from ..extensions import db
from ..fields import FieldErrors
from ..referrals import letter_settings
from .ledger import lot_label
from .models import StockBalance, StockLot
from .services import card, get_count, in_years
from .vocabulary import CATEGORY_LABELS, KIND_LABELS, SOURCE_LABELS

MAX_CARD_DAYS = 3 * 366


def zone_label() -> str:
    name = current_app.config["RPS_TIMEZONE"]
    return {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT"}.get(name, name)


def period(args) -> tuple[date, date]:
    """`from`/`to` (YYYY-MM-DD) of a card; default: the month so far."""
    errors = FieldErrors()
    today = clock.local_today()
    start = in_years(errors, "from", errors.date(args, "from", label="Tanggal awal"))
    end = in_years(errors, "to", errors.date(args, "to", label="Tanggal akhir"))
    start = start or today.replace(day=1)
    end = end or today
    if not errors and end < start:
        errors.add("to", "Tanggal akhir tidak boleh sebelum tanggal awal.")
    if not errors and (end - start).days > MAX_CARD_DAYS:
        errors.add("from", "Periode kartu stok paling panjang 3 tahun.")
    if errors:
        raise ValidationError("Periode tidak valid.", errors.fields)
    return start, end


def lots_json(item_id: int) -> list[dict]:
    rows = db.session.execute(
        select(StockLot, StockBalance.quantity).join(StockBalance, StockBalance.lot_id == StockLot.id)
        .where(StockLot.item_id == item_id)
        .order_by(StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id))
    return [{"lot": lot_label(lot.lot),
             "expiry_date": lot.expiry_date.isoformat() if lot.expiry_date else None,
             "balance": quantity} for lot, quantity in rows]


def describe(movement, registrations: dict[int, str] | None = None) -> str:
    """A movement in words for the card: kind, source, document, client, note."""
    parts = [KIND_LABELS[movement.kind]]
    if movement.source:
        parts[0] += f" ({SOURCE_LABELS[movement.source]})"
    if movement.document_number:
        parts.append(f"No. {movement.document_number}")
    if movement.stay_id:
        number = (registrations or {}).get(movement.stay_id)
        parts.append(f"klien {number}" if number else f"stay #{movement.stay_id}")
    if movement.reverses_id:
        parts.append(f"membatalkan #{movement.reverses_id}")
    if movement.note:
        parts.append(movement.note)
    return f"#{movement.id} " + "; ".join(parts)


def card_pdf(item_id: int, start: date, end: date, printed_by: str = "") -> bytes:
    found = card(item_id, start, end)
    item = found.item
    registrations = {r.movement.stay_id: r.registration_number for r in found.rows
                     if r.movement.stay_id}
    lines = tuple(stock_pdf.CardLine(
        at=clock.to_local(row.movement.at), description=describe(row.movement, registrations),
        lots=", ".join(f"{lot or '-'} ({abs(q)})" for lot, q in row.lots) or "-",
        incoming=max(row.change, 0), outgoing=max(-row.change, 0), balance=row.balance)
        for row in found.rows)
    data = stock_pdf.CardData(
        code=item.code, name=item.name, unit=item.unit, category=CATEGORY_LABELS[item.category],
        min_level=item.min_level, start=start, end=end, opening=found.opening, lines=lines,
        closing=found.closing, printed_at=clock.to_local(clock.now()), printed_by=printed_by,
        timezone_label=zone_label())
    return stock_pdf.build_card(data, letter_settings.letterhead(), letter_settings.signatory())


def count_number(count) -> str:
    local = clock.to_local(count.at)
    return f"{count.id}/SO/RPS/{roman_month(local.month)}/{local.year}"


def count_pdf(count_id: int) -> bytes:
    count = get_count(count_id)
    lines = tuple(stock_pdf.CountLine(
        code=line.item.code, name=line.item.name, lot=(lot_label(line.lot.lot) or "-") if line.lot
        else "(seluruh lot)", unit=line.item.unit, expected=line.expected, counted=line.counted)
        for line in count.lines)
    recorder = db.session.get(User, count.recorded_by_id) if count.recorded_by_id else None
    data = stock_pdf.CountData(
        number=count_number(count), at=clock.to_local(count.at),
        counters=tuple(n for n in count.counters.splitlines() if n.strip()), lines=lines,
        note=count.note, timezone_label=zone_label(),
        recorded_by=recorder.username if recorder else "")
    return stock_pdf.build_count(data, letter_settings.letterhead(), letter_settings.signatory())


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


def default_card_period() -> tuple[date, date]:
    today = clock.local_today()
    return today - timedelta(days=30), today

