"""Client records without HTTP: search, audited reads, identity changes, photos."""
import os
from datetime import date

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.clients import services
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.stays import services as stays

from .stays_support import ACTOR, NOW, admit, client_row, make_nik, refused

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen(ctx):
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def entries(action: str, entity_id=None) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity == "client")
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


# --- search ---------------------------------------------------------------------------

def test_search_by_name_nik_and_registration_number_ignoring_case():
    nik = make_nik("P", date(1975, 2, 3), serial=7)
    first, second = admit(client_row("Sutrisno"), client_row("Warsini", sex="P", nik=nik,
                                                             birth_date="1975-02-03", age=None))
    db.session.commit()

    def found(q):
        return [client.name for client, _stay in services.search(q)]

    assert found("sutris") == ["Sutrisno"]
    assert found("WARS") == ["Warsini"]
    assert found(nik[:10]) == ["Warsini"]
    assert found(first.client.registration_number.lower()) == ["Sutrisno"]
    assert found("tidak-ada") == []
    # LIKE wildcards typed by the officer are text, not patterns.
    assert found("%") == [] and found("_") == []
    # The typed text is written into the statement (clients.services._typed): quotes and
    # backslashes stay text too.
    assert found("o'brien") == [] and found("sutris'") == [] and found("sut\\") == []
    assert found("'; DROP TABLE clients; --") == [] and found("Sutrisno") == ["Sutrisno"]


def test_search_gives_the_open_stay_and_empty_query_the_latest_fifty():
    (stay,) = admit(client_row("Karto"))
    stays.exit_stay(ACTOR, stay.id, {"exit_type": "absconded"})
    (again,) = admit(client_row("Painem", sex="P"))
    rows = dict((client.name, stay_id) for client, stay_id in services.search(""))
    assert rows == {"Karto": None, "Painem": again.id}

    admit(*[client_row(f"Klien {i}") for i in range(55)])
    latest = services.search(None)
    assert len(latest) == services.SEARCH_LIMIT
    assert "Karto" not in [client.name for client, _ in latest]  # the oldest fall off


def test_each_page_of_a_common_search_is_the_newest_of_all_its_matches():
    """find_clients reads each way of matching's newest few only: the page must still be
    the newest matches of all (merged records left out, filters applied), page by page."""
    from .factories import make_client
    people = []
    for i in range(40):
        # Names, NIKs and registration numbers match "su"/"3328"/"RPS-2026" in mixed
        # order of ids, so that each way's newest differ.
        people.append(make_client(name=("Sutrisno" if i % 3 else "Warsini") + f" {i}",
                                  nik=f"3328{i:012d}" if i % 4 else f"3301{i:012d}",
                                  sex="L" if i % 2 else "P",
                                  registration_number=f"RPS-{2026 - i % 2}-{i:05d}"))
    for merged in people[-9::4]:
        merged.merged_into_id = people[0].id
    db.session.commit()

    def everything(q, **filters):
        return [c.id for c in db.session.scalars(services.search_query(q, **filters))]

    for q, filters in (("su", {}), ("3328", {}), ("RPS-2026", {}), ("war", {}),
                       ("su", {"sex": "P"}), ("tidak-ada", {})):
        expected = everything(q, **filters)
        assert expected == sorted(expected, reverse=True)
        pages, after = [], None
        while True:
            page, older, _newer = services.page_after(
                lambda **kw: services.find_clients(q, **filters, **kw), 4, after=after)
            pages.extend(c.id for c in page)
            if older is None:
                break
            after = older
        assert pages == expected, (q, filters)
        # Going back from the last page gives the same pages.
        if len(expected) > 4:
            back, _older, _newer = services.page_after(
                lambda **kw: services.find_clients(q, **filters, **kw), 4,
                before=expected[-1])
            assert [c.id for c in back] == expected[-5:-1]
    assert len(everything("su")) > 8 and 0 < len(everything("su", sex="P")) < len(everything("su"))


# --- reading --------------------------------------------------------------------------

def test_every_read_of_a_client_record_is_audited():
    (stay,) = admit(client_row("Slamet"))
    client_id = stay.client_id
    assert entries("read") == []
    record = services.get_client(ACTOR, client_id)
    services.get_client(ACTOR, client_id, part="stay")
    assert record.name == "Slamet" and [s.id for s in record.stays] == [stay.id]
    reads = entries("read", client_id)
    assert len(reads) == 2
    assert reads[0].username == ACTOR.username and reads[1].detail == {"part": "stay"}


def test_reading_an_unknown_client_is_not_found():
    assert refused(services.get_client, ACTOR, 9999).status == 404


# --- identity -------------------------------------------------------------------------

def test_identity_change_is_logged_field_by_field():
    (stay,) = admit(client_row("Mr X", age=45))
    client = stay.client
    nik = make_nik("L", date(1981, 4, 9), serial=12)
    changed = services.update_identity(ACTOR, client.id, {
        "name": "Kasdi", "identity_known": True, "nik": nik, "birth_date": "1981-04-09",
        "sex": "L", "origin_regency": "Brebes"})
    assert changed == {"name": ["Mr X", "Kasdi"], "identity_known": [False, True],
                       "nik": [None, nik], "birth_date": [None, "1981-04-09"],
                       "estimated_age": [45, None], "origin_regency": [None, "Brebes"]}
    (entry,) = entries("update", client.id)
    assert entry.detail == changed
    db.session.expire_all()
    client = db.session.get(Client, client.id)
    assert (client.name, client.nik, client.birth_date, client.estimated_age) == \
        ("Kasdi", nik, date(1981, 4, 9), None)
    # Saving the same values again changes and logs nothing.
    assert services.update_identity(ACTOR, client.id, {"name": "Kasdi", "nik": nik}) == {}
    assert len(entries("update", client.id)) == 1


def test_identity_change_checks_the_nik_and_its_owner():
    nik = make_nik("L", date(1970, 1, 1), serial=3)
    first, second = admit(client_row("Satu", nik=nik), client_row("Dua"))
    error = refused(services.update_identity, ACTOR, second.client_id, {"nik": "12345"})
    assert error.code == "invalid_nik" and "nik" in error.fields
    woman = make_nik("P", date(1970, 1, 1), serial=4)
    error = refused(services.update_identity, ACTOR, second.client_id, {"nik": woman})
    assert error.code == "invalid_nik"  # digits 7-8 say a woman; the client is a man
    error = refused(services.update_identity, ACTOR, second.client_id, {"nik": nik})
    assert error.status == 409 and error.code == "nik_in_use"
    assert first.client.registration_number in error.fields["nik"]
    assert entries("update") == []


def test_identity_change_refuses_bad_fields_and_keeps_an_age():
    (stay,) = admit(client_row("Tarmi", sex="P"))
    error = refused(services.update_identity, ACTOR, stay.client_id,
                    {"name": "  ", "estimated_age": "abc", "pmks_category": "27", "colour": "x"})
    assert set(error.fields) == {"name", "estimated_age", "pmks_category", "colour"}
    error = refused(services.update_identity, ACTOR, stay.client_id, {"estimated_age": None})
    assert "birth_date" in error.fields  # neither a birth date nor an estimate would be left


def test_sex_change_of_a_client_in_a_shelter_bed_waits_for_a_move():
    (stay,) = admit(client_row("Sainah", sex="P"))
    stays.place(ACTOR, stay.id)
    error = refused(services.update_identity, ACTOR, stay.client_id, {"sex": "L"})
    assert error.code == "sex_mismatch" and set(error.fields) == {"sex"}


def test_age_change_that_would_mix_a_minor_with_adults_waits_for_a_move():
    adult, other = admit(client_row("Sainem", sex="P", age=40), client_row("Tuminah", sex="P",
                                                                            age=35))
    first = stays.place(ACTOR, adult.id)
    stays.place(ACTOR, other.id, room_id=first.room_id)
    error = refused(services.update_identity, ACTOR, adult.client_id, {"estimated_age": "15"})
    assert error.code == "age_mix" and set(error.fields) == {"estimated_age"}
    # Alone in a room, the same correction is accepted: no rule is broken.
    (alone,) = admit(client_row("Darsih", sex="P", age=40))
    stays.place(ACTOR, alone.id, room_id=_empty_room(alone.client.sex))
    assert services.update_identity(ACTOR, alone.client_id, {"estimated_age": "15"})


def _empty_room(sex: str) -> int:
    from rps_app.facility.models import Room
    from rps_app.stays.models import BedAssignment
    busy = select(BedAssignment.room_id).where(BedAssignment.end_at.is_(None))
    return db.session.scalar(select(Room.id).where(Room.kind == "shelter", Room.sex == sex,
                                                   Room.id.not_in(busy)).order_by(Room.id))


# --- photos ---------------------------------------------------------------------------

def test_photo_is_stored_under_the_instance_folder(app):
    (stay,) = admit(client_row("Kasdi"))
    relative = services.save_photo(ACTOR, stay.client_id, PNG)
    assert relative.startswith(os.path.join("uploads", "clients", str(stay.client_id), ""))
    assert relative.endswith(".png")
    path = services.photo_file(ACTOR, stay.client_id)
    with open(path, "rb") as stored:
        assert path.startswith(app.instance_path) and stored.read() == PNG
    assert services.photo_mimetype(path) == "image/png"
    second = services.save_photo(ACTOR, stay.client_id, JPEG)
    assert second.endswith(".jpg") and second != relative
    assert entries("update", stay.client_id)[-1].detail == {"photo_path": [relative, second]}
    assert entries("read", stay.client_id)[-1].detail == {"part": "photo"}


def test_photo_of_the_wrong_type_or_size_is_refused(app):
    (stay,) = admit(client_row("Kasdi"))
    error = refused(services.save_photo, ACTOR, stay.client_id, GIF)
    assert "JPEG atau PNG" in error.fields["photo"]
    error = refused(services.save_photo, ACTOR, stay.client_id, b"")
    assert "photo" in error.fields
    app.config["RPS_UPLOAD_MAX_BYTES"] = 32
    error = refused(services.save_photo, ACTOR, stay.client_id, PNG)
    assert "terlalu besar" in error.fields["photo"]
    assert db.session.get(Client, stay.client_id).photo_path is None
    assert not os.path.exists(os.path.join(app.instance_path, "uploads", "clients",
                                           str(stay.client_id)))
    assert refused(services.photo_file, ACTOR, stay.client_id).status == 404
