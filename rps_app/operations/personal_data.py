"""What daily operations hold about a client, for retention and the data subject's export
(signals client_anonymising and client_exporting, sent by the privacy domain).

Roll-call entries keep their status (meals counts and abscondment history stay) but lose
their notes; incidents the client was involved in keep kind, severity and times (the
monthly counts do not change) but lose their description and action texts, which may
name the client.
"""
from sqlalchemy import select, update

from ..extensions import db
from ..fields import iso
from ..stays.models import Stay
from .models import Incident, IncidentStay, RollCall, RollCallEntry

REMOVED = "[dihapus: masa retensi]"


def _stay_ids(client) -> list[int]:
    return list(db.session.scalars(select(Stay.id).where(Stay.client_id == client.id)))


def anonymise(client, actor=None, **_kwargs) -> None:
    stay_ids = _stay_ids(client)
    if not stay_ids:
        return
    db.session.execute(update(RollCallEntry).where(RollCallEntry.stay_id.in_(stay_ids),
                                                   RollCallEntry.note.is_not(None))
                       .values(note=REMOVED).execution_options(synchronize_session=False))
    involved = select(IncidentStay.incident_id).where(IncidentStay.stay_id.in_(stay_ids))
    db.session.execute(update(Incident).where(Incident.id.in_(involved))
                       .values(description=REMOVED, action_taken=None)
                       .execution_options(synchronize_session=False))


def export_sections(client, **_kwargs) -> dict:
    stay_ids = _stay_ids(client) or [-1]
    entries = db.session.execute(
        select(RollCall.date, RollCall.session, RollCallEntry.version, RollCallEntry.stay_id,
               RollCallEntry.status, RollCallEntry.note)
        .join(RollCall, RollCall.id == RollCallEntry.rollcall_id)
        .where(RollCallEntry.stay_id.in_(stay_ids))
        .order_by(RollCall.date, RollCall.session, RollCallEntry.version))
    incidents = db.session.scalars(
        select(Incident).join(IncidentStay, IncidentStay.incident_id == Incident.id)
        .where(IncidentStay.stay_id.in_(stay_ids)).order_by(Incident.occurred_at))
    return {
        "rollcall_entries": [{"date": d.isoformat(), "session": session, "version": version,
                              "stay_id": stay_id, "status": status, "note": note}
                             for d, session, version, stay_id, status, note in entries],
        "incidents": [{"id": i.id, "occurred_at": iso(i.occurred_at), "kind": i.kind,
                       "severity": i.severity, "description": i.description,
                       "action_taken": i.action_taken,
                       "stay_ids": [s for s in i.stay_ids if s in stay_ids]}
                      for i in incidents],
    }
