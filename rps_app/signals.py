"""Named signals between domains (blinker, which Flask already depends on).

The domain that owns an event sends it; the domain that cares connects a receiver in its
`register(app)`. A receiver that must refuse raises a DomainError, which rolls the whole
request back. Signals that gather data return values: see `values_from`.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Client; kwargs: changed (set of field names). Placement refuses a change of
# sex or age that no longer fits the client's current room.
identity_changing = _signals.signal("identity-changing")

# sender: the Bed; kwargs: on (datetime). Stays refuses when someone sleeps in the bed.
bed_leaving_service = _signals.signal("bed-leaving-service")

# sender: the Stay (locked, still open); kwargs: actor, exit_type, institution_id, data (the
# exit's body as given). Sent after the exit's fields are checked, before anything is
# written: referrals checks `referral_id` (409 referral_not_accepted) and closes it.
stay_exiting = _signals.signal("stay-exiting")

# sender: the Stay; kwargs: actor, exit (StayExit). Sent after an exit is recorded.
stay_exited = _signals.signal("stay-exited")

# sender: the duplicate Client being merged; kwargs: into (Client), actor. Sent after its
# stays moved to `into`: a domain keeping rows by client id moves (or keeps) its own.
client_merging = _signals.signal("client-merging")

# sender: None; kwargs: stay_ids (list[int]). Receivers return {stay_id: {key: value}}
# to add facts to stays in lists (for example roll-call absences).
stay_facts = _signals.signal("stay-facts")

# sender: the report kind ("monthly"); kwargs: start, end (dates). Receivers return a list
# of extra sections for the PDF (plain tables: see reports/periodic.extra_sections), e.g.
# incidents by kind, referrals per institution.
report_collecting = _signals.signal("report-collecting")

# sender: the Client; kwargs: actor. Retention: every domain that keeps personal data of
# the client (texts, contacts, files) removes it; dates, codes and counts stay.
client_anonymising = _signals.signal("client-anonymising")

# sender: the Client. Receivers return {section: data} (JSON-ready) for the data subject's
# export: everything a domain holds about that person.
client_exporting = _signals.signal("client-exporting")


def values_from(signal, sender=None, **kwargs) -> list:
    """The return values of every receiver (None ones dropped)."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]


def merged_facts(stay_ids: list[int]) -> dict[int, dict]:
    """stay_facts from every receiver, merged per stay."""
    facts: dict[int, dict] = {stay_id: {} for stay_id in stay_ids}
    for value in values_from(stay_facts, stay_ids=stay_ids):
        for stay_id, items in value.items():
            facts.setdefault(stay_id, {}).update(items)
    return facts
