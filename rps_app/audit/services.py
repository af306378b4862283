"""The single mechanism every service uses to write the audit log."""
import copy
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import func, select

from .. import clock, page_cache
from ..actor import Actor  # noqa: F401  (re-exported: services import it from here)
from ..extensions import db
from ..transaction import after_read, before_finish
from ..transaction import keep_on_failure as _keep
from .models import AuditEntry


def record(actor: Actor | None, action: str, entity: str, entity_id=None,
           detail: dict | None = None, keep_on_failure: bool = False) -> AuditEntry:
    """Add an audit entry to the unit of work.

    keep_on_failure: the entry is written even when the request fails and rolls back
    (refused logins, denied access, reads of a client record that then failed).
    In a read transaction (a GET) the entry is written after it, in a write transaction
    of its own (transaction.after_read).
    """
    if page_cache.remembering():  # a page kept by the cache makes this call again
        page_cache.remember(_record, action, entity, entity_id, copy.deepcopy(detail),
                            keep_on_failure)
    return _record(actor, action, entity, entity_id, detail, keep_on_failure)


def _record(actor: Actor | None, action: str, entity: str, entity_id, detail: dict | None,
            keep_on_failure: bool) -> AuditEntry:
    def make() -> AuditEntry:
        return AuditEntry(
            at=clock.now(),
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else None,
            ip=actor.ip if actor else None,
            action=action, entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail,
        )
    entry = make()
    if after_read(make, keep_on_failure):
        return entry
    db.session.add(entry)
    if keep_on_failure:
        _keep(make)
    return entry


def query(entity: str | None = None, entity_id=None, since: datetime | None = None,
          username: str | None = None, action: str | None = None):
    """A select of audit entries, newest first, filtered."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None and entity_id != "":
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if username:
        stmt = stmt.where(AuditEntry.username == username)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return stmt


def newest_id() -> int | None:
    """The newest entry's id (the audit page's cache key: its rows do not change the data
    version). An entry that commits after a newer one is seen within the page cache's
    minute."""
    return db.session.scalar(select(func.max(AuditEntry.id)))


def entity_names() -> list[str]:
    """The entities named in the log, sorted: a skip scan of the (entity, entity_id) index
    (one probe per entity) instead of DISTINCT, which reads the whole log."""
    step = select(func.min(AuditEntry.entity).label("entity")).cte("entities", recursive=True)
    step = step.union_all(
        select(select(func.min(AuditEntry.entity)).where(AuditEntry.entity > step.c.entity)
               .scalar_subquery()).where(step.c.entity.is_not(None)))
    return list(db.session.scalars(select(step.c.entity).where(step.c.entity.is_not(None))
                                   .order_by(step.c.entity)))


def counted(stmt, cap: int) -> int:
    """The rows of `stmt`, counted up to `cap` + 1 (a page says "more than cap" beyond)."""
    return db.session.scalar(select(func.count()).select_from(
        stmt.order_by(None).with_only_columns(AuditEntry.id).limit(cap + 1).subquery()))


# Entities whose audit details never hold a client's personal data. Every other entity
# (client, stay, intake, letter, note, visit, incident, ... and any added later) is treated
# as personal: deny by default.
NON_PERSONAL_ENTITIES = frozenset({"user", "room", "bed", "institution", "letter_settings",
                                   "report_run", "database", "setting", "request",
                                   "stock_item", "roster_assignment", "roster_post",
                                   "staff"})
MASK = "•••"


def masked_detail(entity: str, detail):
    """The detail as a role that does not read client records may see it: for a personal
    entity, the keys stay (what changed) and every value is masked (UU 27/2022)."""
    if entity in NON_PERSONAL_ENTITIES or not detail:
        return detail
    if isinstance(detail, dict):
        return {key: MASK for key in detail}
    return MASK


def note_shown(actor: Actor | None, part: str, client_ids) -> None:
    """Record that `part` (a page, list or report) showed these clients' names: one audit
    entry (action "read", entity "client_list") per request and part, with the ids, written
    with the request (kept even when it fails). Outside a request it is written at once."""
    ids = {int(i) for i in client_ids if i is not None}
    if not ids:
        return
    if page_cache.remembering():
        page_cache.remember(note_shown, part, sorted(ids))
    if not has_request_context():
        _record_shown(actor, part, ids)
        return
    shown = g.setdefault("clients_shown", {})
    if not shown:
        before_finish(lambda: [_record_shown(actor, name, found)
                               for name, found in g.pop("clients_shown", {}).items()])
    shown.setdefault(part, set()).update(ids)


def _record_shown(actor: Actor | None, part: str, ids: set[int]) -> None:
    _record(actor, "read", "client_list", None, {"shown_in": part, "client_ids": sorted(ids)},
            keep_on_failure=True)
