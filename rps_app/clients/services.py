"""Client records: search, reading (always audited), identity changes and photos.

Registration (numbers, rows made at intake) is `clients.registration`; this module serves
the record once it exists. Every read of a client record writes an audit entry `read`,
kept even when the request then fails: the access log must tell what may have leaked
(UU 27/2022).
"""
import os
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import (String, and_, bindparam, column, or_, select, table, union,
                        union_all)

from .. import clock
from ..audit import services as audit
from ..errors import Conflict, NotFound, ValidationError, found
from ..extensions import db
from ..fields import FieldErrors
from ..files import private_dir, write_private
from ..signals import (client_list_filtering, identity_changing, merged_client_facts,
                       values_from)
from . import registration
from .models import Client
from .nik import validate_nik

SEARCH_LIMIT = 50


# --- search ---------------------------------------------------------------------------

SUBSTRING_MIN = 3  # a name is searched inside from three characters (one trigram) on
STATUSES = ("in", "out")  # in residence (an open stay) / exited


def _like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _typed(text: str):
    """What the officer typed, written into the statement as an escaped literal rather than
    a parameter: PostgreSQL plans a statement run often (psycopg prepares it) once for any
    value, and that plan of a search by pattern with "newest fifty" walked the whole table
    backwards for a rare name (3 -> 15 ms); with the value in sight it uses the index."""
    return bindparam(None, text, type_=String(), literal_execute=True)


def _prefix(column, prefix: str):
    """`column` starts with `prefix`: a range on the column's B-tree, then the exact test."""
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= _typed(prefix), column < _typed(following),
                column.like(_typed(_like(prefix) + "%"), escape="\\"))


def _name_matches(q: str):
    """A condition: the client's name (or alias) holds `q` (from SUBSTRING_MIN characters;
    a shorter q: the name starts with it), case-insensitive, through an index:
    PostgreSQL's trigram GIN index, SQLite's FTS5 trigram table (migration 0010) or, for
    a short q, the name's B-tree."""
    if db.session.get_bind().dialect.name == "postgresql":
        pattern = _like(q) + "%" if len(q) < SUBSTRING_MIN else "%" + _like(q) + "%"
        return Client.name.ilike(_typed(pattern), escape="\\")
    if len(q) < SUBSTRING_MIN:
        return or_(_prefix(Client.name, q[:1].upper() + q[1:]), _prefix(Client.name, q))
    fts = table("clients_fts", column("rowid"), column("clients_fts"))
    phrase = '"' + q.replace('"', '""') + '"'  # one phrase: the trigrams in a row
    return Client.id.in_(select(fts.c.rowid).where(fts.c.clients_fts.op("MATCH")(phrase)))


def _match_conditions(q: str) -> list:
    """The ways a client matches `q`, each through its own index: name or alias (see
    _name_matches), NIK or registration number by prefix (their B-trees)."""
    return [_name_matches(q), _prefix(Client.nik, q),
            _prefix(Client.registration_number, q.upper())]


def search_query(q: str | None, sex: str | None = None, status: str | None = None,
                 room_id: int | None = None, *, limit: int | None = None,
                 after: int | None = None, before: int | None = None,
                 newest_each: bool = False):
    """A select of clients by name/alias, NIK or registration number, case-insensitive,
    and the list's filters (sex; in residence or exited and room, which stays answers:
    signals.client_list_filtering); newest first by the primary key, which keyset pages
    follow (`after`: older than that id; `before`: newer, oldest first). A record merged
    into another is a pointer only: found through the other.

    `newest_each` (with q and `limit`): each way of matching gives only its `limit` newest
    matches, read from its index alone, and the filters apply to those (find_clients)."""
    keep = [Client.merged_into_id.is_(None)]
    if sex:
        keep.append(Client.sex == sex)
    if status or room_id is not None:
        for ids, wanted in values_from(client_list_filtering, status=status, room_id=room_id):
            keep.append(Client.id.in_(ids) if wanted else Client.id.not_in(ids))
    paging = ([Client.id < after] if after is not None else []) + (
        [Client.id > before] if before is not None else [])
    order = Client.id.asc() if before is not None else Client.id.desc()
    stmt = select(Client).where(*keep, *paging).order_by(order).limit(limit)
    q = (q or "").strip()
    if not q:
        return stmt
    if newest_each and limit is not None:
        matches = union_all(*(select(part.c.id) for part in (
            select(Client.id).where(condition, *paging).order_by(order).limit(limit).subquery()
            for condition in _match_conditions(q))))
    else:
        matches = union(*(select(Client.id).where(condition) for condition in _match_conditions(q)))
    return stmt.where(Client.id.in_(matches))


def find_clients(q: str | None, sex: str | None = None, status: str | None = None,
                 room_id: int | None = None, *, limit: int, after: int | None = None,
                 before: int | None = None) -> list[Client]:
    """search_query's first `limit` clients. A search without filters first reads only
    each way of matching's `limit` newest matches (newest_each): a query that matches a
    third of the register (a NIK's regency code, two letters of a name) then costs about
    what a rare one does, instead of collecting every match to keep fifty. When merged
    records among those leave the page short, the whole search runs."""
    if q and q.strip() and not (sex or status or room_id is not None):
        found_clients = list(db.session.scalars(search_query(
            q, limit=limit, after=after, before=before, newest_each=True)))
        if len(found_clients) == limit:
            return found_clients
    return list(db.session.scalars(search_query(q, sex, status, room_id, limit=limit,
                                                after=after, before=before)))


def search(q: str | None, limit: int = SEARCH_LIMIT) -> list[tuple[Client, int | None]]:
    """Up to `limit` matches as (client, active stay id); empty q gives the latest."""
    return with_active_stays(find_clients(q, limit=limit))


def with_active_stays(found_clients: list[Client]) -> list[tuple[Client, int | None]]:
    """(client, open stay id or None) for each client: the stay is a fact stays adds
    (signals.client_facts), one query for the whole list."""
    facts = merged_client_facts([client.id for client in found_clients])
    return [(client, facts[client.id].get("active_stay_id")) for client in found_clients]


def page_after(find, per_page: int, after: int | None = None, before: int | None = None):
    """Keyset pagination on Client.id (newest first) of `find(limit=, after=, before=)`
    (find_clients with its search and filters): the clients after id `after` (older) or,
    going back, before id `before` (newer). Returns (clients, older, newer): the ids to
    page on from here, or None at either end."""
    if before is not None:
        found_clients = find(limit=per_page + 1, before=before)
        newer = found_clients[per_page - 1].id if len(found_clients) > per_page else None
        found_clients = list(reversed(found_clients[:per_page]))
        return found_clients, found_clients[-1].id if found_clients else None, newer
    found_clients = find(limit=per_page + 1, after=after)
    older = found_clients[per_page - 1].id if len(found_clients) > per_page else None
    found_clients = found_clients[:per_page]
    newer = found_clients[0].id if found_clients and after is not None else None
    return found_clients, older, newer


def record_search(actor, client_ids: list[int]) -> None:
    """A search shows names of many clients: log which (ids, never the query text)."""
    audit.record(actor, "search", "client", None, {"client_ids": client_ids},
                 keep_on_failure=True)


# --- reading --------------------------------------------------------------------------

def find_client(client_id: int) -> Client:
    """The client, without an audit entry: for services that then change it."""
    return found(db.session.get(Client, client_id), "Klien tidak ditemukan.")


def get_client(actor, client_id: int, part: str | None = None) -> Client:
    """Read a client record; audited as `read`. What other domains hold about the client
    (stays, letters) they show themselves: page sections, signals.client_record."""
    client = find_client(client_id)
    audit.record(actor, "read", "client", client.id, {"part": part} if part else None,
                 keep_on_failure=True)
    return client


def active_stay_id(client: Client) -> int | None:
    """The client's open stay, if any (signals.client_facts)."""
    return with_active_stays([client])[0][1]


# --- identity -------------------------------------------------------------------------

IDENTITY_FIELDS = ("name", "identity_known", "nik", "sex", "birth_date", "estimated_age",
                   "birth_place", "origin_regency", "origin_address", "pmks_category",
                   "description", "guardian")
LABELS = {"name": "Nama", "identity_known": "Identitas diketahui", "sex": "Jenis kelamin",
          "birth_date": "Tanggal lahir", "estimated_age": "Perkiraan umur",
          "pmks_category": "Kategori PMKS", "nik": "NIK"}


def _parse_identity(changes: dict) -> tuple[dict, FieldErrors]:
    """The given fields, converted; problems under their field (Indonesian)."""
    errors = FieldErrors()
    for name in sorted(set(changes) - set(IDENTITY_FIELDS)):
        errors.add(name, "Isian tidak dikenal.")
    new: dict = {}
    for name in set(changes) & set(IDENTITY_FIELDS):
        label = LABELS.get(name)
        if name == "name":
            new[name] = errors.text(changes, name, 120, required=True, label=label)
        elif name in registration.TEXT_FIELDS:
            new[name] = errors.text(changes, name, registration.TEXT_FIELDS[name])
        elif name == "identity_known":
            new[name] = errors.boolean(changes, name, label=label)
        elif name == "nik":
            value = changes[name]
            new[name] = (value.strip() if isinstance(value, str) else value) or None
        elif name == "sex":
            new[name] = errors.choice(changes, name, registration.SEXES, label=label)
        elif name == "birth_date":
            new[name] = errors.date(changes, name, label=label)
        elif name == "estimated_age":
            new[name] = errors.integer(changes, name, 0, 130, label=label)
        elif name == "pmks_category":
            new[name] = errors.integer(changes, name, 1, 26, required=True, label=label)
    return new, errors


def _check_age(client: Client, new: dict, errors: FieldErrors) -> None:
    """The record after the change still knows an age, and not one from the future."""
    birth_date = new.get("birth_date", client.birth_date)
    estimated_age = new.get("estimated_age", client.estimated_age)
    if birth_date is None and estimated_age is None:
        errors.add("birth_date", "Isi tanggal lahir atau perkiraan umur.")
    if birth_date is not None and birth_date > clock.local_today():
        errors.add("birth_date", "Tanggal lahir tidak boleh di masa depan.")


def _check_nik(client: Client, new: dict) -> None:
    """A changed NIK (or a sex or birth date it must agree with) is checked again, and may
    not belong to another client."""
    nik = new.get("nik", client.nik)
    if not nik or not ({"nik", "sex", "birth_date"} & set(new)):
        return
    validate_nik(nik, new.get("sex", client.sex), new.get("birth_date", client.birth_date))
    if nik != client.nik:
        registration.lock_nik_registry()
        owner = registration.nik_owner(nik, exclude_client_id=client.id)
        if owner is not None:
            message = f"NIK ini sudah terdaftar atas klien {owner.registration_number}."
            raise Conflict(message, {"nik": message}, code="nik_in_use")


def _audit_value(value):
    return value.isoformat() if isinstance(value, date) else value


def update_identity(actor, client_id: int, changes: dict) -> dict:
    """Change identity fields (e.g. NIK confirmed by Disdukcapil). Only the fields given are
    touched; the audit entry names each changed field with [old, new]. Returns that dict."""
    client = find_client(client_id)
    new, errors = _parse_identity(changes)
    if not errors:
        _check_age(client, new, errors)
    if errors:
        raise ValidationError("Data identitas tidak valid.", errors.fields)
    _check_nik(client, new)
    if "birth_date" in new and new["birth_date"] is not None:
        new.setdefault("estimated_age", None)  # a known birth date replaces the estimate
    if new.get("estimated_age") is not None and new["estimated_age"] != client.estimated_age:
        new["age_estimated_on"] = clock.local_today()
    diff = {name: [_audit_value(getattr(client, name)), _audit_value(value)]
            for name, value in new.items() if getattr(client, name) != value}
    if not diff:
        return {}
    for name in diff:
        setattr(client, name, new[name])
    client.updated_at = clock.now()
    db.session.flush()
    # Placement (stays) checks that a placed client still fits their room after a change of
    # sex or age (rules 1 and 3); a refusal rolls the whole request back.
    identity_changing.send(client, changed=set(diff))
    audit.record(actor, "update", "client", client.id, diff)
    return diff


# --- photos ---------------------------------------------------------------------------

# Recognised by their first bytes, never by the file name or the browser's content type.
PHOTO_TYPES = ((b"\xff\xd8\xff", "jpg", "image/jpeg"),
               (b"\x89PNG\r\n\x1a\n", "png", "image/png"))


def photo_kind(data: bytes, field: str = "photo") -> str:
    """The extension of a valid photo (jpg or png); ValidationError naming `field` if not."""
    limit = current_app.config["RPS_UPLOAD_MAX_BYTES"]
    if not data:
        raise ValidationError("Foto kosong.", {field: "Berkas foto kosong."})
    if len(data) > limit:
        megabytes = limit / (1024 * 1024)
        raise ValidationError("Foto terlalu besar.",
                              {field: f"Foto terlalu besar (maks. {megabytes:g} MB)."})
    for magic, extension, _mime in PHOTO_TYPES:
        if data.startswith(magic):
            return extension
    raise ValidationError("Foto harus berupa JPEG atau PNG.",
                          {field: "Foto harus berupa berkas JPEG atau PNG."})


def photo_mimetype(path: str) -> str:
    extension = path.rsplit(".", 1)[-1]
    return next(mime for _magic, ext, mime in PHOTO_TYPES if ext == extension)


def _photo_root() -> str:
    return os.path.join(current_app.instance_path, "uploads", "clients")


def save_photo(actor, client_id: int, data: bytes, field: str = "photo") -> str:
    """Store a client's photo under the instance folder (never a static URL) and point the
    record at it. Earlier photos stay on disk: the record's history keeps them."""
    extension = photo_kind(data, field)
    client = find_client(client_id)
    relative = os.path.join("uploads", "clients", str(client.id),
                            f"{secrets.token_hex(16)}.{extension}")
    folder = os.path.join(_photo_root(), str(client.id))
    private_dir(folder)
    write_private(os.path.join(current_app.instance_path, relative), data, exclusive=True)
    old = client.photo_path
    client.photo_path = relative
    client.updated_at = clock.now()
    db.session.flush()
    audit.record(actor, "update", "client", client.id, {"photo_path": [old, relative]})
    return relative


def photo_file(actor, client_id: int) -> str:
    """The absolute path of the client's current photo (audited as a read of the record)."""
    client = find_client(client_id)
    if not client.photo_path:
        raise NotFound("Klien ini belum punya foto.")
    path = os.path.realpath(os.path.join(current_app.instance_path, client.photo_path))
    if not path.startswith(os.path.realpath(_photo_root()) + os.sep) or not os.path.isfile(path):
        raise NotFound("Berkas foto tidak ditemukan.")
    audit.record(actor, "read", "client", client.id, {"part": "photo"}, keep_on_failure=True)
    return path
