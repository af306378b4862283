"""Referrals asked while the client is in residence, answered, and closed by the exit; the
referral report (figures computed by hand); permissions and bad input."""
import io
from datetime import datetime, timedelta, timezone

from pypdf import PdfReader
from sqlalchemy import select

from rps_app import clock
from rps_app.extensions import db
from rps_app.referrals import services
from rps_app.referrals.models import Letter, Referral

from .conftest import api_token
from .factories import TEST_ACTOR
from .stays_support import NOW, client_row, intake_body


def text_of(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def institution(app, name="Panti Sosial Bina Karya Pemalang", kind="panti",
                city="Kabupaten Pemalang") -> int:
    with app.app_context():
        found = services.add_institution(TEST_ACTOR, name, kind, "Jl. Gatot Subroto 10", city)
        db.session.commit()
        return found.id


def admitted(client, app, *names) -> list[int]:
    """An intake by a duty officer of its own; the stay ids."""
    headers = api_token(client, app, "petugas", username="intake-officer")
    rows = [client_row(name) for name in names or ("Sutarjo",)]
    answer = client.post("/api/v1/intakes", json=intake_body(*rows), headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return [row["stay_id"] for row in answer.get_json()["clients"]]


def ask(client, headers, stay_id, institution_id, reason="Perlu rehabilitasi lanjutan"):
    return client.post(f"/api/v1/stays/{stay_id}/referrals", headers=headers,
                       json={"institution_id": institution_id, "reason": reason})


def answer(client, headers, referral_id, **body):
    return client.post(f"/api/v1/referrals/{referral_id}/response", headers=headers, json=body)


def test_ask_answer_exit_and_the_states_between(client, app):
    clock.freeze(NOW)
    panti = institution(app)
    balai = institution(app, "Sentra Margo Laras", "balai", "Kabupaten Pati")
    headers = api_token(client, app, "staf")
    [stay_id] = admitted(client, app)

    asked = ask(client, headers, stay_id, panti)
    assert asked.status_code == 201, asked.get_json()
    body = asked.get_json()
    assert {k: body[k] for k in ("stay_id", "institution_id", "status")} == {
        "stay_id": stay_id, "institution_id": panti, "status": "sent"}
    assert set(body["letter"]) == {"id", "number", "pdf_url", "verify_url"}
    assert body["letter"]["number"] == "460/001/RPS/XI/2026"  # the shared letter numbering
    pdf = client.get(body["letter"]["pdf_url"].removeprefix("http://127.0.0.1:5000"), headers=headers)
    text = text_of(pdf.data)
    assert "Permohonan Rujukan" in text and "Sutarjo" in text
    assert "Panti Sosial Bina Karya Pemalang" in text and "Perlu rehabilitasi lanjutan" in text
    verify = client.get(body["letter"]["verify_url"].removeprefix("http://127.0.0.1:5000"))
    assert verify.status_code == 200 and "Sutarjo" not in verify.get_data(as_text=True)

    # A second ask to the same institution waits for the first.
    again = ask(client, headers, stay_id, panti)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "referral_pending"

    # Refused over capacity: the client is referred elsewhere.
    clock.freeze(NOW + timedelta(days=2))
    headers = api_token(client, app, "staf", username="staf-later")  # tokens expire
    refused = answer(client, headers, body["id"], outcome="refused", reason="over_capacity")
    assert refused.status_code == 200 and refused.get_json() == {"id": body["id"],
                                                                 "status": "refused"}
    twice = answer(client, headers, body["id"], outcome="accepted")
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_answered"
    second = ask(client, headers, stay_id, balai).get_json()
    assert second["letter"]["number"] == "460/002/RPS/XI/2026"

    listed = client.get("/api/v1/referrals?status=refused", headers=headers).get_json()
    assert [(r["id"], r["reason"], r["client_id"] is not None) for r in listed] == [
        (body["id"], "over_capacity", True)]
    assert set(listed[0]) >= {"id", "stay_id", "client_id", "institution_id", "status",
                              "sent_at", "responded_at", "reason"}
    assert listed[0]["responded_at"].startswith("2026-11-08T10:00:00+07:00")
    waiting = client.get("/api/v1/referrals?status=sent", headers=headers).get_json()
    assert [r["id"] for r in waiting] == [second["id"]]

    # The exit to the panti that refused cannot name the balai's referral; the exit to the
    # balai names it once accepted, and the referral is done.
    exit_body = {"exit_type": "balai", "institution_id": balai, "referral_id": second["id"]}
    early = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers, json=exit_body)
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "referral_not_accepted"
    clock.freeze(NOW + timedelta(days=4))
    headers = api_token(client, app, "petugas", username="petugas-later")
    assert answer(client, headers, second["id"], outcome="accepted",
                  responded_at="2026-11-09T09:00:00+07:00").status_code == 200
    wrong_place = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers,
                              json={**exit_body, "exit_type": "panti", "institution_id": panti})
    assert wrong_place.status_code == 409
    assert wrong_place.get_json()["error"]["code"] == "referral_not_accepted"
    exited = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers, json=exit_body)
    assert exited.status_code == 200, exited.get_json()
    assert exited.get_json()["letter"]["number"] == "460/003/RPS/XI/2026"  # the exit letter
    done = client.get("/api/v1/referrals?status=done", headers=headers).get_json()
    assert [r["id"] for r in done] == [second["id"]]

    # Closed stay: no more asks.
    closed = ask(client, headers, stay_id, panti)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "already_exited"
    with app.app_context():
        kinds = sorted(db.session.scalars(select(Letter.kind)))
        assert kinds == ["referral", "referral_request", "referral_request"]


def test_exit_without_referral_id_still_works_and_a_refusal_needs_its_reason(client, app):
    clock.freeze(NOW)
    panti = institution(app)
    headers = api_token(client, app, "petugas")
    [stay_id] = admitted(client, app)
    referral_id = ask(client, headers, stay_id, panti).get_json()["id"]
    missing = answer(client, headers, referral_id, outcome="refused")
    assert missing.status_code == 422 and list(missing.get_json()["error"]["fields"]) == ["reason"]
    bad = answer(client, headers, referral_id, outcome="maybe")
    assert bad.status_code == 422 and "outcome" in bad.get_json()["error"]["fields"]
    future = answer(client, headers, referral_id, outcome="accepted",
                    responded_at="2026-12-01T10:00:00+07:00")
    assert future.status_code == 422 and "responded_at" in future.get_json()["error"]["fields"]
    before = answer(client, headers, referral_id, outcome="accepted",
                    responded_at="2026-11-01T10:00:00+07:00")
    assert before.status_code == 422 and "responded_at" in before.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.get(Referral, referral_id).status == "sent"  # nothing half-written
    wrong_type = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers,
                             json={"exit_type": "family", "referral_id": referral_id,
                                   "family_contact": {"name": "Tini", "address": "Slawi"}})
    assert wrong_type.status_code == 422
    assert list(wrong_type.get_json()["error"]["fields"]) == ["referral_id"]
    plain = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers,
                        json={"exit_type": "panti", "institution_id": panti})
    assert plain.status_code == 200 and plain.get_json()["letter"] is not None


def test_bad_asks_name_their_field(client, app):
    clock.freeze(NOW)
    headers = api_token(client, app, "kepala")
    [stay_id] = admitted(client, app)
    for body, field in (({"reason": "x"}, "institution_id"),
                        ({"institution_id": 999, "reason": "x"}, "institution_id"),
                        ({"institution_id": "abc", "reason": "x"}, "institution_id"),
                        ({"institution_id": institution(app)}, "reason")):
        response = client.post(f"/api/v1/stays/{stay_id}/referrals", json=body, headers=headers)
        assert response.status_code == 422, body
        assert list(response.get_json()["error"]["fields"]) == [field]
    assert ask(client, headers, 9999, 1).status_code == 404
    assert answer(client, headers, 9999, outcome="accepted").status_code == 404
    bad = client.get("/api/v1/referrals?status=lost", headers=headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]


def test_permissions(client, app):
    clock.freeze(NOW)
    panti = institution(app)
    staff = api_token(client, app, "staf")
    [stay_id] = admitted(client, app)
    admin = api_token(client, app, "admin")
    assert ask(client, admin, stay_id, panti).status_code == 403
    referral_id = ask(client, staff, stay_id, panti).get_json()["id"]
    assert answer(client, admin, referral_id, outcome="accepted").status_code == 403
    assert client.get("/api/v1/referrals", headers=admin).status_code == 403
    assert client.get("/api/v1/reports/referrals?from=2026-11-01&to=2026-11-30",
                      headers=admin).status_code == 403


def _asked(stay, inst, sent: datetime, status="sent", answered: datetime | None = None,
           refusal=None) -> None:
    """A referral row as it would be on file (the report reads rows; the letter is real)."""
    from rps_app.referrals.letters import issue_request_letter
    clock.freeze(sent)
    letter = issue_request_letter(TEST_ACTOR, stay, inst, "uji", sent)
    done = answered if status == "done" else None
    db.session.add(Referral(
        stay_id=stay.id, institution_id=inst.id, reason="uji", status=status, sent_at=sent,
        sent_on=clock.to_local(sent).date(), letter_id=letter.id, responded_at=answered,
        responded_on=clock.to_local(answered).date() if answered else None,
        refusal_reason=refusal, done_at=done))
    db.session.flush()


def test_report_figures_by_hand(client, app):
    """Panti A: 4 sent in November (accepted after 2 days, done after 5, refused over
    capacity after 1, one waiting): sent 4, accepted 2, refused 1, median of 2, 5, 1 = 2.
    Balai B: 3 sent (refused criteria after 3 and after 4 days: median 3.5; one sent at
    00:30 WIB on 1 November, 31 October in UTC, waiting). Refusals: over_capacity 1, criteria 2."""
    from .stays_support import admit
    day = lambda d, h=10: datetime(2026, 11, d, h - 7, 0, tzinfo=timezone.utc)  # noqa: E731
    with app.app_context():
        clock.freeze(datetime(2026, 10, 1, 3, 0, tzinfo=timezone.utc))
        stays = admit(*[client_row(f"Klien {n}") for n in range(7)],
                      operation_at="2026-10-01T08:00:00+07:00")
        a = services.add_institution(TEST_ACTOR, "Panti A", "panti", "Jl. 1", "Tegal")
        b = services.add_institution(TEST_ACTOR, "Balai B", "balai", "Jl. 2", "Pati")
        _asked(stays[0], a, day(2), "accepted", day(4))
        _asked(stays[1], a, day(3), "done", day(8, 8))
        _asked(stays[2], a, day(10), "refused", day(11), "over_capacity")
        _asked(stays[3], a, day(30, 23))           # 23:00 WIB on the 30th: still November
        _asked(stays[4], b, day(5), "refused", day(8), "criteria")
        _asked(stays[5], b, day(6), "refused", day(10), "criteria")
        _asked(stays[6], b, datetime(2026, 10, 31, 17, 30, tzinfo=timezone.utc))  # 1 Nov WIB
        db.session.commit()
    clock.freeze(datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc))
    headers = api_token(client, app, "kepala")
    assert client.get("/api/v1/reports/referrals?from=2026-11-01&to=2026-11-30",
                      headers=api_token(client, app, "staf")).status_code == 200
    report = client.get("/api/v1/reports/referrals?from=2026-11-01&to=2026-11-30",
                        headers=headers).get_json()
    rows = {row["name"]: row for row in report["by_institution"]}
    assert {k: rows["Panti A"][k] for k in ("sent", "accepted", "refused",
                                             "median_days_to_answer")} == {
        "sent": 4, "accepted": 2, "refused": 1, "median_days_to_answer": 2}
    # 31 Oct 17:30 UTC is 1 Nov 00:30 WIB: inside. Two answered: (3 + 4) / 2.
    assert {k: rows["Balai B"][k] for k in ("sent", "accepted", "refused",
                                             "median_days_to_answer")} == {
        "sent": 3, "accepted": 0, "refused": 2, "median_days_to_answer": 3.5}
    assert report["refusals_by_reason"] == {"over_capacity": 1, "criteria": 2,
                                            "documents": 0, "other": 0}
    october = client.get("/api/v1/reports/referrals?from=2026-10-01&to=2026-10-31",
                         headers=headers).get_json()
    assert october["by_institution"] == []
    bad = client.get("/api/v1/reports/referrals?from=2026-11-30&to=2026-11-01", headers=headers)
    assert bad.status_code == 422 and "to" in bad.get_json()["error"]["fields"]
    missing = client.get("/api/v1/reports/referrals?to=2026-11-01", headers=headers)
    assert missing.status_code == 422 and "from" in missing.get_json()["error"]["fields"]

    pdf = client.get("/api/v1/reports/referrals.pdf?from=2026-11-01&to=2026-11-30",
                     headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = text_of(pdf.data)
    assert "LAPORAN RUJUKAN KLIEN" in text and "Panti A" in text and "3,5" in text
    monthly = client.get("/api/v1/reports/monthly.pdf?from=2026-11-01&to=2026-11-30",
                         headers=headers)
    text = text_of(monthly.data)
    assert "Rujukan per Lembaga" in text and "Balai B" in text
    assert "Kapasitas penuh 1" in text
