"""How referrals takes part in the client flow (signals connected in referrals.register)
and what it shows on the client and stay pages (sections)."""
from sqlalchemy import select

from ..extensions import db
from ..stays.models import INSTITUTION_EXIT_TYPES, LETTER_EXIT_TYPES
from .forms import KIND_LABELS
from .letters import issue_exit_letter
from .models import Institution


def check_exit_institution(stay, institution_id: int | None, errors, **_ignored) -> None:
    """stay_exiting: the institution of a panti, balai or hospital exit is in the directory
    and active."""
    if institution_id is None:
        return
    institution = db.session.get(Institution, institution_id)
    if institution is None or not institution.active:
        errors.add("institution_id", "Lembaga rujukan tidak ditemukan atau tidak aktif.")


def issue_exit_letter_for(stay, actor, exit) -> object | None:
    """stay_exited: the referral letter or handover record of the exit, issued in its
    transaction (None for exits without one)."""
    if stay.exit_type not in LETTER_EXIT_TYPES:
        return None
    return issue_exit_letter(actor, stay)


def institution_destinations(sender) -> list:
    """exit_destinations: the active institutions of the kinds an exit refers to (panti,
    balai, hospital), as (kind, kind label, [(id, text)]) in the exit types' order."""
    rows = db.session.scalars(select(Institution).where(
        Institution.active.is_(True), Institution.kind.in_(INSTITUTION_EXIT_TYPES))
        .order_by(Institution.name))
    options: dict[str, list[tuple[str, str]]] = {kind: [] for kind in INSTITUTION_EXIT_TYPES}
    for i in rows:
        options[i.kind].append((str(i.id), f"{i.name} ({i.city})" if i.city else i.name))
    return [(kind, KIND_LABELS[kind], items) for kind, items in options.items()]


def client_letters(client, rows) -> dict:
    """The client page's section: every letter about the client (letters.client_reads)."""
    return {"letters": rows["letters"]}


def stay_letters(stay, rows) -> dict | None:
    """The stay page's section: the letters of this stay (letters.stay_reads; nothing when
    there are none)."""
    return {"letters": rows["letters"]} if rows["letters"] else None
