"""Random sequences of intake, placement (bed, room, best fit), moves, isolation decisions
and exits through the services; after every step the placement rules of contract.md are
checked by querying the database, and every placement answer is compared with an
independent reading of the rules (a refusal must name a rule that really is broken; an
acceptance must break none)."""
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, invariant, precondition, rule,
                                 run_state_machine_as_test)
from sqlalchemy import text

from rps_app import clock
from rps_app.errors import DomainError
from rps_app.extensions import db
from rps_app.facility import services as facility
from rps_app.facility.models import Bed, Room
from rps_app.stays import services

from .stays_support import ACTOR, NOW, client_row, intake_body, room

# A small building, so that rooms fill up and rules collide: usable beds per room.
USABLE = {"PA-1": 2, "PA-2": 2, "PA-3": 1, "PI-1": 2, "ISO-01": 1, "ISO-02": 1}
TAGS = {"PA-2": "anak", "PA-3": "lansia"}
ROOM_CODES = list(USABLE) + ["PI-2", "DAPUR"]  # PI-2: no usable bed; DAPUR: no beds at all
AGES = (8, 17, 18, 40, 60, 75)  # half minors, so that age groups meet often
FLOW_TABLES = ("audit_entries", "letters", "isolation_decisions", "stay_extensions",
               "stay_exits", "belongings", "bed_assignments", "stays", "intakes",
               "client_name_keys", "clients", "counters")
PLACEMENT_CODES = {"sex_mismatch", "isolation_required", "age_mix", "validation_error",
                   "room_full", "bed_occupied"}


def small_building() -> None:
    for code, tag in TAGS.items():
        facility.rename_room(ACTOR, room(code).id, room(code).name, tag)
    for bed in db.session.query(Bed).join(Room).filter(Room.kind.in_(("shelter", "isolation"))):
        if bed.sort_order > USABLE.get(bed.room.code, 0):
            facility.take_out_of_service(ACTOR, bed.id, "Uji: gedung kecil")
    db.session.commit()


def rows(sql: str, **values):
    return db.session.execute(text(sql), values).all()


# --- an independent reading of the rules, straight from the tables --------------------

def broken_rules(stay_id: int, room_id: int) -> set[str]:
    """Every rule that placing this stay in this room would break ("room_full" when no
    usable bed is free)."""
    (needs_isolation, sex, age), = rows(
        "SELECT s.needs_isolation, c.sex, c.estimated_age FROM stays s "
        "JOIN clients c ON c.id = s.client_id WHERE s.id = :id", id=stay_id)
    (kind, room_sex, tag, active), = rows(
        "SELECT kind, sex, tag, active FROM rooms WHERE id = :id", id=room_id)
    broken = set()
    if kind not in ("shelter", "isolation") or not active:
        return {"validation_error"}
    if needs_isolation and kind != "isolation":
        broken.add("isolation_required")
    if kind == "shelter" and room_sex != sex:
        broken.add("sex_mismatch")
    ages = [a for a, in rows(
        "SELECT c.estimated_age FROM bed_assignments a JOIN stays s ON s.id = a.stay_id "
        "JOIN clients c ON c.id = s.client_id WHERE a.room_id = :room AND a.end_at IS NULL "
        "AND a.stay_id <> :stay", room=room_id, stay=stay_id)]
    if ((tag == "anak" and age >= 18) or (tag == "lansia" and age < 60)
            or any((other < 18) != (age < 18) for other in ages)):
        broken.add("age_mix")
    free, = rows(
        "SELECT COUNT(*) FROM beds b WHERE b.room_id = :room AND b.retired_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM bed_outages o WHERE o.bed_id = b.id AND o.end_at IS NULL) "
        "AND NOT EXISTS (SELECT 1 FROM bed_assignments a WHERE a.bed_id = b.id "
        "AND a.end_at IS NULL)", room=room_id)
    if free[0] == 0:
        broken.add("room_full")
    return broken


class ClientFlow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        db.session.rollback()
        for table in FLOW_TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
        clock.freeze(NOW)
        self.stays: list[int] = []
        self.rooms = {code: room(code).id for code in ROOM_CODES}
        self.beds = [bed.id for code in ROOM_CODES for bed in room(code).beds]

    # --- helpers -------------------------------------------------------------------

    def step(self, call, *args, allowed=frozenset(), **kwargs):
        """Run one service call as a request would: commit on success, roll back on a
        refusal, which must carry one of the `allowed` codes."""
        clock.freeze(clock.now() + timedelta(minutes=1))
        try:
            result = call(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()
            assert error.code in allowed, (error.code, error.message, error.fields)
            return error
        db.session.commit()
        return result

    def pick(self, index: int) -> int:
        """A stay, mostly an open one (exited ones now and then, for their refusals)."""
        choices = self.stays
        if index % 5:
            open_ids = {i for i, in rows("SELECT id FROM stays WHERE exited_at IS NULL")}
            choices = [i for i in self.stays if i in open_ids] or self.stays
        return choices[index % len(choices)]

    def current_room(self, stay_id: int) -> int | None:
        found = rows("SELECT room_id FROM bed_assignments WHERE stay_id = :id AND end_at IS NULL",
                     id=stay_id)
        return found[0][0] if found else None

    def is_open(self, stay_id: int) -> bool:
        return rows("SELECT exited_at FROM stays WHERE id = :id", id=stay_id)[0][0] is None

    # --- rules ---------------------------------------------------------------------

    @rule(sex=st.sampled_from("LP"), age=st.sampled_from(AGES),
          flagged=st.sampled_from([False, False, False, True]),
          size=st.integers(1, 3))
    def intake(self, sex, age, flagged, size):
        body = intake_body(*[client_row(f"K{n}", sex, age, needs_isolation=flagged)
                             for n in range(size)], received_at=None)
        batch = self.step(services.intake, ACTOR, body)
        self.stays += [stay.id for stay in batch.stays]

    @precondition(lambda self: self.stays)
    @rule(index=st.integers(0, 10_000))
    def returning_client(self, index):
        stay_id = self.pick(index)
        client_id, = rows("SELECT client_id FROM stays WHERE id = :id", id=stay_id)[0]
        inside = rows("SELECT 1 FROM stays WHERE client_id = :id AND exited_at IS NULL",
                      id=client_id)
        result = self.step(services.intake, ACTOR, intake_body({"client_id": client_id},
                                                               received_at=None),
                           allowed={"already_in_shelter"})
        if isinstance(result, DomainError):
            assert inside, "a client outside the shelter was refused"
        else:
            assert not inside, "a client already inside got a second stay"
            self.stays.append(result.stays[0].id)

    @precondition(lambda self: self.stays)
    @rule(index=st.integers(0, 10_000),
          code=st.sampled_from(ROOM_CODES) | st.sampled_from(["PA-1", "PI-1"]))
    def place_in_room(self, index, code):
        stay_id, room_id = self.pick(index), self.rooms[code]
        if not self.is_open(stay_id) or self.current_room(stay_id) == room_id:
            self.step(services.place, ACTOR, stay_id, room_id=room_id,
                      allowed={"already_exited"})
            return
        broken = broken_rules(stay_id, room_id)
        result = self.step(services.place, ACTOR, stay_id, room_id=room_id,
                           allowed=PLACEMENT_CODES)
        if isinstance(result, DomainError):
            assert result.code in broken, (result.code, broken)
        else:
            assert not broken, broken
            assert result.room_id == room_id

    @precondition(lambda self: self.stays)
    @rule(index=st.integers(0, 10_000), bed=st.integers(0, 10_000))
    def place_in_bed(self, index, bed):
        stay_id = self.pick(index)
        bed_id = self.beds[bed % len(self.beds)]
        result = self.step(services.place, ACTOR, stay_id, bed_id=bed_id,
                           allowed=PLACEMENT_CODES | {"already_exited"})
        if not isinstance(result, DomainError):
            assert result.bed_id == bed_id

    @precondition(lambda self: self.stays)
    @rule(index=st.integers(0, 10_000))
    def best_fit(self, index):
        stay_id = self.pick(index)
        was_open = self.is_open(stay_id)
        result = self.step(services.place, ACTOR, stay_id,
                           allowed={"room_full", "already_exited"})
        if isinstance(result, DomainError) and result.code == "room_full":
            flagged = rows("SELECT needs_isolation FROM stays WHERE id = :id", id=stay_id)[0][0]
            kind = "isolation" if flagged else "shelter"
            fitting = [code for code, room_id in self.rooms.items()
                       if room(code).kind == kind and not broken_rules(stay_id, room_id)]
            assert not fitting, f"best fit missed {fitting}"
        assert was_open or isinstance(result, DomainError)

    @precondition(lambda self: self.stays)
    @rule(index=st.integers(0, 10_000), flag=st.booleans())
    def decide_isolation(self, index, flag):
        self.step(services.decide_isolation, ACTOR, self.pick(index), flag, "Keputusan uji",
                  allowed={"already_exited"})

    @precondition(lambda self: self.stays)
    @rule(index=st.integers(0, 10_000), exit_type=st.sampled_from(["absconded", "other"]))
    def exit(self, index, exit_type):
        stay_id = self.pick(index)
        self.step(services.exit_stay, ACTOR, stay_id, {"exit_type": exit_type},
                  allowed={"already_exited"})
        assert self.current_room(stay_id) is None

    # --- the rules, after every step -------------------------------------------------

    @invariant()
    def rule_1_shelter_rooms_have_one_sex(self):
        assert not rows(
            "SELECT a.id FROM bed_assignments a JOIN rooms r ON r.id = a.room_id "
            "JOIN stays s ON s.id = a.stay_id JOIN clients c ON c.id = s.client_id "
            "WHERE a.end_at IS NULL AND r.kind = 'shelter' AND r.sex <> c.sex")

    @invariant()
    def rule_2_one_open_stay_per_bed(self):
        assert not rows("SELECT bed_id FROM bed_assignments WHERE end_at IS NULL "
                        "GROUP BY bed_id HAVING COUNT(*) > 1")
        assert not rows("SELECT stay_id FROM bed_assignments WHERE end_at IS NULL "
                        "GROUP BY stay_id HAVING COUNT(*) > 1")
        assert not rows("SELECT r.id FROM rooms r JOIN beds b ON b.room_id = r.id "
                        "WHERE r.kind = 'isolation' AND b.retired_at IS NULL "
                        "GROUP BY r.id HAVING COUNT(*) <> 1")
        # Nobody sleeps in a bed out of service, nor after their exit.
        assert not rows("SELECT a.id FROM bed_assignments a JOIN bed_outages o "
                        "ON o.bed_id = a.bed_id WHERE a.end_at IS NULL AND o.end_at IS NULL")
        assert not rows("SELECT a.id FROM bed_assignments a JOIN stays s ON s.id = a.stay_id "
                        "WHERE a.end_at IS NULL AND s.exited_at IS NOT NULL")

    @invariant()
    def rule_3_no_minor_with_an_adult_and_tags_hold(self):
        assert not rows(
            "SELECT a.room_id FROM bed_assignments a JOIN stays s ON s.id = a.stay_id "
            "JOIN clients c ON c.id = s.client_id WHERE a.end_at IS NULL GROUP BY a.room_id "
            "HAVING MIN(c.estimated_age) < 18 AND MAX(c.estimated_age) >= 18")
        assert not rows(
            "SELECT a.id FROM bed_assignments a JOIN rooms r ON r.id = a.room_id "
            "JOIN stays s ON s.id = a.stay_id JOIN clients c ON c.id = s.client_id "
            "WHERE a.end_at IS NULL AND ((r.tag = 'anak' AND c.estimated_age >= 18) "
            "OR (r.tag = 'lansia' AND c.estimated_age < 60))")

    @invariant()
    def rule_4_one_open_stay_per_client(self):
        assert not rows("SELECT client_id FROM stays WHERE exited_at IS NULL "
                        "GROUP BY client_id HAVING COUNT(*) > 1")

    @invariant()
    def rule_5_flagged_clients_only_in_isolation(self):
        # A flag set while the client sleeps in a shelter is allowed (the board asks for a
        # move); placing a flagged client outside isolation is not.
        for stay_id, start_at in rows(
                "SELECT a.stay_id, a.start_at FROM bed_assignments a "
                "JOIN rooms r ON r.id = a.room_id JOIN stays s ON s.id = a.stay_id "
                "WHERE a.end_at IS NULL AND r.kind <> 'isolation' AND s.needs_isolation"):
            flagged_at = rows("SELECT MAX(decided_at) FROM isolation_decisions "
                              "WHERE stay_id = :id AND needs_isolation", id=stay_id)[0][0]
            assert flagged_at is not None and str(flagged_at) > str(start_at), stay_id


def test_random_client_flows_keep_the_placement_rules(ctx):
    small_building()
    run_state_machine_as_test(ClientFlow, settings=settings(
        max_examples=40, stateful_step_count=40, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
