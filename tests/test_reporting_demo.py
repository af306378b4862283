"""`rps demo-data`: the synthetic history keeps the placement rules."""
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.facility.models import Bed, Room
from rps_app.operations import rollcall
from rps_app.operations.models import RollCall
from rps_app.stays.models import BedAssignment, Stay
from rps_app.stock import ledger as stock_ledger
from rps_app.stock.models import StockMovement


def test_demo_data_respects_the_rules(app, runner):
    result = runner.invoke(args=["rps", "demo-data", "--stays", "400", "--seed", "5"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Stay.id))) == 400
        assert db.session.scalar(select(func.count(Stay.id)).where(Stay.exit_date < Stay.entry_date)) == 0
        rows = db.session.execute(select(BedAssignment, Room.kind, Room.sex, Client.sex, Stay.needs_isolation)
                                  .join(Room, Room.id == BedAssignment.room_id)
                                  .join(Stay, Stay.id == BedAssignment.stay_id)
                                  .join(Client, Client.id == Stay.client_id)).all()
        per_bed = defaultdict(list)
        for assignment, kind, room_sex, client_sex, isolated in rows:
            assert kind == "isolation" if isolated else room_sex == client_sex
            per_bed[assignment.bed_id].append((assignment.start_at, assignment.end_at))
        for spans in per_bed.values():  # a bed holds one stay at a time
            spans.sort()
            for (_, end), (start, _) in zip(spans, spans[1:]):
                assert end is not None and end <= start
        returning = db.session.scalar(select(func.count()).select_from(
            select(Stay.client_id).group_by(Stay.client_id).having(func.count() > 1).subquery()))
        assert returning > 0
    again = runner.invoke(args=["rps", "demo-data", "--stays", "10"])
    assert again.exit_code == 1 and "instalasi baru" in again.output


def test_demo_data_ends_today_with_a_busy_shelter_and_an_audit_log(app, runner):
    """The history reaches today: 60-90 % of the client beds taken, open stays of several
    lengths (some past the limit), and the audit entries the services would have made."""
    # A fixed "now", so the run is the same at any hour: 15:47 WIB, after the day's exits,
    # when the history used to end with the fewest beds taken (51 of 90, before stays
    # followed how full their pool was).
    clock.freeze(datetime(2026, 12, 1, 8, 47, tzinfo=timezone.utc))
    result = runner.invoke(args=["rps", "demo-data", "--stays", "1200", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        today = clock.local_today()
        last = db.session.scalar(select(func.max(Stay.entered_at)))
        assert clock.now() - last < timedelta(days=1)
        beds = db.session.scalar(select(func.count(Bed.id)).join(Room, Room.id == Bed.room_id)
                                 .where(Room.kind.in_(("shelter", "isolation"))))
        taken = db.session.scalar(select(func.count(BedAssignment.id))
                                  .where(BedAssignment.end_at.is_(None)))
        assert 0.6 <= taken / beds <= 0.9
        open_entries = list(db.session.scalars(select(Stay.entry_date)
                                               .where(Stay.exited_at.is_(None))))
        nights = [(today - entry).days for entry in open_entries]
        assert min(nights) <= 1 and max(nights) > app.config["RPS_MAX_STAY_DAYS"]
        actions = dict(db.session.execute(select(AuditEntry.action, func.count())
                                          .group_by(AuditEntry.action)).all())
        assert actions["create"] > 1200 and actions["place"] == taken + db.session.scalar(
            select(func.count(BedAssignment.id)).where(BedAssignment.end_at.is_not(None)))
        assert actions["exit"] == 1200 - len(open_entries) and actions["read"] > 0
        # The day's operations: the last two weeks of roll calls, each naming exactly the
        # residents of its session, and the store's ledger of the last weeks.
        day, session = rollcall.latest_session()
        latest = rollcall.find(day, session)
        assert latest is not None and db.session.scalar(
            select(func.count(RollCall.id))) >= 28
        assert {e.stay_id for e in latest.current_entries} == rollcall.open_stay_ids(day, session)
        assert rollcall.counts(latest)["present"] > 0.8 * len(latest.current_entries)
        kinds = dict(db.session.execute(select(StockMovement.kind, func.count())
                                        .group_by(StockMovement.kind)).all())
        assert kinds["receipt"] >= 40 and kinds["issue"] > kinds["receipt"]
        assert db.session.scalar(select(func.count(StockMovement.id))
                                 .where(StockMovement.stay_id.is_not(None))) > 0
        balances = stock_ledger.balances_at()
        assert balances and min(balances.values()) >= 0 and sum(balances.values()) > 0
