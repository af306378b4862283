"""Incidents: what went wrong, who was involved (by stay), what was done. A high one stays
on the head's dashboard until acknowledged; the monthly report counts them by kind."""
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import batch, clock
from ..audit import services as audit
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..fields import FieldErrors, iso
from ..reads import Query, rows
from ..stays.models import Stay
from ..stays.scope import page_stays, per_page
from .models import INCIDENT_KINDS, SEVERITIES, Incident, IncidentStay
from .vocabulary import KIND_LABELS, SEVERITY_LABELS

MAX_STAYS = 50


def record(actor, data: dict) -> Incident:
    """POST /incidents {occurred_at, kind, severity, stay_ids, description, action_taken?}."""
    if not isinstance(data, dict):
        raise ValidationError("Data kejadian harus berupa objek.")
    errors = FieldErrors()
    occurred_at = errors.moment(data, "occurred_at", required=True, label="Waktu kejadian")
    if occurred_at is not None and occurred_at > clock.now() + timedelta(minutes=5):
        errors.add("occurred_at", "Waktu kejadian tidak boleh di masa depan.")
    kind = errors.choice(data, "kind", INCIDENT_KINDS, label="Jenis kejadian")
    severity = errors.choice(data, "severity", SEVERITIES, label="Tingkat keparahan")
    description = errors.text(data, "description", 4000, required=True, label="Uraian")
    action_taken = errors.text(data, "action_taken", 4000, label="Tindakan")
    stay_ids = _check_stay_ids(data.get("stay_ids"), errors)
    if errors:
        raise ValidationError("Data kejadian tidak valid.", errors.fields)
    incident = Incident(occurred_at=occurred_at, kind=kind, severity=severity,
                        description=description, action_taken=action_taken,
                        reported_by_id=actor.user_id, created_at=clock.now())
    db.session.add(incident)
    for stay_id in stay_ids:
        incident.stays.append(IncidentStay(stay_id=stay_id))
    db.session.flush()
    audit.record(actor, "create", "incident", incident.id,
                 {"kind": kind, "severity": severity, "stay_ids": stay_ids})
    return incident


def _check_stay_ids(value, errors: FieldErrors) -> list[int]:
    if value is None:
        return []
    if (not isinstance(value, list) or len(value) > MAX_STAYS
            or any(isinstance(i, bool) or not isinstance(i, int) for i in value)):
        errors.add("stay_ids", f"Harus berupa daftar ID stay (paling banyak {MAX_STAYS}).")
        return []
    ids = sorted(set(value))
    known = set(db.session.scalars(select(Stay.id).where(Stay.id.in_(ids)))) if ids else set()
    unknown = [i for i in ids if i not in known]
    if unknown:
        errors.add("stay_ids", "Stay tidak ditemukan: " + ", ".join(map(str, unknown)) + ".")
    return ids


def acknowledge(actor, incident_id: int) -> Incident:
    incident = db.session.scalar(select(Incident).where(Incident.id == incident_id)
                                 .with_for_update())
    if incident is None:
        raise NotFound("Kejadian tidak ditemukan.")
    if incident.acknowledged_at is not None:
        raise Conflict("Kejadian ini sudah ditindaklanjuti.", code="already_acknowledged")
    incident.acknowledged_at, incident.acknowledged_by_id = clock.now(), actor.user_id
    db.session.flush()
    audit.record(actor, "acknowledge", "incident", incident.id, {"severity": incident.severity})
    return incident


def incident_json(incident: Incident) -> dict:
    return {"id": incident.id, "occurred_at": iso(incident.occurred_at), "kind": incident.kind,
            "severity": incident.severity, "stay_ids": incident.stay_ids,
            "description": incident.description, "action_taken": incident.action_taken,
            "acknowledged_at": iso(incident.acknowledged_at),
            "acknowledged_by_id": incident.acknowledged_by_id}


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), clock.local_zone())


def between(start: date | None, end: date | None, limit: int = 500) -> list[Incident]:
    stmt = (select(Incident).options(selectinload(Incident.stays))
            .order_by(Incident.occurred_at.desc(), Incident.id.desc()))
    if start is not None:
        stmt = stmt.where(Incident.occurred_at >= _local_start(start))
    if end is not None:
        stmt = stmt.where(Incident.occurred_at < _local_start(end + timedelta(days=1)))
    return list(db.session.scalars(stmt.limit(limit)))


UNACKNOWLEDGED_HIGH = Query("incidents_unacknowledged_high", lambda param: rows(
    select(Incident.id, Incident.kind, Incident.occurred_at, Incident.description)
    .where(Incident.severity == "high", Incident.acknowledged_at.is_(None)),
    order_by=(Incident.occurred_at.desc(), Incident.id.desc())))


def unacknowledged_high(reads):
    """Asks `reads` (rps_app.reads) for the high incidents not acknowledged, newest first:
    rows of id, kind, occurred_at and description."""
    return reads.ask(UNACKNOWLEDGED_HIGH)


NEWEST_FIRST = (Incident.occurred_at.desc(), Incident.id.desc())


def page_reads(page: str) -> dict:
    """A page's read (a batch part over scope.page_stays(page)): the incidents that name
    one of its stays, newest first."""
    named = select(IncidentStay.incident_id).where(IncidentStay.stay_id.in_(page_stays(page)))
    return {"incidents": batch.Part(select(*Incident.__table__.c).where(Incident.id.in_(named)),
                                    NEWEST_FIRST)}


client_reads, stay_reads = per_page(page_reads)


def count_by_kind(start: date, end: date) -> Counter:
    rows = db.session.execute(
        select(Incident.kind, func.count()).where(
            Incident.occurred_at >= _local_start(start),
            Incident.occurred_at < _local_start(end + timedelta(days=1)))
        .group_by(Incident.kind)).all()
    return Counter(dict(rows))


def report_section(kind, start: date, end: date, **_ignored) -> list[dict] | None:
    """signals.report_collecting: the monthly report's table of incidents by kind."""
    if kind != "monthly":
        return None
    tally = count_by_kind(start, end)
    rows = [[KIND_LABELS[k], str(tally[k])] for k in INCIDENT_KINDS if tally.get(k)]
    if rows:
        rows.append(["Jumlah", str(sum(tally.values()))])
    return [{"title": "Kejadian menurut Jenis", "header": ["Jenis kejadian", "Jumlah"],
             "rows": rows, "widths": [10, 3], "numeric": [1],
             "empty": "Tidak ada kejadian tercatat pada periode ini.", "order": 30}]
