"""Letter numbers: the pattern, the yearly restart, and no repeats or gaps under concurrency."""
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.errors import ValidationError
from rps_app.extensions import db
from rps_app.referrals import numbering, services
from rps_app.referrals.models import Letter
from rps_app.settings import services as settings

from .factories import TEST_ACTOR, make_client
from .letters_support import RECEIVED, exit_stay, intake_of, make_institution


def test_default_pattern(ctx):
    assert numbering.render(numbering.DEFAULT_PATTERN, "460", 12, date(2026, 11, 6)) \
        == "460/012/RPS/XI/2026"
    assert numbering.render(numbering.DEFAULT_PATTERN, "460", 1234, date(2027, 1, 2)) \
        == "460/1234/RPS/I/2027"


def test_sequence_restarts_each_year_and_follows_the_month(ctx):
    numbers = []
    for day in (date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)):
        numbers.append(numbering.take(day).text)
    assert numbers == ["460/001/RPS/XI/2026", "460/002/RPS/XII/2026",
                       "460/001/RPS/I/2027", "460/002/RPS/I/2027"]
    assert numbering.last_sequence(2026) == 2 and numbering.last_sequence(2027) == 2


def test_a_rolled_back_number_is_given_back(ctx):
    numbering.take(date(2026, 5, 1))
    db.session.commit()
    numbering.take(date(2026, 5, 1))
    db.session.rollback()
    assert numbering.take(date(2026, 5, 1)).sequence == 2


def test_year_follows_local_time(ctx):
    # 31 December 2026, 18.00 UTC is already 1 January 2027 in Slawi (WIB, UTC+7).
    clock.freeze(datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc))
    client = make_client()
    intake = intake_of([client], received_at=datetime(2026, 12, 28, 3, tzinfo=timezone.utc))
    stay = exit_stay(intake.stays[0], "panti", clock.now(), institution=make_institution())
    letter = services.issue_exit_letter(TEST_ACTOR, stay)
    assert (letter.number, letter.year) == ("460/001/RPS/I/2027", 2027)


@pytest.mark.parametrize("pattern, field_message", [
    ("{kode}/RPS/{tahun}", "{nomor}"),
    ("{nomor}/RPS", "{tahun}"),
    ("{nomor}/{unknown}/{tahun}", "tidak dikenal"),
    ("{nomor.real}/{tahun}", "tidak dikenal"),
    ("{nomor!r}/{tahun}", "tidak dikenal"),
    ("{nomor:zz}/{tahun}", "Format"),
    ("{nomor}/{tahun", "tidak dikenal"),
])
def test_bad_patterns_are_refused_naming_the_field(ctx, pattern, field_message):
    with pytest.raises(ValidationError) as refused:
        numbering.validate(pattern, "460")
    assert field_message in refused.value.fields["number_pattern"] + refused.value.message


def test_a_valid_pattern_gives_its_sample(ctx):
    assert numbering.validate("{kode}.{bulan}/{nomor:04d}/{tahun}", "474") == "474.11/0012/2026"


def test_pattern_setting_is_used(ctx):
    settings.put(numbering.PATTERN_KEY, "{nomor}/RPS-TGL/{tahun}")
    assert numbering.take(date(2026, 3, 3)).text == "1/RPS-TGL/2026"


def _exited_stays(count: int) -> list[int]:
    institution = make_institution()
    clients = [make_client(name=f"Klien {i}", nik=None) for i in range(count)]
    intake = intake_of(clients)
    ids = [exit_stay(stay, "panti", RECEIVED + timedelta(days=1), institution=institution).id
           for stay in intake.stays]
    db.session.commit()
    return ids


def test_twenty_letters_at_once_get_twenty_consecutive_numbers(app):
    """Each thread issues one letter in its own app context and session, against the same
    database (a file for SQLite, a server database for PostgreSQL)."""
    with app.app_context():
        clock.freeze(RECEIVED + timedelta(days=2))
        stay_ids = _exited_stays(20)
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def issue(stay_id: int) -> None:
        try:
            with app.app_context():
                from rps_app.stays.models import Stay
                # Before any transaction: on SQLite every transaction takes the write lock.
                start.wait(timeout=30)
                stay = db.session.get(Stay, stay_id)
                services.issue_exit_letter(TEST_ACTOR, stay)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=issue, args=(stay_id,)) for stay_id in stay_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        rows = db.session.execute(select(Letter.sequence, Letter.number, Letter.stay_id)).all()
    assert sorted(row.sequence for row in rows) == list(range(1, 21))
    assert len({row.number for row in rows}) == 20
    assert {row.stay_id for row in rows} == set(stay_ids)
    assert {row.number for row in rows} == {f"460/{n:03d}/RPS/XI/2026" for n in range(1, 21)}


def test_first_bast_requests_at_once_issue_one_letter(app):
    with app.app_context():
        clock.freeze(RECEIVED + timedelta(hours=1))
        intake_id = intake_of([make_client(nik=None)]).id
        db.session.commit()
    start = threading.Barrier(6)
    got: list[int] = []
    errors: list[BaseException] = []

    def download() -> None:
        try:
            with app.app_context():
                from rps_app.stays.models import Intake
                start.wait(timeout=30)
                got.append(services.issue_intake_bast(TEST_ACTOR,
                                                      db.session.get(Intake, intake_id)).id)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=download) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(got) == 6 and len(set(got)) == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Letter.id))) == 1
        assert numbering.last_sequence(2026) == 1
