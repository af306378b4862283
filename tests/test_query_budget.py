"""Every page of the application answers with at most BUDGET SQL statements (issue 14),
counted as tests/test_query_counts.py counts them (every statement sent, the audit entry of
a read included; BEGIN not). The pages are found in the URL map, so a page added later is
held to the budget too; each is visited over a shelter with something in every part (an
intake placed and exited, a letter, a referral, a roster, a roll call, an incident, stock,
a booking, a visit, a maintenance request)."""
import re
from datetime import timedelta

from sqlalchemy import select

from rps_app import clock
from rps_app.extensions import db
from rps_app.facility.models import Bed, Room
from rps_app.operations import rollcall

from .conftest import api_token, login
from .stays_support import client_row, intake_body
from .test_query_counts import statements

BUDGET = 8
# Not pages: files, JSON and health answers, and the login form's own flow.
NOT_PAGES = re.compile(r"(\.pdf|\.json|/photo|/healthz|/readyz|/logout|/logo)$")
ID_OF = {"client_id": "client", "stay_id": "stay", "intake_id": "intake",
         "letter_id": "letter", "room_id": "room", "bed_id": "bed", "user_id": "user",
         "booking_id": "booking", "institution_id": "institution", "count_id": "count",
         "item_id": "item", "code": "verify"}


def post(client, headers, path, body, expected=201) -> dict:
    response = client.post(f"/api/v1{path}", json=body, headers=headers)
    assert response.status_code == expected, (path, response.get_json())
    return response.get_json()


def busy_shelter(app, client) -> dict:
    """Something in every part of the application, through the API; returns the ids."""
    headers = api_token(client, app, "kepala", username="api_kepala")
    with app.app_context():
        now, today = clock.now(), clock.local_today()
    intake = post(client, headers, "/intakes", intake_body(
        client_row("Sutrisno"), client_row("Warsini", sex="P", age=35),
        client_row("Kasdi", age=61), operation_at=(now - timedelta(hours=2)).isoformat(),
        received_at=(now - timedelta(hours=1)).isoformat()))
    stays = [row["stay_id"] for row in intake["clients"]]
    for stay in stays:
        post(client, headers, f"/stays/{stay}/placement", {}, 200)
    institution = post(client, headers, "/institutions", {
        "name": "Panti Sosial Bina Karya Pemalang", "kind": "panti",
        "address": "Jl. Raya Comal", "city": "Pemalang"})["id"]
    post(client, headers, f"/stays/{stays[1]}/referrals",
         {"institution_id": institution, "reason": "Perlu rehabilitasi lanjutan."})
    left = post(client, headers, f"/stays/{stays[2]}/exit", {
        "exit_type": "family", "family_contact": {"name": "Ibu Darsih", "relation": "anak",
                                                  "address": "Slawi"}}, 200)
    staff = post(client, headers, "/staff", {"name": "Wahyu", "sex": "L",
                                            "position": "Petugas jaga"})["id"]
    post(client, headers, "/roster/assignments", {"date": today.isoformat(), "shift": "pagi",
                                                  "post": "POS-1", "staff_id": staff})
    with app.app_context():
        day, session = rollcall.latest_session()
        present = sorted(rollcall.open_stay_ids(day, session))
    post(client, headers, "/rollcalls", {"date": day.isoformat(), "session": session, "entries": [
        {"stay_id": stay, "status": "present"} for stay in present]})
    post(client, headers, "/incidents", {
        "occurred_at": now.isoformat(), "kind": "conflict", "severity": "high",
        "stay_ids": stays[:2], "description": "Adu mulut di ruang makan."})
    item = post(client, headers, "/stock/items", {
        "code": "BRS-01", "name": "Beras", "unit": "kg", "category": "pangan",
        "min_level": 10, "per_head_per_day": 0.3})["id"]
    post(client, headers, "/stock/movements", {"item_id": item, "kind": "receipt",
                                               "quantity": 50, "source": "apbd"})
    post(client, headers, "/stock/movements", {"item_id": item, "kind": "issue",
                                               "quantity": 1, "stay_id": stays[0]})
    count = post(client, headers, "/stock/counts", {
        "at": now.isoformat(), "lines": [{"item_id": item, "counted": 48}]})["id"]
    with app.app_context():
        therapy = db.session.scalar(select(Room.id).where(Room.kind == "therapy"))
        shelter = db.session.scalar(select(Room.id).where(Room.kind == "shelter"))
        bed = db.session.scalar(select(Bed.id).where(Bed.room_id == shelter))
    start = now + timedelta(hours=1)
    booking = post(client, headers, "/bookings", {
        "room_id": therapy, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(), "purpose": "Konseling",
        "stay_ids": [stays[0]], "staff_id": staff})["id"]
    post(client, headers, "/visits", {"visitor_name": "Darsih", "relation": "anak",
                                      "stay_id": stays[0]})
    post(client, headers, "/maintenance", {"room_id": shelter,
                                           "description": "Kipas angin rusak."})
    letter = left["letter"]
    return {"client": intake["clients"][0]["id"], "stay": stays[0], "intake": intake["id"],
            "letter": letter["id"], "verify": letter["verify_url"].rstrip("/").rsplit("/", 1)[1],
            "room": shelter, "bed": bed, "booking": booking, "institution": institution,
            "count": count, "item": item}


def pages(app) -> list[tuple[str, str]]:
    """(rule, endpoint) of every GET page of the application."""
    return sorted((str(rule), rule.endpoint) for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and rule.endpoint != "static"
                  and not str(rule).startswith("/api/") and not NOT_PAGES.search(str(rule)))


def test_every_page_within_the_budget(app, client):
    ids = busy_shelter(app, client)
    ids["user"] = login(client, app, "kepala", username="kepala_pages")
    admin = app.test_client()
    login(admin, app, "admin", username="admin_pages")
    counts = {}
    for rule, _endpoint in pages(app):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[ID_OF[m.group(1)]]), rule)
        # The head's pages, else the administrator's (users, rooms, letter settings).
        who = client if client.get(path).status_code != 403 else admin
        status = who.get(path).status_code
        if status in (301, 302, 303):  # not a page: where it leads is one
            continue
        assert status == 200, path
        counts[rule] = statements(app, who, path)
    assert len(counts) >= 35  # the walk found the pages
    over = {rule: n for rule, n in counts.items() if n > BUDGET}
    print("statements per page:", sorted(counts.items()))
    assert over == {}, sorted(over.items())
