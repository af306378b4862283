"""Pages of logistics stock: /stock (balances, receipt and issue forms), an item's history,
stock counts, and the PDFs (kartu stok, berita acara of a count)."""
from dataclasses import dataclass
from datetime import timedelta

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import clock
from ..auth.permissions import Permission, requires
from ..audit import services as audit
from ..clients.models import Client
from ..errors import ValidationError
from ..extensions import db
from ..stays.models import Stay
from ..page_cache import cached
from ..web import current_actor, page_number, submit
from . import documents, services
from .forms import CATEGORIES, SOURCES, CountForm, ItemForm, MovementForm, ReverseForm
from .ledger import lot_label
from .models import StockBalance, StockItem, StockLot
from .vocabulary import KIND_LABELS

bp = Blueprint("stock", __name__)
HISTORY_DAYS = 30
FORM_KINDS = ("receipt", "issue")


def _item_choices() -> list[tuple[str, str]]:
    items = db.session.scalars(select(StockItem).order_by(StockItem.code))
    return [("", "—")] + [(str(i.id), f"{i.code} \u2013 {i.name} ({i.unit})") for i in items]


def _stay_choices() -> list[tuple[str, str]]:
    """Clients in residence, for an issue to a client; the names shown are logged."""
    rows = db.session.execute(
        select(Stay.id, Client.id, Client.registration_number, Client.name)
        .join(Client, Client.id == Stay.client_id)
        .where(Stay.exited_at.is_(None)).order_by(Client.name)).all()
    audit.note_shown(current_actor(), "stock_issue_form",
                     [client_id for _, client_id, _, _ in rows])
    return [("", "—")] + [(str(stay_id), f"{name} ({number})")
                          for stay_id, _, number, name in rows]


@dataclass
class ItemPage:
    """One page of the balances (the pagination macro's interface): low and expiring items
    come first, so the order is computed and the page taken with LIMIT/OFFSET over the few
    items there are."""
    category: str | None
    page: int
    per_page: int

    def __post_init__(self):
        stmt = services.item_rows_query(self.category)
        self.total = db.session.scalar(select(func.count()).select_from(
            stmt.with_only_columns(StockItem.id).order_by(None).subquery()))
        self.pages = max(1, -(-self.total // self.per_page))
        self.page = min(self.page, self.pages)
        self.items = db.session.execute(stmt.limit(self.per_page)
                                        .offset((self.page - 1) * self.per_page)).all()
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def movement_form(kind: str, item_id: int | None = None, formdata=None,
                  items: list | None = None) -> MovementForm:
    form = MovementForm(formdata=formdata, prefix=kind)
    form.kind.data = kind
    form.item_id.choices = items if items is not None else _item_choices()
    if item_id is not None and formdata is None:
        form.item_id.data = str(item_id)
    if kind == "issue":
        form.stay_id.choices = _stay_choices()
    return form


def render_index(forms: dict | None = None, item_form: ItemForm | None = None):
    category = request.args.get("category") or ""
    if category and category not in CATEGORIES:
        category = ""
    page = ItemPage(category or None, page_number(), current_app.config["PER_PAGE"])
    residents = services.residents_now()
    rows = services.item_rows(page.items, residents)
    forms = forms or {}
    items = _item_choices()
    for kind in FORM_KINDS:
        if kind not in forms:
            forms[kind] = movement_form(kind, items=items)
    focus = request.args.get("form") if request.args.get("form") in FORM_KINDS else None
    return render_template("stock/index.html", page=page, rows=rows, category=category,
                           categories=CATEGORIES, forms=forms, focus=focus,
                           item_form=item_form or ItemForm(formdata=None, prefix="item"),
                           residents=residents)


@bp.get("/stock")
@requires(Permission.STOCK)
@cached
def index():
    return render_index()


@bp.post("/stock/items")
@requires(Permission.STOCK)
def item_add():
    form = ItemForm(prefix="item")
    item, status = submit(form, lambda: services.add_item(current_actor(), {
        name: field.data for name, field in form._fields.items() if name != "csrf_token"}))
    if status:
        return render_index(item_form=form), status
    flash(_("Barang %(code)s ditambahkan.", code=item.code), "success")
    return redirect(url_for(".item", item_id=item.id), 303)


@bp.post("/stock/movements")
@requires(Permission.STOCK)
def movement_add():
    kind = request.form.get("kind") or next(
        (k for k in ("receipt", "issue", "disposal") if f"{k}-kind" in request.form), "")
    if kind not in ("receipt", "issue", "disposal"):
        raise ValidationError("Jenis mutasi tidak dikenal.", {"kind": "Jenis mutasi tidak dikenal."})
    form = movement_form(kind, formdata=request.form)
    back_item = request.form.get("back_item", type=int)
    movement, status = submit(form, lambda: services.record_movement(current_actor(),
                                                                     form.body()))
    if status:
        if back_item:
            return render_item(back_item, {kind: form}), status
        return render_index({kind: form}), status
    lots = ", ".join(f"{lot_label(line.lot.lot) or '-'}: {abs(line.quantity)}"
                     for line in movement.lines)
    flash(_("%(kind)s %(code)s sebanyak %(quantity)s %(unit)s dicatat (lot %(lots)s).",
            kind=_(KIND_LABELS[kind]), code=movement.item.code, quantity=movement.quantity,
            unit=movement.item.unit, lots=lots), "success")
    if back_item:
        return redirect(url_for(".item", item_id=back_item), 303)
    # Back to the same form, focused, for the next line of a delivery or a hand-out.
    return redirect(url_for(".index", form=kind), 303)  # autofocus (a #fragment would win over it)


def render_item(item_id: int, forms: dict | None = None):
    row = services.item_row(item_id)
    start, end = _history_period()
    card = services.card(item_id, start, end)
    forms = forms or {}
    item = row.item  # the disposal form offers this item only (no list of every item)
    forms.setdefault("disposal", movement_form("disposal", item_id, items=[
        (str(item.id), f"{item.code} \u2013 {item.name} ({item.unit})")]))
    lots = db.session.execute(
        select(StockLot, StockBalance.quantity).join(StockBalance, StockBalance.lot_id == StockLot.id)
        .where(StockLot.item_id == item_id)
        .order_by(StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id)).all()
    return render_template("stock/item.html", row=row, item=row.item, card=card, lots=lots,
                           forms=forms,
                           reversed_ids={r.movement.id for r in card.rows if r.reversed},
                           reverse_form=ReverseForm(formdata=None), kind_labels=KIND_LABELS,
                           describe=documents.describe,
                           registrations={r.movement.stay_id: r.registration_number
                                          for r in card.rows if r.movement.stay_id},
                           today=clock.local_today(), lot_label=lot_label,
                           categories=CATEGORIES, sources=SOURCES)


def _history_period():
    if "from" in request.args or "to" in request.args:
        return documents.period(request.args)
    today = clock.local_today()
    return today - timedelta(days=HISTORY_DAYS), today


@bp.get("/stock/items/<int:item_id>")
@requires(Permission.STOCK)
def item(item_id: int):
    return render_item(item_id)


@bp.post("/stock/movements/<int:movement_id>/reverse")
@requires(Permission.STOCK)
def reverse(movement_id: int):
    form = ReverseForm()
    movement, status = submit(form, lambda: services.record_movement(
        current_actor(), {"kind": "reversal", "reverses": movement_id,
                          "note": (form.note.data or "").strip() or None}))
    target = request.form.get("back_item", type=int)
    if status:
        return redirect(url_for(".item", item_id=target) if target else url_for(".index"), 303)
    flash(_("Mutasi #%(id)s dibatalkan oleh mutasi #%(new)s.", id=movement_id, new=movement.id),
          "success")
    return redirect(url_for(".item", item_id=movement.item_id), 303)


@bp.get("/stock/items/<int:item_id>/card.pdf")
@requires(Permission.STOCK)
def card_pdf(item_id: int):
    start, end = documents.period(request.args)
    return documents.pdf_response(
        documents.card_pdf(item_id, start, end, printed_by=current_user.full_name or ""),
        f"kartu-stok-{item_id}.pdf")


# ---------------------------------------------------------------- counts

def _count_rows():
    """Every lot with its recorded balance, and every item without a lot yet."""
    rows = db.session.execute(
        select(StockItem, StockLot, StockBalance.quantity)
        .outerjoin(StockLot, StockLot.item_id == StockItem.id)
        .outerjoin(StockBalance, StockBalance.lot_id == StockLot.id)
        .order_by(StockItem.code, StockLot.expiry_date.is_(None), StockLot.expiry_date,
                  StockLot.id)).all()
    return [{"item": item, "lot": lot, "balance": balance or 0,
             "name": f"counted-{item.id}-{lot.id if lot else 0}"} for item, lot, balance in rows]


def render_counts(form: CountForm | None = None, status: int = 200):
    return render_template("stock/counts.html", form=form or CountForm(formdata=None),
                           rows=_count_rows(), counts=services.list_counts(),
                           values=request.form if request.method == "POST" else {}), status


@bp.get("/stock/counts")
@requires(Permission.STOCK)
def counts():
    return render_counts()


def _count_body(form: CountForm) -> dict:
    lines = []
    for row in _count_rows():
        value = (request.form.get(row["name"]) or "").strip()
        if value:
            lot = row["lot"]
            line = {"item_id": row["item"].id, "counted": value}
            if lot is not None and lot.lot:
                line["lot"] = lot.lot
            lines.append(line)
    body = {"lines": lines, "counters": (form.counters.data or "").splitlines(),
            "note": form.note.data or None}
    if (form.at.data or "").strip():
        body["at"] = form.at.data.strip()
    else:
        body["at"] = clock.now().isoformat()
    return body


@bp.post("/stock/counts")
@requires(Permission.STOCK)
def count_add():
    form = CountForm()
    result, status = submit(form, lambda: services.record_count(current_actor(),
                                                                _count_body(form)))
    if status:
        return render_counts(form, status)
    count, adjustments = result
    flash(_("Stock opname #%(id)s dicatat: %(n)s penyesuaian.", id=count.id,
            n=len(adjustments)), "success")
    return redirect(url_for(".count", count_id=count.id), 303)


@bp.get("/stock/counts/<int:count_id>")
@requires(Permission.STOCK)
def count(count_id: int):
    found = services.get_count(count_id)
    return render_template("stock/count.html", count=found,
                           number=documents.count_number(found),
                           adjustments=services.count_adjustments(found), lot_label=lot_label)


@bp.get("/stock/counts/<int:count_id>.pdf")
@requires(Permission.STOCK)
def count_pdf(count_id: int):
    return documents.pdf_response(documents.count_pdf(count_id), f"opname-{count_id}.pdf")
