"""Demo roll calls for `rps demo-data`: the apel pagi and apel malam of the last days,
taken through the service (every resident of the session on the list), mostly present,
now and then one out with permission, in hospital or absent."""
from datetime import timedelta

from .. import clock
from ..actor import Actor
from . import rollcall

# A resident's status at an apel, with its weight.
STATUSES = (("present", 960), ("permitted", 20), ("hospital", 8), ("absent", 12))
NOTES = {"permitted": "Izin menemui keluarga", "hospital": "Dirawat di RSUD dr. Soeselo",
         "absent": None}


def fill(actor: Actor, rng, days: int = 14) -> int:
    """Roll calls of the last `days` days up to the last session due; returns how many."""
    last_day, last_session = rollcall.latest_session()
    taken = 0
    for offset in range(days, -1, -1):
        day = last_day - timedelta(days=offset)
        for session in ("pagi", "malam"):
            if offset == 0 and session == "malam" and last_session == "pagi":
                break
            if rollcall.find(day, session) is not None:
                continue
            stay_ids = sorted(rollcall.open_stay_ids(day, session))
            entries = []
            for stay_id in stay_ids:
                status = rng.choices([s for s, _w in STATUSES], [w for _s, w in STATUSES])[0]
                entries.append({"stay_id": stay_id, "status": status,
                                "note": NOTES.get(status)})
            rollcall.take(actor, {"date": day.isoformat(), "session": session,
                                  "entries": entries})
            taken += 1
    return taken
