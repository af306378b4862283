"""JSON API of logistics stock under /api/v1 (contract.md "Logistics stock"): items,
movements, counts, the kartu stok and the count's berita acara as PDF, alerts."""
from flask import Blueprint, jsonify, request

from ..auth.permissions import Permission, requires
from ..web import current_actor, json_body
from . import documents, services

api = Blueprint("stock_api", __name__)


@api.get("/stock/items")
@requires(Permission.STOCK)
def items():
    rows = services.list_items(request.args.get("category") or None)
    return jsonify([row.as_json() for row in rows])


@api.post("/stock/items")
@requires(Permission.STOCK)
def item_add():
    item = services.add_item(current_actor(), json_body())
    return jsonify(services.item_row(item.id).as_json()), 201


@api.get("/stock/items/<int:item_id>")
@requires(Permission.STOCK)
def item(item_id: int):
    row = services.item_row(item_id)
    return jsonify({**row.as_json(), "lots": documents.lots_json(item_id)})


@api.post("/stock/movements")
@requires(Permission.STOCK)
def movement_add():
    movement = services.record_movement(current_actor(), json_body())
    return jsonify(services.movement_json(movement)), 201


@api.post("/stock/counts")
@requires(Permission.STOCK)
def count_add():
    count, adjustments = services.record_count(current_actor(), json_body())
    return jsonify({"id": count.id, "adjustments": adjustments}), 201


@api.get("/stock/counts/<int:count_id>.pdf")
@requires(Permission.STOCK)
def count_pdf(count_id: int):
    return documents.pdf_response(documents.count_pdf(count_id), f"opname-{count_id}.pdf")


@api.get("/stock/items/<int:item_id>/card.pdf")
@requires(Permission.STOCK)
def card_pdf(item_id: int):
    start, end = documents.period(request.args)
    return documents.pdf_response(documents.card_pdf(item_id, start, end),
                                  f"kartu-stok-{item_id}.pdf")


@api.get("/stock/alerts")
@requires(Permission.STOCK)
def alerts():
    return jsonify([alert.as_json() for alert in services.alerts()])
