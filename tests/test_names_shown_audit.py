"""Every read that shows clients' names leaves one audit entry per request naming them:
the dashboard's list, the length-of-stay JSON and report PDFs (built now or archived)."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.reporting import services as reporting

from .conftest import api_token, login
from .factories import make_intake
from .stays_support import ACTOR

ADMITTED = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)
TODAY = datetime(2026, 11, 12, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def long_stays(app):
    """Two clients admitted 11 nights ago, still in the shelter (over the 7-night limit)."""
    clock.freeze(ADMITTED)
    with app.app_context():
        batch = make_intake(2, place=True, received_at=ADMITTED.isoformat(),
                            operation_at="2026-11-01T08:00:00+07:00")
        ids = sorted(stay.client_id for stay in batch.stays)
        db.session.commit()
    clock.freeze(TODAY)
    yield ids
    clock.freeze(None)


def shown(app, part_prefix: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "client_list", AuditEntry.action == "read"))
        return [e for e in entries if e.detail["shown_in"].startswith(part_prefix)]


def test_dashboard_list_of_long_stays_is_an_audited_read(app, client, long_stays):
    login(client, app, "kepala")
    assert client.get("/").status_code == 200
    (entry,) = shown(app, "dashboard")
    assert entry.detail["client_ids"] == long_stays and entry.username == "kepala1"


def test_length_of_stay_json_with_names_is_an_audited_read(app, client, long_stays):
    headers = api_token(client, app, "staf")
    body = client.get("/api/v1/reports/length-of-stay?from=2026-11-01&to=2026-11-11",
                      headers=headers).get_json()
    assert sorted(item["client_id"] for item in body["active"]["over_limit"]) == long_stays
    (entry,) = shown(app, "length-of-stay")
    assert entry.detail["client_ids"] == long_stays and entry.username == "api-staf"


def test_report_pdfs_built_now_or_archived_name_their_clients_in_the_audit(app, client, long_stays):
    headers = api_token(client, app, "petugas")
    response = client.get("/api/v1/reports/daily.pdf?from=2026-11-12&to=2026-11-12",
                          headers=headers)
    assert response.status_code == 200
    (entry,) = shown(app, "report daily 2026-11-12")
    assert entry.detail["client_ids"] == long_stays
    with app.app_context():
        run = reporting.claim("monthly", date(2026, 11, 1), date(2026, 11, 30), "test")
        run = reporting.execute(run.id, ACTOR)
        run_id = run.id
    login(client, app, "kepala")
    assert client.get(f"/reports/runs/{run_id}.pdf").status_code == 200
    (archived,) = shown(app, "report monthly 2026-11-01..2026-11-30")
    assert archived.detail["client_ids"] == long_stays and archived.username == "kepala1"
