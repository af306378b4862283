"""Building staff, leave, assignments and residents for the daily-operations tests."""
from datetime import date

from rps_app.audit.services import Actor
from rps_app.operations import roster, staff

KEPALA = Actor(user_id=None, username="kepala-uji", ip="127.0.0.1", role="kepala")


def make_staff(name: str = "Slamet", sex: str = "L", position: str = "Petugas jaga", **extra):
    return staff.create_staff(KEPALA, {"name": name, "sex": sex, "position": position, **extra})


def put(person, day: date, shift: str, post: str = "POS-1"):
    return roster.assign(KEPALA, {"date": day.isoformat(), "shift": shift, "post": post,
                                  "staff_id": person.id})


def leave(person, start: date, end: date, kind: str = "cuti"):
    return staff.add_leave(KEPALA, person.id, {"from": start.isoformat(), "to": end.isoformat(),
                                              "kind": kind})
