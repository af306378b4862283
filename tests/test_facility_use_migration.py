"""Migration 0006_second_communal_room: an installation seeded with the one Ruang Komunal of
before gets the blueprint's second, right after the first; an empty database and an
installation that has two already are left alone. Both databases."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, insert, select, update

from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.facility import services as facility
from rps_app.facility.models import Room

from .stays_support import ACTOR

BEFORE = "0005_facility_use"


def as_seeded_before(app) -> None:
    """The default building as `rps init` seeded it before: KOM-1 "Ruang Komunal" only,
    the rooms after it one place up; the schema at the revision before the data one.
    Written through a connection of its own: the app's session expects today's schema (its
    commit counts the change in data_version, a table of a later revision)."""
    with app.app_context():
        directory = app.extensions["migrate"].directory
        downgrade(directory=directory, revision=BEFORE)
        db.session.remove()
        with db.engine.begin() as conn:
            kom2 = conn.execute(select(Room.id, Room.sort_order)
                                .where(Room.code == "KOM-2")).one()
            conn.execute(delete(Room).where(Room.id == kom2.id))
            later = conn.execute(select(Room.id).where(Room.sort_order > kom2.sort_order)
                                 .order_by(Room.sort_order)).scalars().all()
            for room_id in later:
                conn.execute(update(Room).where(Room.id == room_id)
                             .values(sort_order=Room.sort_order - 1))
            conn.execute(update(Room).where(Room.code == "KOM-1").values(name="Ruang Komunal"))


def by_hand(app, *statements) -> None:
    """Changes made to the old schema, through a connection of its own (see above)."""
    with app.app_context():
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(statement)


def migrate(app) -> None:
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.session.remove()


def codes_in_order(app) -> list[str]:
    with app.app_context():
        return [room.code for room in facility.rooms_with_beds()]


def test_an_installation_with_one_communal_room_gets_the_second(app):
    fresh = codes_in_order(app)  # a new installation's order
    as_seeded_before(app)
    assert len(codes_in_order(app)) == 29
    migrate(app)
    assert codes_in_order(app) == fresh
    with app.app_context():
        names = dict(db.session.execute(select(Room.code, Room.name)
                                        .where(Room.kind == "communal")).all())
        assert names == {"KOM-1": "Ruang Komunal 1", "KOM-2": "Ruang Komunal 2"}
        kom2 = db.session.scalar(select(Room).where(Room.code == "KOM-2"))
        assert kom2.beds == [] and kom2.sex is None and kom2.active
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "room",
                                                           AuditEntry.entity_id == str(kom2.id)))
        assert (entry.action, entry.detail["code"]) == ("seed", "KOM-2")
        # `rps init` afterwards adds nothing more.
        assert facility.seed_default_facility(ACTOR) == 0


def test_a_renamed_first_room_keeps_its_name_and_a_second_one_added_by_hand_stays_alone(app):
    as_seeded_before(app)
    by_hand(app, update(Room).where(Room.code == "KOM-1").values(name="Aula"))
    migrate(app)
    with app.app_context():
        assert db.session.scalar(select(Room.name).where(Room.code == "KOM-1")) == "Aula"
        assert db.session.scalar(select(Room.name).where(Room.code == "KOM-2")) == "Ruang Komunal 2"

    as_seeded_before(app)
    with app.app_context():
        last = db.session.scalar(select(func.max(Room.sort_order)))
        db.session.remove()
    by_hand(app, insert(Room).values(code="AULA-2", name="Aula Kedua", kind="communal",
                                     sort_order=last + 1, active=True))
    migrate(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Room.id)).where(Room.kind == "communal")) == 2
        assert db.session.scalar(select(Room.id).where(Room.code == "KOM-2")) is None


def test_an_empty_database_is_left_to_rps_init(app):
    with app.app_context():
        directory = app.extensions["migrate"].directory
        downgrade(directory=directory, revision="base")
        upgrade(directory=directory, revision=BEFORE)
        upgrade(directory=directory)
        assert db.session.scalar(select(func.count(Room.id))) == 0
        assert facility.seed_default_facility(ACTOR) == 30
        db.session.commit()
    assert codes_in_order(app)[18:] == ["TRP-1", "TRP-2", "POS-1", "POS-2", "KOM-1", "KOM-2",
                                        "LOBBY", "DAPUR", "LOG", "KANTOR", "KA-RPS", "GH"]


def test_counsellors_move_from_user_accounts_to_the_staff_register(app):
    """0011_booking_staff: a booking's counsellor was a user; it becomes that user's staff
    entry (none without one), and back on a downgrade."""
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from .factories import make_user

    with app.app_context():
        directory = app.extensions["migrate"].directory
        sinta = make_user("sinta", role="staf").id
        budi = make_user("budi", role="staf").id
        kom = db.session.scalar(select(Room.id).where(Room.code == "KOM-1"))
        db.session.remove()  # no transaction of ours while the migration runs
        downgrade(directory=directory, revision="0010_client_search")
        db.session.remove()
        now = datetime(2026, 11, 6, 3, tzinfo=timezone.utc).replace(tzinfo=None)
        with db.engine.begin() as conn:
            staff = conn.execute(sa.text(
                "INSERT INTO staff (name, sex, position, user_id, active, created_at) "
                "VALUES ('Sinta', 'P', 'Pekerja sosial', :user, :yes, :now) RETURNING id"),
                {"user": sinta, "yes": True, "now": now}).scalar()
            for user in (sinta, budi):
                conn.execute(sa.text(
                    "INSERT INTO bookings (room_id, starts_at, ends_at, purpose, staff_id, "
                    "created_at) VALUES (:room, :start, :end, 'Sesi', :user, :now)"),
                    {"room": kom, "start": now, "end": now.replace(hour=4), "user": user,
                     "now": now})
        upgrade(directory=directory)
        db.session.remove()
        with db.engine.connect() as conn:
            assert [row[0] for row in conn.execute(sa.text(
                "SELECT staff_id FROM bookings ORDER BY id"))] == [staff, None]
        downgrade(directory=directory, revision="0010_client_search")
        db.session.remove()
        with db.engine.connect() as conn:
            assert [row[0] for row in conn.execute(sa.text(
                "SELECT staff_id FROM bookings ORDER BY id"))] == [sinta, None]
        upgrade(directory=directory)
