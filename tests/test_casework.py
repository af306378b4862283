"""Case work: duplicate suggestions (a table of name pairs), the head's merge and its
refusal, the assessment deadline, case conferences, the data-quality page, permissions."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.casework import duplicates
from rps_app.casework.duplicates import Person
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.stays.models import Stay

from .conftest import api_token, csrf_token, login
from .stays_support import ACTOR, NOW, admit, client_row

# (a, b) that must be suggested as the same person (same sex, age within five years).
MUST_MATCH = [
    ("Paijo", "Paija"), ("Sutarno", "Sutarna"), ("Slamet", "Selamet"), ("Djoko", "Joko"),
    ("Tjipto Wibowo", "Cipto Wibowo"), ("Soekarno", "Sukarno"), ("Muhammad Ali", "Mohamad Ali"),
    ("Sutardjo", "Sutarjo"), ("Rukmini", "Rukmani"), ("SITI AMINAH", "Siti  Aminah"),
    ("Tarno bin Karto", "Tarno"), ("Njoto", "Nyoto"),
]
# Pairs that must not be suggested.
MUST_NOT_MATCH = [
    ("Budi Santoso", "Budi Hartono"), ("Siti Aminah", "Siti Fatimah"), ("Wati", "Wito"),
    ("Slamet", "Sumanto"), ("Paijo", "Parjo Sutrisno"), ("Agus", "Bagus"), ("Darto", "Warto"),
]


@pytest.mark.parametrize(("a", "b"), MUST_MATCH)
def test_names_that_must_match(a, b):
    assert duplicates.is_match(Person(a, "L", 40, "Tegal"), Person(b, "L", 43, "Kabupaten Tegal"))
    assert duplicates.is_match(Person(b, "L", 43, None), Person(a, "L", 40, "Brebes")) or \
        duplicates.name_similarity(a, b) >= 0.85


@pytest.mark.parametrize(("a", "b"), MUST_NOT_MATCH)
def test_names_that_must_not_match(a, b):
    assert not duplicates.is_match(Person(a, "L", 40, "Tegal"), Person(b, "L", 40, "Tegal"))


def test_sex_age_and_origin_weigh_in():
    base = Person("Sutarno", "L", 40, "Tegal")
    assert duplicates.is_match(base, Person("Sutarno", "L", 45, "Tegal"))        # 5 years
    assert not duplicates.is_match(base, Person("Sutarno", "L", 52, "Tegal"))    # 12 years
    assert not duplicates.is_match(base, Person("Sutarni", "P", 40, "Tegal"))    # sex
    assert not duplicates.is_match(base, Person("Sutarno", "P", 48, "Brebes"))   # all off
    assert duplicates.score(base, Person("Sutarno", "L", 40, "Tegal")) == 1.0


def _admit(*rows, at=NOW):
    clock.freeze(at)
    stays = admit(*rows)
    db.session.commit()
    return stays


def test_suggestions_at_intake_and_on_the_client_page(client, app):
    with app.app_context():
        [old] = _admit(client_row("Paijo", origin_regency="Tegal"))
        _admit(client_row("Budi Hartono"), at=NOW + timedelta(minutes=1))
        old_id = old.client_id
    headers = api_token(client, app, "petugas")
    found = client.post("/api/v1/clients/duplicates", headers=headers,
                        json={"name": "Paija", "sex": "L", "estimated_age": 42,
                              "origin_regency": "Kabupaten Tegal"}).get_json()
    assert [row["id"] for row in found] == [old_id]
    assert found[0]["active_stay_id"] is not None and found[0]["score"] >= 0.8
    none = client.post("/api/v1/clients/duplicates", headers=headers,
                       json={"name": "Budi Santoso", "sex": "L", "estimated_age": 40})
    assert none.get_json() == []
    bad = client.post("/api/v1/clients/duplicates", headers=headers, json={"sex": "X"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"name", "sex"}
    with app.app_context():  # the read of others' names is logged, never the typed name
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "search")))
        assert "Paija" not in str([e.detail for e in entries])
        assert [old_id] in [e.detail["client_ids"] for e in entries]

    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    page = client.post("/clients/duplicates.json", json={"name": "Paija", "sex": "L"},
                       headers={"X-CSRFToken": token})
    assert [row["id"] for row in page.get_json()] == [old_id]


def test_merge_moves_stays_and_leaves_a_pointer(client, app):
    with app.app_context():
        [first] = _admit(client_row("Sutarno", origin_regency="Tegal"))
        from rps_app.stays import services as stays
        stays.exit_stay(ACTOR, first.id, {"exit_type": "absconded"})
        db.session.commit()
        [second] = _admit(client_row("Sutarna", origin_regency="Tegal"),
                          at=NOW + timedelta(hours=2))
        dup_id, into_id, moved_stay = first.client_id, second.client_id, first.id
    staff = api_token(client, app, "petugas")
    assert client.post(f"/api/v1/clients/{dup_id}/merge", json={"into": into_id},
                       headers=staff).status_code == 403
    headers = api_token(client, app, "kepala")
    for body, field in (({}, "into"), ({"into": "x"}, "into"), ({"into": dup_id}, "into")):
        bad = client.post(f"/api/v1/clients/{dup_id}/merge", json=body, headers=headers)
        assert bad.status_code == 422 and list(bad.get_json()["error"]["fields"]) == [field]
    assert client.post(f"/api/v1/clients/{dup_id}/merge", json={"into": 9999},
                       headers=headers).status_code == 404

    merged = client.post(f"/api/v1/clients/{dup_id}/merge", json={"into": into_id},
                         headers=headers)
    assert merged.status_code == 200, merged.get_json()
    body = merged.get_json()
    assert body["id"] == into_id and moved_stay in [s["id"] for s in body["stays"]]
    with app.app_context():
        dup = db.session.get(Client, dup_id)
        assert dup.merged_into_id == into_id                     # kept, as a pointer
        assert db.session.get(Stay, moved_stay).client_id == into_id
        actions = {(e.action, e.entity_id) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "client"))}
        assert ("merge", str(dup_id)) in actions
        assert ("merge_in", str(into_id)) in actions
    listed = client.get("/api/v1/clients?q=Sutarn", headers=headers).get_json()
    assert [row["id"] for row in listed] == [into_id]           # hidden from search
    again = client.post(f"/api/v1/clients/{dup_id}/merge", json={"into": into_id},
                        headers=headers)
    assert again.status_code == 409


def test_merge_refused_when_both_are_in_the_shelter(client, app):
    with app.app_context():
        one, two = _admit(client_row("Paijo"), client_row("Paija"))
        ids = (one.client_id, two.client_id)
    headers = api_token(client, app, "kepala")
    refused = client.post(f"/api/v1/clients/{ids[0]}/merge", json={"into": ids[1]},
                          headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "already_in_shelter"
    with app.app_context():
        assert db.session.get(Client, ids[0]).merged_into_id is None


def test_assessment_deadline_and_conference(client, app):
    app.config["RPS_IDLE_MINUTES"] = 7 * 24 * 60  # the clock jumps hours between requests
    with app.app_context():
        [stay] = _admit(client_row("Darsono"))
        stay_id = stay.id
    clock.freeze(NOW + timedelta(hours=23))
    headers = api_token(client, app, "staf")
    login(client, app, "kepala")
    assert "Darsono" not in _dashboard_overdue(client)
    clock.freeze(NOW + timedelta(hours=24, minutes=1))
    assert "Darsono" in _dashboard_overdue(client)
    headers = api_token(client, app, "staf", username="staf-late")
    parts = {"situation": "Ditemukan tidur di terminal", "health": "Batuk",
             "family_origin": "Dari Brebes", "needs": "Makan, pakaian",
             "plan": "Penelusuran keluarga"}
    missing = client.put(f"/api/v1/stays/{stay_id}/assessment", headers=headers,
                         json={**parts, "plan": " "})
    assert missing.status_code == 422 and list(missing.get_json()["error"]["fields"]) == ["plan"]
    saved = client.put(f"/api/v1/stays/{stay_id}/assessment", headers=headers, json=parts)
    assert saved.status_code == 200 and saved.get_json()["plan"] == "Penelusuran keluarga"
    assert "Darsono" not in _dashboard_overdue(client)
    page = client.get(f"/stays/{stay_id}").get_data(as_text=True)
    assert "Ditemukan tidur di terminal" in page and "melewati batas 24 jam" in page

    future = client.post(f"/api/v1/stays/{stay_id}/conferences", headers=headers,
                         json={"held_on": "2026-12-31", "participants": "A", "decision": "B"})
    assert future.status_code == 422 and "held_on" in future.get_json()["error"]["fields"]
    made = client.post(f"/api/v1/stays/{stay_id}/conferences", headers=headers,
                       json={"held_on": "2026-11-07", "participants": "Kepala, pekerja sosial",
                             "decision": "Rujuk ke panti"})
    assert made.status_code == 201
    assert "Rujuk ke panti" in client.get(f"/stays/{stay_id}").get_data(as_text=True)
    admin = api_token(client, app, "admin")
    assert client.put(f"/api/v1/stays/{stay_id}/assessment", headers=admin,
                      json=parts).status_code == 403


def _dashboard_overdue(client) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.find('id="assessment-overdue-title"')
    return "" if start < 0 else html[start:html.find("</section>", start)]


def test_data_quality_page_for_the_head(client, app):
    with app.app_context():
        [stay] = _admit(client_row("Karsih", sex="P"))
        from rps_app.stays import services as stays
        clock.freeze(NOW + timedelta(hours=3))
        stays.exit_stay(ACTOR, stay.id, {"exit_type": "other"})
        db.session.commit()
        [waiting] = _admit(client_row("Tarmuji"), at=NOW + timedelta(hours=4))
        waiting_id = waiting.id
    clock.freeze(NOW + timedelta(days=2))
    login(client, app, "petugas")
    assert client.get("/data-quality").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, app, "kepala")
    html = client.get("/data-quality").get_data(as_text=True)
    section = lambda key: html[html.index(f'id="{key}"'):].split("</section>")[0]  # noqa: E731
    assert "Tarmuji" in section("unplaced") and f"/stays/{waiting_id}" in section("unplaced")
    assert "Karsih" in section("same_day_exit") and "Karsih" in section("no_nik")
    assert "Tarmuji" in section("no_assessment")
    assert "Karsih" not in section("missing_letter")  # "other" needs no letter


def test_pages_that_show_names_are_audited(client, app):
    with app.app_context():
        [stay] = _admit(client_row("Tarmuji"))
        client_id = stay.client_id
    clock.freeze(NOW + timedelta(days=2))
    login(client, app, "kepala")
    client.get("/")
    client.get("/data-quality")
    with app.app_context():
        shown = {e.detail["shown_in"]: e.detail["client_ids"] for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "client_list"))}
    assert shown["assessments_overdue"] == [client_id]
    assert shown["data_quality"] == [client_id]


def test_retention_and_export_cover_case_work_referrals_and_merged_records(client, app):
    from rps_app.casework import services as casework
    from rps_app.casework.models import Assessment, NikNote
    from rps_app.privacy import services as privacy
    from rps_app.referrals import services as referrals
    from rps_app.referrals import workflow
    from rps_app.referrals.models import Referral
    from rps_app.stays import services as stays
    with app.app_context():
        [old] = _admit(client_row("Paijo"))
        stays.exit_stay(ACTOR, old.id, {"exit_type": "absconded"})
        db.session.commit()
        [stay] = _admit(client_row("Paija"), at=NOW + timedelta(hours=1))
        panti = referrals.add_institution(ACTOR, "Panti A", "panti", "Jl. 1", "Tegal")
        clock.freeze(NOW + timedelta(hours=2))
        casework.save_assessment(ACTOR, stay.id, {part: "rahasia" for part in (
            "situation", "health", "family_origin", "needs", "plan")})
        casework.save_nik_note(ACTOR, stay.client_id, {"note": "KTP hilang"})
        ref = workflow.ask(ACTOR, stay.id, {"institution_id": panti.id, "reason": "rahasia"})
        into_id, dup_id, ref_id = stay.client_id, old.client_id, ref.id
        duplicates.merge(ACTOR, dup_id, {"into": into_id})
        stays.exit_stay(ACTOR, stay.id, {"exit_type": "absconded"})
        db.session.commit()

        exported = privacy.export(ACTOR, into_id)
        assert exported["assessments"][0]["plan"] == "rahasia"
        assert exported["referrals"][0]["reason"] == "rahasia"
        assert exported["nik_note"][0]["note"] == "KTP hilang"
        assert [row["id"] for row in exported["merged_records"]] == [dup_id]

        privacy.anonymise(ACTOR, into_id)
        db.session.commit()
        db.session.expire_all()
        assert db.session.scalar(select(Assessment.plan)) != "rahasia"
        assert db.session.get(Referral, ref_id).reason != "rahasia"
        assert db.session.get(Referral, ref_id).status == "sent"      # the figures stay
        assert db.session.scalar(select(NikNote.id)) is None
        assert db.session.get(Client, dup_id).anonymised_at is not None
        assert db.session.get(Client, dup_id).name != "Paijo"


def test_the_sql_narrowing_keeps_old_spellings_and_ages(client, app):
    """The candidates come from SQL (initials, birth years) before the names are compared:
    an old spelling's other initial and a birth date instead of an estimate still match."""
    with app.app_context():
        _admit(client_row("Djoko Santoso", age=None, birth_date="1980-05-17"),
               client_row("Tjipto", age=44), client_row("Joko Santoso", age=70),
               client_row("Pak Tarno", age=50))
        clock.freeze(NOW)
        found = lambda *a: [s.client.name for s in duplicates.suggestions(Person(*a))]  # noqa
        assert found("Joko Santoso", "L", 46, None) == ["Djoko Santoso"]
        assert found("Cipto", "L", 40, None) == ["Tjipto"]
        assert found("Tarno", "L", 48, None) == ["Pak Tarno"]
        assert found("Joko Santoso", "L", None, None) == ["Djoko Santoso", "Joko Santoso"]


# Names of the demo data and some long Javanese ones (three or more letters apart may still
# be close words from nine letters on).
KEY_NAMES = ("Slamet Budi Agus Joko Bambang Sugeng Wahyu Teguh Eko Rudi Heru Sutrisno Darto "
             "Karyo Warsito Tarmuji Kasmin Sodikin Rohmat Imam Supri Tarno Casmadi Warso Ahmad "
             "Yusuf Dedi Sukirno Sri Siti Wati Sumiyati Suminah Tarsih Rasminah Kartini Dewi "
             "Rina Yuli Endang Sumarni Darsih Warsini Casriah Sunarti Ratna Nur Aminah Khotimah "
             "Rokhayah Tarwiyah Lestari Saputra Wibowo Santoso Hidayat Nugroho Pratama Setiawan "
             "Kurniawan Rahayu Susanto Prasetyo Hartono Wijaya Muhammad Kusumawardhani "
             "Purwaningsih Sulistyaningsih Rohmatul Abdurrahman Tjokroaminoto").split()


def _misspelt(rng, word: str) -> str:
    letters = list(word)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(letters) + 1)
        new = rng.choice("abcdefghijklmnopqrstuvwxyz" if rng.random() < 0.5 else "aeiou")
        kind = rng.random()
        if kind < 0.33 and len(letters) > 2 and at < len(letters):
            del letters[at]
        elif kind < 0.66:
            letters.insert(at, new)
        elif at < len(letters):
            letters[at] = new
    return "".join(letters)


def test_the_name_keys_find_every_close_word():
    """The candidates of a check come through name keys (duplicates.query_keys asks for
    what stored_keys stores): every pair of words the match calls close shares a key, on
    many random misspellings (letters dropped, inserted, changed)."""
    import random
    rng = random.Random(14)
    close = 0
    for _ in range(30000):
        typed = duplicates.words(rng.choice(KEY_NAMES))[0]
        on_file = duplicates.words(_misspelt(rng, typed) or "x")
        if not on_file:
            continue
        pair = (typed, on_file[0]) if rng.random() < 0.5 else (on_file[0], typed)
        if max(duplicates.word_similarity(*pair),
               duplicates.word_similarity(*reversed(pair))) >= duplicates.WORD_THRESHOLD:
            close += 1
            assert duplicates.query_keys(pair[0]) & duplicates.stored_keys(pair[1]), pair
    assert close > 5000


PEOPLE = [  # (name, sex, age, origin): namesakes, misspellings, other sexes, ages, places
    ("Slamet", "L", 50, "Kabupaten Tegal"), ("Slamet", "L", 52, "Brebes"),
    ("Selamet", "L", 47, None), ("Slamet Riyadi", "L", 50, "Kota Tegal"),
    ("Slamet", "P", 50, "Tegal"), ("Slamet", "L", 61, "Tegal"), ("Slamet", "L", 58, "Tegal"),
    ("Slamet Riyadi", "L", 49, None), ("Riyadi Slamet", "L", 44, "Tegal"),
    ("Pak Slamet", "L", 53, "Tegal"), ("Slamat", "L", 50, "Tegal"), ("Samet", "L", 50, None),
    ("Siti Aminah", "P", 30, "Brebes"), ("Siti Fatimah", "P", 30, "Brebes"),
    ("Siti", "P", 31, "Brebes"), ("Aminah", "P", 29, None), ("Siti Aminah", "P", 45, None),
    ("Sitti Aminah Lestari", "P", 33, "Brebes"), ("Siti Aminah", "L", 30, "Brebes"),
    ("Sukarni", "P", 30, "Brebes"), ("Sumarni", "P", 31, "Brebes"), ("Soekarni", "P", 35, None),
    ("Djoko Santosa", "L", 45, "Tegal"), ("Joko Santoso", "L", 41, "Tegal"),
    ("Joko", "L", 46, "Tegal"), ("Santoso", "L", 45, None), ("Joko Susanto", "L", 45, "Tegal"),
    ("Purwaningsih", "P", 40, None), ("Purwngsih", "P", 41, None),
    ("Purweningsi", "P", 39, "Pemalang"),
    ("Slamat", "L", 50, "Brebes"),  # 0.86 for Slamet (L, 50, Tegal), as the older one of 58
]


def test_suggestions_are_the_best_of_every_client_on_file(app, monkeypatch):
    """Reading the candidates a few at a time, best possible score first, and stopping
    early gives what scoring every client on file gives: the best `limit`, then by id
    (ties across batches included: Slamat of Brebes and Slamet of 58 both score 0.86)."""
    with app.app_context():
        rows = [client_row(name, sex, age, **({"origin_regency": origin} if origin else {}))
                for name, sex, age, origin in PEOPLE]
        rows[1] = {**rows[1], "birth_date": "1974-03-02"}
        del rows[1]["estimated_age"]
        _admit(*rows)
        everyone = list(db.session.scalars(select(Client)))
        for later in (0, 400):  # and once estimates have grown a year
            clock.freeze(NOW + timedelta(days=later))
            today = clock.local_today()
            for name, sex, age, origin in PEOPLE + [("Slamet", None, None, None),
                                                    ("Siti", "P", None, None)]:
                person = Person(name, sex, age, origin)
                scored = sorted((-duplicates.score(person, duplicates.person_of(c, today)),
                                 c.id) for c in everyone)
                matches = [item for item in scored if -item[0] >= duplicates.THRESHOLD]
                for batch, growth in ((1, 1), (3, 1), (30, 4)):
                    monkeypatch.setattr(duplicates, "BATCH", batch)
                    monkeypatch.setattr(duplicates, "GROWTH", growth)
                    for limit in (1, 4, 9):
                        found = duplicates.suggestions(person, limit=limit)
                        assert [(-s.score, s.client.id) for s in found] == matches[:limit], \
                            (person, later, batch, growth, limit)


def test_name_keys_follow_identity_changes_and_merges(app):
    from rps_app.clients import services as clients
    with app.app_context():
        one, two = _admit(client_row("Tarmuji", origin_regency="Tegal"),
                          client_row("Kasmin", origin_regency="Tegal"))
        db.session.commit()
        found = lambda *a: [s.client.id for s in duplicates.suggestions(Person(*a))]  # noqa
        assert found("Tarmudji", "L", 40, "Tegal") == [one.client_id]
        clients.update_identity(ACTOR, one.client_id, {"name": "Warsito"})
        clients.update_identity(ACTOR, two.client_id, {"estimated_age": 70})
        db.session.commit()
        assert found("Tarmudji", "L", 40, "Tegal") == []
        assert found("Warsita", "L", 40, "Tegal") == [one.client_id]
        assert found("Kasmin", "L", 40, "Tegal") == []
        assert found("Kasmin", "L", 68, "Tegal") == [two.client_id]
        from rps_app.stays import services as stays
        stays.exit_stay(ACTOR, one.id, {"exit_type": "absconded"})
        [three] = _admit(client_row("Warsito", origin_regency="Tegal"),
                         at=NOW + timedelta(hours=1))
        db.session.commit()
        assert found("Warsito", "L", 40, "Tegal") == [one.client_id, three.client_id]
        duplicates.merge(ACTOR, one.client_id, {"into": three.client_id})
        db.session.commit()
        assert found("Warsito", "L", 40, "Tegal") == [three.client_id]
