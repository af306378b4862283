"""The database holds placement rules 1, 2 and 4 by itself: raw SQL that bypasses the
services is refused on SQLite and PostgreSQL alike."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from rps_app import clock
from rps_app.extensions import db
from rps_app.stays import services

from .stays_support import ACTOR, NOW, admit, client_row, room

INSERT_STAY = text(
    "INSERT INTO stays (client_id, intake_id, entered_at, entry_date, needs_isolation, screening) "
    "VALUES (:client_id, :intake_id, CURRENT_TIMESTAMP, CURRENT_DATE, FALSE, '{}')")
INSERT_ASSIGNMENT = text(
    "INSERT INTO bed_assignments (stay_id, bed_id, room_id, room_sex, client_sex, start_at, "
    "start_date) VALUES (:stay_id, :bed_id, :room_id, :room_sex, :client_sex, "
    "CURRENT_TIMESTAMP, CURRENT_DATE)")


@pytest.fixture
def placed(ctx):
    """A man placed in PA-1, a woman not placed; committed."""
    clock.freeze(NOW)
    man, woman = admit(client_row(), client_row("Sri", "P"))
    services.place(ACTOR, man.id, room_id=room("PA-1").id)
    db.session.commit()
    yield man, woman
    db.session.rollback()
    clock.freeze(None)


def refused(statement, **values) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(statement, values)
        db.session.flush()
    db.session.rollback()


def test_a_second_open_stay_for_a_client_is_refused(placed):
    man, _ = placed
    refused(INSERT_STAY, client_id=man.client_id, intake_id=man.intake_id)


def test_an_exited_stay_does_not_block_a_new_one(placed):
    _, woman = placed
    services.exit_stay(ACTOR, woman.id, {"exit_type": "other"})
    db.session.execute(INSERT_STAY, {"client_id": woman.client_id, "intake_id": woman.intake_id})
    db.session.commit()


def test_a_second_open_assignment_for_a_bed_is_refused(placed):
    man, woman = placed
    bed = room("PI-1").beds[0]
    values = dict(bed_id=bed.id, room_id=bed.room_id, room_sex="P", client_sex="P")
    db.session.execute(INSERT_ASSIGNMENT, dict(values, stay_id=woman.id))
    db.session.commit()
    other, = admit(client_row("Ani", "P"), received_at=None)
    db.session.commit()
    refused(INSERT_ASSIGNMENT, **dict(values, stay_id=other.id))


def test_a_stay_in_two_beds_at_once_is_refused(placed):
    man, _ = placed
    bed = room("PA-2").beds[0]
    refused(INSERT_ASSIGNMENT, stay_id=man.id, bed_id=bed.id, room_id=bed.room_id,
            room_sex="L", client_sex="L")


def test_room_sex_must_be_the_client_sex(placed):
    _, woman = placed
    bed = room("PA-2").beds[0]
    refused(INSERT_ASSIGNMENT, stay_id=woman.id, bed_id=bed.id, room_id=bed.room_id,
            room_sex="L", client_sex="P")


def test_an_isolation_room_takes_any_sex(placed):
    _, woman = placed
    bed = room("ISO-01").beds[0]
    db.session.execute(INSERT_ASSIGNMENT, dict(stay_id=woman.id, bed_id=bed.id,
                                               room_id=bed.room_id, room_sex=None, client_sex="P"))
    db.session.commit()
