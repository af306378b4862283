"""Panels on other domains' pages: the dashboard (who is on duty now, today's gaps, the
latest roll call's meals count, possible abscondments, high incidents not acknowledged)
and the client's and stay's incidents."""
from .. import clock
from ..web import translated
from . import incidents, roster, rollcall


def duty(reads):
    """A batched section: read with the rest of the dashboard."""
    today = clock.local_today()
    day, shift = roster.current_shift()
    on_duty = roster.on_duty(reads, day, shift)
    gaps = roster.ask_gaps(reads, today, today)
    return lambda: {"on_duty": on_duty.value, "shift": shift, "day": day,
                    "shift_labels": translated(roster.SHIFT_LABELS), "gaps": gaps.value,
                    "today": today}


def operations(reads):
    """A batched section: read with the rest of the dashboard."""
    flagged = rollcall.ask_abscondments(reads)
    latest, counts = rollcall.ask_latest(reads)
    high = incidents.unacknowledged_high(reads)
    return lambda: {"latest": latest.value, "counts": counts.value,
                    "session_labels": translated(rollcall.SESSION_LABELS),
                    "flagged": flagged.value, "high": high.value,
                    "kind_labels": translated(incidents.KIND_LABELS)}


def _incident_panel(rows) -> dict | None:
    return {"rows": rows, "kind_labels": translated(incidents.KIND_LABELS),
            "severity_labels": translated(incidents.SEVERITY_LABELS)} if rows else None


def client_incidents(client=None, rows=None, **_context) -> dict | None:
    """The client's incidents (rows: incidents.client_reads)."""
    return _incident_panel(rows["incidents"]) if client is not None else None


def stay_incidents(stay=None, rows=None, **_context) -> dict | None:
    """The stay's incidents (rows: incidents.stay_reads)."""
    return _incident_panel(rows["incidents"]) if stay is not None else None
