"""Retention (UU 27/2022) and the data subject's export.

A client whose last stay closed more than RPS_RETENTION_YEARS ago is anonymised by the
scheduled `retention` job: personal data goes, dates and codes stay, so every report of
every period gives the same figures; one whose last stay closed within the period keeps
everything.
"""
import base64
import os
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.clients import services as clients
from rps_app.clients.models import Client
from rps_app.errors import Conflict
from rps_app.extensions import db
from rps_app.privacy import services as privacy
from rps_app.referrals.models import Institution, Letter
from rps_app.reporting import documents, metrics
from rps_app.stays import notes
from rps_app.stays import services as stays
from rps_app.stays.models import CaseNote, StayExit

from .conftest import api_token
from .stays_support import ACTOR, client_row, intake_body, make_nik

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)


def utc(year, month, day, hour=3) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def admit(moment: datetime, *rows, **extra):
    clock.freeze(moment)
    batch = stays.intake(ACTOR, intake_body(*rows, received_at=moment.isoformat(),
                                            operation_at=(moment - timedelta(hours=2)).isoformat(),
                                            **extra))
    stays.place_all(ACTOR, [stay.id for stay in batch.stays])
    return batch.stays


def leave(moment: datetime, stay_id: int, **body):
    clock.freeze(moment)
    return stays.exit_stay(ACTOR, stay_id, body)


@pytest.fixture
def history(app):
    """Sutini (2019, full identity, photo, note, family exit with a letter) and Karto (a
    2019 stay and a 2024 one: his last stay closed within five years), and Paijo with a
    2020 stay referred to a panti."""
    with app.app_context():
        sutini, karto = admit(utc(2019, 12, 20), client_row(
            "Sutini", sex="P", age=None, birth_date="1961-12-09",
            nik=make_nik("P", date(1961, 12, 9)), identity_known=True,
            origin_address="Jl. Pala 3, Slawi", description="Rambut beruban",
            guardian="Anaknya, Wati", belongings=[{"description": "KTP atas nama Sutini",
                                                   "quantity": 1}]),
            client_row("Karto", age=45))
        (paijo,) = admit(utc(2020, 2, 3), client_row("Paijo", age=70))
        clients.save_photo(ACTOR, sutini.client_id, PNG)
        clients.update_identity(ACTOR, sutini.client_id, {"birth_place": "Tegal"})
        notes.add_note(ACTOR, sutini.id, "health", "Darah tinggi, minum obat pagi.")
        leave(utc(2019, 12, 27), sutini.id, exit_type="family",
              family_contact={"name": "Wati", "relation": "anak", "address": "Brebes",
                              "phone": "0812000111"}, notes="Dijemput anaknya")
        leave(utc(2019, 12, 24), karto.id, exit_type="absconded")
        panti = Institution(name="Panti Wredha Budi Dharma", kind="panti", address="Jl. A",
                            city="Semarang", created_at=NOW)
        db.session.add(panti)
        db.session.flush()
        leave(utc(2020, 2, 20), paijo.id, exit_type="panti", institution_id=panti.id)
        (karto_again,) = admit(utc(2024, 6, 1), {"client_id": karto.client_id})
        leave(utc(2024, 6, 5), karto_again.id, exit_type="home_region",
              family_contact={"name": "Kepala Desa", "address": "Bumijawa"})
        db.session.commit()
        ids = {"sutini": sutini.client_id, "karto": karto.client_id, "paijo": paijo.client_id}
    clock.freeze(NOW)
    yield ids
    clock.freeze(None)


def without_names(value):
    if isinstance(value, dict):
        return {k: without_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [without_names(v) for v in value]
    return value


MONTHS = [date(2019, 11, 1), date(2019, 12, 1), date(2020, 1, 1), date(2020, 2, 1),
          date(2020, 3, 1), date(2022, 7, 1), date(2024, 5, 1), date(2024, 6, 1),
          date(2024, 7, 1)]


def every_report() -> dict:
    """Every report kind for every month with a stay in it (and around), the whole span
    at once, and every day's census around the stays, names left out."""
    figures = {}
    periods = [(m, (m.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
               for m in MONTHS] + [(date(2019, 11, 1), date(2024, 6, 30))]
    for start, end in periods:
        figures[("monthly", start, end)] = without_names(documents.collect("monthly", start, end))
        figures[("occupancy", start, end)] = asdict(metrics.occupancy(start, end))
        figures[("length-of-stay", start, end)] = without_names(
            metrics.length_of_stay(start, end).as_json())
    for first in (date(2019, 12, 18), date(2020, 2, 1)):
        for n in range(25):
            day = first + timedelta(days=n)
            figures[("daily", day)] = without_names(documents.collect("daily", day, day))
    return figures


def test_retention_anonymises_only_records_closed_longer_ago_and_reports_keep_their_figures(
        app, history):
    with app.app_context():
        before = every_report()
        assert privacy.due_clients(NOW) == sorted([history["sutini"], history["paijo"]])
        summary = privacy.RETENTION_JOB.run(None)
        db.session.commit()
        assert summary == {"anonymised": 2}
        assert every_report() == before

        sutini = db.session.get(Client, history["sutini"])
        assert sutini.name == privacy.REMOVED and sutini.anonymised_at is not None
        assert (sutini.nik, sutini.birth_date, sutini.origin_address, sutini.description,
                sutini.guardian, sutini.photo_path, sutini.birth_place) == (None,) * 7
        assert (sutini.sex, sutini.birth_year, sutini.pmks_category) == ("P", 1961, 11)
        assert not os.path.exists(os.path.join(app.instance_path, "uploads", "clients",
                                               str(sutini.id)))
        (stay,) = sutini.stays
        assert (stay.exit_type, stay.entry_date) == ("family", date(2019, 12, 20))
        exit_row = db.session.scalar(select(StayExit).where(StayExit.stay_id == stay.id))
        assert exit_row.family_contact is None and exit_row.notes is None
        assert db.session.scalar(select(CaseNote.body).where(CaseNote.stay_id == stay.id)) \
            == privacy.REMOVED
        assert all(b.description == privacy.REMOVED for b in stay.belongings)
        letters = list(db.session.scalars(select(Letter).where(Letter.stay_id == stay.id)))
        assert letters and all(letter.pdf == b"" and letter.sha256 and letter.number
                               for letter in letters)
        updates = list(db.session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "client", AuditEntry.entity_id == str(sutini.id),
            AuditEntry.action == "update")))
        assert {"birth_place": None} in updates and {"photo_path": None} in updates
        assert all(value is None for detail in updates for value in detail.values())
        assert db.session.scalar(select(AuditEntry.detail).where(
            AuditEntry.action == "anonymise", AuditEntry.entity_id == str(sutini.id)))

        karto = db.session.get(Client, history["karto"])  # last stay closed in 2024: kept
        assert karto.name == "Karto" and karto.anonymised_at is None
        # Run again: nothing more is due.
        assert privacy.run_retention() == {"anonymised": 0}


def test_an_anonymised_letter_still_verifies_but_its_pdf_is_gone(app, client, history):
    with app.app_context():
        privacy.run_retention()
        db.session.commit()
        letter = db.session.scalar(select(Letter).where(Letter.pdf == b"").limit(1))
        letter_id, code, number = letter.id, letter.verify_code, letter.number
    verify = client.get(f"/verify/{code}")
    assert verify.status_code == 200 and number in verify.get_data(as_text=True)
    headers = api_token(client, app, "kepala")
    gone = client.get(f"/api/v1/letters/{letter_id}.pdf", headers=headers)
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "letter_removed"


def test_subject_export_holds_everything_about_one_person(app, client, history):
    headers = api_token(client, app, "kepala")
    response = client.get(f"/api/v1/clients/{history['sutini']}/export.json", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    data = response.get_json()
    assert data["client"]["name"] == "Sutini" and data["client"]["nik"].startswith("332801")
    (photo,) = data["photos"]
    assert base64.b64decode(photo["data_base64"]) == PNG and photo["current"]
    (stay,) = data["stays"]
    assert stay["intake"]["agency"] == "satpol_pp"
    assert stay["exit"][0]["family_contact"]["phone"] == "0812000111"
    assert stay["case_notes"][0]["body"] == "Darah tinggi, minum obat pagi."
    assert stay["belongings"][0]["description"] == "KTP atas nama Sutini"
    assert any(base64.b64decode(letter["pdf"]).startswith(b"%PDF") for letter in data["letters"])
    assert {entry["action"] for entry in data["audit"]} >= {"create", "update"}
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "export", AuditEntry.entity_id == str(history["sutini"])))


@pytest.mark.parametrize("role", ["petugas", "staf", "admin"])
def test_only_the_head_exports(app, client, history, role):
    headers = api_token(client, app, role)
    assert client.get(f"/api/v1/clients/{history['sutini']}/export.json",
                      headers=headers).status_code == 403


def test_the_client_page_offers_the_export_to_the_head_only(app, client, history):
    from .conftest import csrf_token, login
    login(client, app, "staf")
    assert "export.json" not in client.get(f"/clients/{history['karto']}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, app, "kepala")
    html = client.get(f"/clients/{history['karto']}").get_data(as_text=True)
    assert f"/clients/{history['karto']}/export.json" in html
    download = client.get(f"/clients/{history['karto']}/export.json")
    assert download.status_code == 200 and download.get_json()["client"]["name"] == "Karto"
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_scheduler_runs_retention_once_a_night(app, history):
    from scheduler.runner import run_due
    with app.app_context():
        assert privacy.RETENTION_JOB in app.extensions["rps_registry"].jobs
        first = run_due(NOW, jobs=[privacy.RETENTION_JOB])  # 10:00 WIB: tonight's 02:00 ran
        assert [run.status for run in first.done] and not first.failed
        assert sum((run.summary or {}).get("anonymised", 0) for run in first.done) == 2
        assert run_due(NOW, jobs=[privacy.RETENTION_JOB]).done == []  # claimed once only
        assert db.session.get(Client, history["sutini"]).anonymised_at is not None


def test_a_client_still_in_residence_is_not_anonymised(app):
    with app.app_context():
        clock.freeze(NOW)
        (stay,) = admit(NOW, client_row("Darmi", sex="P"))
        db.session.commit()
        with pytest.raises(Conflict, match="masih tinggal"):
            privacy.anonymise(ACTOR, stay.client_id)
        db.session.rollback()
        assert db.session.get(Client, stay.client_id).name == "Darmi"
