"""The head's data-quality page: records that need fixing, each with where to fix it.

Every list reads a bounded window (recent stays, open stays: the beds) and at most LIMIT
rows, newest first, so the page costs the same whatever the length of the history.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from .. import clock
from ..clients.models import Client
from ..extensions import db
from ..referrals.models import EXIT_LETTER_KINDS, Letter
from ..stays.models import LETTER_EXIT_TYPES, BedAssignment, Stay
from .models import Assessment, NikNote

WINDOW_DAYS = 90
LIMIT = 100


@dataclass
class Issue:
    client_id: int
    name: str
    registration_number: str
    stay_id: int | None = None
    when: object = None        # a datetime or date shown beside the row


@dataclass
class Check:
    key: str
    title: object              # lazy text
    fix: object                   # what to do, shown above the list
    issues: list[Issue] = field(default_factory=list)


def _stay_rows(*where, oldest_first: bool = False) -> list[Issue]:
    """The first LIMIT stays meeting `where`, newest entry first (or oldest), with their
    client: the stays are taken first and the client of each then looked up by key (a
    join would let PostgreSQL hash the whole clients table for a hundred rows)."""
    order = ((Stay.entered_at, Stay.id) if oldest_first
             else (Stay.entered_at.desc(), Stay.id.desc()))
    stays = (select(Stay.id, Stay.entered_at, Stay.client_id).where(*where)
             .order_by(*order).limit(LIMIT).subquery("s"))
    stmt = (select(stays.c.id, stays.c.entered_at, Client.id, Client.name,
                   Client.registration_number)
            .join(Client, Client.id == stays.c.client_id))
    rows = sorted(db.session.execute(stmt), key=lambda r: (r[1], r[0]),
                  reverse=not oldest_first)
    return [Issue(cid, name, number, sid, entered) for sid, entered, cid, name, number in rows]


def _likely(condition):
    """The condition, marked for SQLite's planner as true of most rows. Most clients have
    no NIK, yet SQLite takes `nik IS NULL` for a lookup of one key of ix_clients_nik and
    would then read and sort them all; marked, it walks ix_clients_missing_nik (the partial
    index of exactly these clients, newest first) and stops at LIMIT. PostgreSQL knows
    from its statistics."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.likely(condition)
    return condition


def checks() -> list[Check]:
    now = clock.now()
    since = clock.local_today() - timedelta(days=WINDOW_DAYS)
    open_bed = exists().where(BedAssignment.stay_id == Stay.id, BedAssignment.end_at.is_(None))
    assessed = exists().where(Assessment.stay_id == Stay.id)
    exit_letter = exists().where(Letter.stay_id == Stay.id, Letter.status == "valid",
                                 Letter.kind.in_(EXIT_LETTER_KINDS))
    noted = exists().where(NikNote.client_id == Client.id)
    no_nik = db.session.execute(
        select(Client.id, Client.name, Client.registration_number, Client.created_at)
        .where(_likely(Client.nik.is_(None)), Client.merged_into_id.is_(None), ~noted)
        .order_by(Client.created_at.desc(), Client.id.desc()).limit(LIMIT))
    return [
        Check("unplaced", _l("Data tinggal terbuka tanpa tempat tidur lebih dari sehari"),
              _l("Tempatkan klien di tempat tidur (halaman data tinggal)."),
              _stay_rows(Stay.exited_at.is_(None), ~open_bed,
                         Stay.entered_at < now - timedelta(days=1), oldest_first=True)),
        Check("no_nik", _l("Klien tanpa NIK dan tanpa catatan alasannya"),
              _l("Isi NIK pada identitas klien, atau catat mengapa NIK belum ada."),
              [Issue(cid, name, number, None, created) for cid, name, number, created in no_nik]),
        Check("no_assessment", _l("Data tinggal tanpa asesmen"),
              _l("Isi asesmen sosial pada halaman data tinggal."),
              _stay_rows(~assessed, Stay.entry_date >= since,
                         Stay.entered_at < now - timedelta(hours=24))),
        Check("same_day_exit", _l("Keluar pada hari yang sama dengan masuk"),
              _l("Periksa waktu masuk dan waktu keluar; bila salah, catat koreksinya."),
              _stay_rows(Stay.exit_date == Stay.entry_date, Stay.entry_date >= since)),
        Check("missing_letter", _l("Keluar tanpa surat padahal surat diperlukan"),
              _l("Terbitkan surat rujukan / berita acara dari halaman data tinggal."),
              _stay_rows(Stay.exit_type.in_(LETTER_EXIT_TYPES), ~exit_letter,
                         Stay.exit_date >= since)),
    ]
