"""Named signals between domains (blinker, which Flask already depends on).

The domain that owns an event sends it; the domain that cares connects a receiver in its
`register(app)`. A receiver that must refuse raises a DomainError, which rolls the whole
request back. Signals that gather data return values: see `values_from`.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Client (changed, flushed); kwargs: changed (set of field names). Placement
# (stays) refuses a change of sex or age that no longer fits the client's current room.
identity_changing = _signals.signal("identity-changing")

# sender: the Bed; kwargs: on (datetime). A receiver returns True when the bed is in use
# then (stays: someone sleeps in it); facility then refuses to retire it or take it out.
bed_leaving_service = _signals.signal("bed-leaving-service")

# sender: the Stay (locked, still open); kwargs: actor, data (the exit body as sent),
# exit_type, institution_id, values (all that stays checked: exited_at ...), errors
# (fields.FieldErrors). Sent while the exit is checked, before anything is written: a
# receiver checks the part it owns and adds its problems to `errors`, so that they come
# back in one 422 with stays' own (referrals: institution_id names an active institution),
# or raises (referrals: `referral_id`, 409 referral_not_accepted, and closes it).
stay_exiting = _signals.signal("stay-exiting")

# sender: the Stay; kwargs: actor, exit (StayExit). Sent after an exit is recorded, in its
# transaction. A receiver may return the letter it issued for the exit (referrals: the
# referral letter or handover record; an object with `id`, `number`, `api_json()`):
# exit_stay returns it, and the API answers it as `letter`.
stay_exited = _signals.signal("stay-exited")

# sender: None; no kwargs. Receivers return the places an exit may lead to, for the exit
# form: [(exit type, label, [(id, text)])] (referrals: its active institutions by kind).
exit_destinations = _signals.signal("exit-destinations")

# sender: None; kwargs: client_ids (list[int]). Receivers return {client_id: {key: value}}
# to add facts to clients in lists and records (stays: `active_stay_id`).
client_facts = _signals.signal("client-facts")

# sender: None; kwargs: status ("in": in residence, "out": exited, or None), room_id (int or
# None). Receivers return (select of client ids, keep) to narrow the client list: keep True
# keeps only those ids, False leaves them out (stays: open stays, the beds of a room).
client_list_filtering = _signals.signal("client-list-filtering")

# sender: the Client; no kwargs. Receivers return {key: value} to add to the client's JSON
# record, GET /api/v1/clients/<id> (stays: `stays`, the client's stays with beds and exits).
client_record = _signals.signal("client-record")

# sender: the duplicate Client being merged; kwargs: into (Client), actor. Sent after its
# stays moved to `into`: a domain keeping rows by client id moves (or keeps) its own.
client_merging = _signals.signal("client-merging")

# sender: None; kwargs: stay_ids (list[int]). Receivers return {stay_id: {key: value}}
# to add facts to stays in lists (for example roll-call absences).
stay_facts = _signals.signal("stay-facts")

# sender: the Stay; kwargs: none. Receivers return when the client was first missed, as an
# aware datetime, if they judge that the client may have absconded (roll call: two or more
# absences in a row), else None. An `absconded` exit defaults its exited_at to the earliest.
abscondment_started = _signals.signal("abscondment-started")

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
    return _merged(stay_facts, stay_ids=stay_ids)


def merged_client_facts(client_ids: list[int]) -> dict[int, dict]:
    """client_facts from every receiver, merged per client."""
    return _merged(client_facts, client_ids=client_ids)


def _merged(signal, **kwargs) -> dict[int, dict]:
    ids = next(iter(kwargs.values()))
    facts: dict[int, dict] = {key: {} for key in ids}
    for value in values_from(signal, **kwargs):
        for key, items in value.items():
            facts.setdefault(key, {}).update(items)
    return facts
