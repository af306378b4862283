"""The institutions directory: validation, editing, retiring, search, the example seed;
and the letter settings (signatory, letterhead, pattern, logo)."""
import io

import pytest
from PIL import Image
from sqlalchemy import select

from rps_app.audit.models import AuditEntry
from rps_app.errors import NotFound, ValidationError
from rps_app.extensions import db
from rps_app.referrals import letter_settings, numbering, services
from rps_app.referrals.models import Institution

from .factories import TEST_ACTOR


def add(name="Panti Wredha Budi Dharma", kind="panti", city="Kota Tegal", **extra):
    return services.add_institution(TEST_ACTOR, name, kind, extra.pop("address", "Jl. Kartini 5"),
                                    city, extra.pop("phone", None))


def names(**filters) -> list[str]:
    return [row.name for row in db.session.scalars(services.list_institutions(**filters))]


def test_add_trims_and_audits(ctx):
    institution = add(name="  RSUD Kardinah  ", kind="hospital", phone=" (0283) 356067 ")
    assert (institution.name, institution.phone) == ("RSUD Kardinah", "(0283) 356067")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "institution"))
    assert (entry.action, entry.entity_id) == ("create", str(institution.id))


@pytest.mark.parametrize("values, field, words", [
    ({"name": ""}, "name", "Nama lembaga wajib diisi"),
    ({"city": "  "}, "city", "Kota/Kabupaten wajib diisi"),
    ({"address": None}, "address", "Alamat wajib diisi"),
    ({"kind": "rumah"}, "kind", "Jenis lembaga harus salah satu dari"),
    ({"phone": "telp 123"}, "phone", "Nomor telepon"),
    ({"name": "x" * 201}, "name", "paling banyak 200"),
])
def test_validation_names_the_field(ctx, values, field, words):
    with pytest.raises(ValidationError) as refused:
        add(**values)
    assert field in refused.value.fields
    assert words in refused.value.fields[field]


def test_same_name_in_same_city_is_refused(ctx):
    add()
    with pytest.raises(ValidationError) as refused:
        add(name="panti wredha budi dharma")
    assert "sudah terdaftar" in refused.value.fields["name"]
    add(city="Kabupaten Brebes")  # another city is another institution


def test_edit_keeps_the_id_and_clears_the_example_mark(ctx):
    institution = services.add_institution(TEST_ACTOR, "Contoh", "other", "Jl. A", "Slawi",
                                           is_example=True)
    edited = services.edit_institution(TEST_ACTOR, institution.id, "Contoh Diperiksa", "dinsos",
                                       "Jl. B", "Slawi", "0283-1")
    assert (edited.id, edited.kind, edited.is_example) == (institution.id, "dinsos", False)
    with pytest.raises(NotFound):
        services.edit_institution(TEST_ACTOR, 999, "A", "panti", "B", "C")


def test_list_search_kind_and_retire(ctx):
    panti = add()
    add(name="RSJD dr. Amino Gondohutomo", kind="hospital", city="Kota Semarang")
    assert names() == ["Panti Wredha Budi Dharma", "RSJD dr. Amino Gondohutomo"]
    assert names(q="semarang") == ["RSJD dr. Amino Gondohutomo"]
    assert names(q="WREDHA") == ["Panti Wredha Budi Dharma"]
    assert names(kind="hospital") == ["RSJD dr. Amino Gondohutomo"]

    services.set_institution_active(TEST_ACTOR, panti.id, False)
    assert names() == ["RSJD dr. Amino Gondohutomo"]
    assert "Panti Wredha Budi Dharma" in names(include_retired=True)
    services.set_institution_active(TEST_ACTOR, panti.id, True)
    assert "Panti Wredha Budi Dharma" in names()
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "institution", AuditEntry.entity_id == str(panti.id))).all()
    assert sorted(actions) == ["create", "reactivate", "retire"]


def test_examples_are_seeded_once(ctx):
    assert services.seed_example_institutions(TEST_ACTOR) == len(services.EXAMPLES)
    seeded = db.session.scalars(select(Institution)).all()
    assert all(row.is_example and row.active for row in seeded)
    assert {row.kind for row in seeded} == {"panti", "balai", "hospital", "dinsos"}
    assert "RSUD dr. Soeselo Slawi" in {row.name for row in seeded}
    # An administrator retires one; `rps init` again neither re-adds nor revives it.
    services.set_institution_active(TEST_ACTOR, seeded[0].id, False)
    assert services.seed_example_institutions(TEST_ACTOR) == 0
    assert db.session.scalar(select(db.func.count(Institution.id))) == len(services.EXAMPLES)
    assert db.session.get(Institution, seeded[0].id).active is False


def test_rps_init_seeds_the_examples(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["rps", "init"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.scalars(select(Institution)).all()
    assert len(rows) == len(services.EXAMPLES) and all(row.is_example for row in rows)


# ---------------------------------------------------------------- letter settings

SIGNATORY = {"title": "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL", "name": "Drs. Bambang Sutrisno",
             "rank": "Penata Tingkat I (III/d)", "nip": "197203151998031004"}


def save(letterhead=None, signatory=None, pattern=numbering.DEFAULT_PATTERN, kode="460"):
    letter_settings.save(TEST_ACTOR, {**letter_settings.DEFAULT_LETTERHEAD, **(letterhead or {})},
                         {**SIGNATORY, **(signatory or {})}, ["Arsip"], pattern, kode)


def test_settings_are_saved_and_used(ctx):
    save({"phone": "(0283) 491234", "email": "rps@tegalkab.go.id", "place": "Procot"})
    head = letter_settings.letterhead()
    assert (head.phone, head.email, head.place) == ("(0283) 491234", "rps@tegalkab.go.id", "Procot")
    assert letter_settings.signatory().nip == "197203151998031004"
    assert letter_settings.tembusan() == ["Arsip"]


@pytest.mark.parametrize("letterhead, signatory, pattern, field", [
    ({}, {"nip": "19720315199803100"}, numbering.DEFAULT_PATTERN, "nip"),
    ({}, {"nip": "19720315199803100x"}, numbering.DEFAULT_PATTERN, "nip"),
    ({}, {"name": ""}, numbering.DEFAULT_PATTERN, "name"),
    ({"email": "bukan-surel"}, {}, numbering.DEFAULT_PATTERN, "email"),
    ({"postal_code": "524"}, {}, numbering.DEFAULT_PATTERN, "postal_code"),
    ({"place": ""}, {}, numbering.DEFAULT_PATTERN, "place"),
    ({}, {}, "{kode}/RPS/{tahun}", "number_pattern"),
])
def test_settings_validation_names_the_field(ctx, letterhead, signatory, pattern, field):
    with pytest.raises(ValidationError) as refused:
        save(letterhead, signatory, pattern)
    assert field in refused.value.fields
    assert letter_settings.signatory().name == ""  # nothing was stored


def _image(kind: str, size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def test_logo_png_and_jpeg_are_accepted(ctx):
    letter_settings.set_logo(TEST_ACTOR, _image("PNG"))
    assert letter_settings.letterhead().logo.startswith(b"\x89PNG")
    letter_settings.set_logo(TEST_ACTOR, _image("JPEG"))
    assert letter_settings.logo().startswith(b"\xff\xd8")
    letter_settings.set_logo(TEST_ACTOR, None)
    assert letter_settings.letterhead().logo is None


@pytest.mark.parametrize("data, words", [
    (b"GIF89a....", "PNG atau JPEG"),
    (b"", "kosong"),
    (b"\x89PNG\r\n\x1a\n" + b"rusak" * 10, "rusak"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * (600 * 1024), "terlalu besar"),
])
def test_bad_logos_are_refused(ctx, data, words):
    with pytest.raises(ValidationError) as refused:
        letter_settings.set_logo(TEST_ACTOR, data)
    assert "logo" in refused.value.fields and words in refused.value.message
    assert letter_settings.logo() is None
