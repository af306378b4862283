"""Panels on other domains' pages: the dashboard (who is on duty now, today's gaps, the
latest roll call's meals count, possible abscondments, high incidents not acknowledged)
and the client's and stay's incidents."""
from sqlalchemy import select

from .. import clock
from ..clients.models import Client
from ..extensions import db
from ..stays.models import Stay
from ..web import translated
from . import incidents, roster, rollcall


def duty() -> dict:
    today = clock.local_today()
    day, shift = roster.current_shift()
    return {"on_duty": roster.on_duty_now(), "shift": shift, "day": day,
            "shift_labels": translated(roster.SHIFT_LABELS),
            "gaps": roster.gaps(today, today), "today": today}


def operations() -> dict:
    open_ids = list(db.session.scalars(select(Stay.id).where(Stay.exited_at.is_(None))))
    facts = rollcall.absence_facts(open_ids)
    flagged_ids = [sid for sid, f in facts.items() if f["absent_sessions"] >= rollcall.ABSCOND_FLAG]
    flagged = []
    if flagged_ids:
        names = dict(db.session.execute(select(Stay.id, Client.name).join(
            Client, Client.id == Stay.client_id).where(Stay.id.in_(flagged_ids))).all())
        flagged = [{"stay_id": sid, "name": names.get(sid, ""),
                    "absent_sessions": facts[sid]["absent_sessions"]}
                   for sid in sorted(flagged_ids)]
    latest = rollcall.latest()
    return {"latest": latest, "counts": rollcall.counts(latest) if latest else None,
            "session_labels": translated(rollcall.SESSION_LABELS), "flagged": flagged,
            "high": incidents.unacknowledged_high(),
            "kind_labels": translated(incidents.KIND_LABELS)}


def _incident_panel(rows) -> dict | None:
    return {"rows": rows, "kind_labels": translated(incidents.KIND_LABELS),
            "severity_labels": translated(incidents.SEVERITY_LABELS)} if rows else None


def client_incidents(client=None, rows=None, **_context) -> dict | None:
    """The client's incidents (rows: incidents.client_reads)."""
    return _incident_panel(rows["incidents"]) if client is not None else None


def stay_incidents(stay=None, **_context) -> dict | None:
    return _incident_panel(incidents.of_stays([stay.id])) if stay is not None else None
