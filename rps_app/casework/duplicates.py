"""Duplicate clients: likely duplicates by a weighted match, and the head's merge.

The match weighs the name (0.5), the sex (0.2), the age (0.2: within five years in full,
within ten partly, further apart never a match) and the place of origin (0.1). Names are
compared after the spellings that make one Javanese name look like two are folded:
old spellings (dj -> j, tj -> c, oe -> u, sj -> sy, nj -> ny), doubled letters, the o/a
ending (Paijo/Paija, Sutarno/Sutarna), and dropped vowels (Slamet/Selamet: the same
consonants in the same order). Words must begin with the same letter (Agus/Bagus are two
names). Every word of the shorter name must find a close word in
the other; a name that differs in one word (Siti Aminah / Siti Fatimah) is another person.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from sqlalchemy import and_, extract, func, or_, select

from .. import clock, signals
from ..audit.services import Actor, record
from ..clients.models import Client, age_from
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..fields import FieldErrors
from ..stays.models import Stay
from .models import NikNote

WEIGHTS = {"name": 0.5, "sex": 0.2, "age": 0.2, "origin": 0.1}
THRESHOLD = 0.8          # a suggestion from this score on
WORD_THRESHOLD = 0.85    # every word of the shorter name at least this close
SKELETON_SCORE = 0.92    # same consonants in the same order (a vowel dropped or changed)
MAX_SUGGESTIONS = 10
AGE_REJECT_YEARS = 10    # ages further apart never match
OLD_SPELLINGS = (("dj", "j"), ("tj", "c"), ("oe", "u"), ("sj", "sy"), ("nj", "ny"))
VOWELS = set("aeiou")
# Words that are not part of the person's own name.
FILLERS = {"bin", "binti", "bt", "bn", "alm", "almh", "mbah", "pak", "bu", "bapak", "ibu",
           "mas", "mbak"}


def _word(word: str) -> str:
    for old, new in OLD_SPELLINGS:
        word = word.replace(old, new)
    word = re.sub(r"(.)\1+", r"\1", word)          # doubled letters: Muhammad, Suttarno
    if len(word) > 2 and word.endswith("o"):       # the o/a ending: Paijo / Paija
        word = word[:-1] + "a"
    return word


@lru_cache(maxsize=20000)
def _words(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    found_words = tuple(_word(w) for w in re.findall(r"[a-z]+", text))
    return tuple(w for w in found_words if w not in FILLERS) or found_words


def words(name: str) -> list[str]:
    """The folded words of a name (letters only, lower case, accents dropped)."""
    return list(_words(name or ""))


def skeleton(word: str) -> str:
    """The first letter and the consonants after it: Slamet and Selamet are both slmt."""
    return word[:1] + "".join(c for c in word[1:] if c not in VOWELS)


def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a[0] != b[0]:  # Agus/Bagus, Darto/Warto: another name (old spellings already folded)
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    if len(skeleton(a)) >= 3 and skeleton(a) == skeleton(b):
        return max(ratio, SKELETON_SCORE)
    return ratio


@lru_cache(maxsize=50000)
def name_similarity(a: str, b: str) -> float:
    """0..1; 0 when a word of the shorter name has no close word in the other."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    best = [max(word_similarity(w, other) for other in long_) for w in short]
    if min(best) < WORD_THRESHOLD:
        return 0.0
    score = sum(best) / len(best)
    return score if len(wa) == len(wb) else score * 0.95


@dataclass(frozen=True)
class Person:
    """What the match compares (a client on file, or a row being typed at intake)."""
    name: str
    sex: str | None
    age: int | None
    origin: str | None


def age_score(a: int | None, b: int | None) -> float | None:
    """1 within five years, 0.3 within ten; None (never a match) further apart."""
    if a is None or b is None:
        return 0.5
    gap = abs(a - b)
    if gap <= 5:
        return 1.0
    return 0.3 if gap <= AGE_REJECT_YEARS else None


def _origin(value: str | None) -> str:
    return " ".join(re.findall(r"[a-z]+", (value or "").lower())
                    ).replace("kabupaten ", "").replace("kab ", "").replace("kota ", "")


def score(a: Person, b: Person) -> float:
    """The weighted match, 0..1 (0 when the names or the ages rule it out)."""
    name = name_similarity(a.name, b.name)
    age = age_score(a.age, b.age)
    if name == 0 or age is None:
        return 0.0
    sex = 1.0 if a.sex and a.sex == b.sex else 0.0
    oa, ob = _origin(a.origin), _origin(b.origin)
    origin = 0.5 if not oa or not ob else (1.0 if oa == ob else 0.0)
    return round(WEIGHTS["name"] * name + WEIGHTS["sex"] * sex + WEIGHTS["age"] * age
                 + WEIGHTS["origin"] * origin, 3)


def is_match(a: Person, b: Person) -> bool:
    return score(a, b) >= THRESHOLD


def person_of(client: Client, today: date) -> Person:
    return Person(client.name, client.sex, client.age_on(today), client.origin_regency)


@dataclass
class Suggestion:
    client: Client
    score: float
    active_stay_id: int | None


CANDIDATE_COLUMNS = (Client.id, Client.name, Client.sex, Client.birth_date,
                     Client.estimated_age, Client.age_estimated_on, Client.origin_regency)


def _initials(name: str) -> set[str]:
    """The letters a word of a name on file may begin with to match a word of `name`
    (old spellings: a folded j may be written dj, c tj, u oe)."""
    letters = set()
    for word in words(name):
        letters.add(word[0])
        letters.update({"j": "d", "c": "t", "u": "o"}.get(word[0], ""))
    return letters


def candidates_query(person: Person, today: date):
    """Clients on file that could match `person`, narrowed in SQL before the names are
    compared: not merged away, a word beginning with one of the letters a match needs, and
    (when both ages are known) born within ten years of each other."""
    name = func.lower(Client.name)
    stmt = select(*CANDIDATE_COLUMNS).where(Client.merged_into_id.is_(None), or_(*[
        or_(name.like(f"{letter}%"), name.like(f"% {letter}%"))
        for letter in sorted(_initials(person.name))]))
    if person.age is not None:
        born = today.year - person.age
        window = AGE_REJECT_YEARS + 1  # whole years on either side: the score decides exactly
        estimated_born = (func.coalesce(extract("year", Client.age_estimated_on), today.year)
                          - Client.estimated_age)
        stmt = stmt.where(or_(
            Client.birth_date.between(date(born - window, 1, 1), date(born + window, 12, 31)),
            and_(Client.birth_date.is_(None), or_(
                Client.estimated_age.is_(None),
                estimated_born.between(born - window, born + window)))))
    return stmt


def suggestions(person: Person, exclude_id: int | None = None,
                limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Clients on file (not merged away) likely to be `person`, best first: narrowed in SQL
    (candidates_query), then scored in Python."""
    today = clock.local_today()
    if not words(person.name):
        return []
    scored = []
    # Plain rows, not model objects: the candidates may be thousands; only the best few
    # are loaded as clients.
    for row in db.session.execute(candidates_query(person, today)):
        if row.id == exclude_id:
            continue
        age = age_from(row.birth_date, row.estimated_age, row.age_estimated_on, today)
        value = score(person, Person(row.name, row.sex, age, row.origin_regency))
        if value >= THRESHOLD:
            scored.append((value, row.id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    loaded = {c.id: c for c in db.session.scalars(
        select(Client).where(Client.id.in_([cid for _v, cid in scored])))} if scored else {}
    found_rows = [Suggestion(loaded[cid], value, None) for value, cid in scored]
    if found_rows:
        open_stays = dict(db.session.execute(select(Stay.client_id, Stay.id).where(
            Stay.client_id.in_([s.client.id for s in found_rows]), Stay.exited_at.is_(None))
        ).all())
        for suggestion in found_rows:
            suggestion.active_stay_id = open_stays.get(suggestion.client.id)
    return found_rows


def person_from(data: dict) -> Person:
    """The row typed at intake: {name, sex?, estimated_age? or birth_date?, origin_regency?}."""
    if not isinstance(data, dict):
        raise ValidationError("Data harus berupa objek.", {})
    errors = FieldErrors()
    name = errors.text(data, "name", 120, required=True, label="Nama")
    sex = errors.choice(data, "sex", ("L", "P"), required=False, label="Jenis kelamin")
    age = errors.integer(data, "estimated_age", 0, 130, label="Perkiraan umur")
    birth = errors.date(data, "birth_date", label="Tanggal lahir")
    origin = errors.text(data, "origin_regency", 100, label="Kabupaten/kota asal")
    if errors:
        raise ValidationError("Data pencarian duplikat tidak valid: "
                              + next(iter(errors.fields.values())), errors.fields)
    if age is None and birth is not None:
        today = clock.local_today()
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return Person(name, sex, age, origin)


def suggestion_json(item: Suggestion) -> dict:
    client = item.client
    return {"id": client.id, "registration_number": client.registration_number,
            "name": client.name, "sex": client.sex,
            "age": client.age_on(clock.local_today()), "origin_regency": client.origin_regency,
            "score": item.score, "active_stay_id": item.active_stay_id}


def record_suggested(actor: Actor, client_ids: list[int]) -> None:
    """Suggestions show names of other clients: log which (never the typed name)."""
    record(actor, "search", "client", None, {"client_ids": client_ids, "purpose": "duplicates"},
           keep_on_failure=True)


# --- merge ----------------------------------------------------------------------------------

def merge(actor: Actor, client_id: int, data: dict) -> Client:
    """POST /clients/<id>/merge {into}: client `id` is a duplicate of `into`. Its stays (and
    with them their notes, services, letters and referrals) move to `into`, its photo too
    when `into` has none; it stays on file as a pointer (merged_into_id), hidden from lists
    and search. 409 already_in_shelter when both have an open stay."""
    if not isinstance(data, dict):
        raise ValidationError("Data penggabungan harus berupa objek.", {})
    errors = FieldErrors()
    into_id = errors.integer(data, "into", 1, required=True, label="Klien tujuan")
    if into_id is not None and into_id == client_id:
        errors.add("into", "Klien tidak dapat digabung dengan dirinya sendiri.")
    if errors:
        raise ValidationError(errors.fields["into"], errors.fields)
    # Both rows locked in id order (two merges at once never deadlock), re-read.
    locked = {c.id: c for c in db.session.scalars(
        select(Client).where(Client.id.in_(sorted({client_id, into_id}))).order_by(Client.id)
        .with_for_update().execution_options(populate_existing=True))}
    duplicate = found(locked.get(client_id), "Klien tidak ditemukan.")
    into = found(locked.get(into_id), "Klien tujuan tidak ditemukan.",
                 {"into": "Klien tujuan tidak ditemukan."})
    if duplicate.merged_into_id is not None:
        raise Conflict("Klien ini sudah digabung ke klien lain.", code="already_merged")
    if into.merged_into_id is not None:
        raise ValidationError("Klien tujuan sudah digabung ke klien lain; pilih klien "
                              "hasil penggabungannya.", {"into": "Klien tujuan sudah digabung."})
    stays = list(db.session.scalars(select(Stay).where(Stay.client_id == duplicate.id)
                                    .order_by(Stay.id)))
    open_here = [s.id for s in stays if s.exited_at is None]
    open_there = db.session.scalar(select(Stay.id).where(
        Stay.client_id == into.id, Stay.exited_at.is_(None)).limit(1))
    if open_here and open_there is not None:
        raise Conflict("Kedua klien masih berada di RPS; keluarkan salah satu dahulu.",
                       {"into": "Kedua klien memiliki data tinggal yang masih terbuka."},
                       code="already_in_shelter")
    for stay in stays:
        stay.client_id = into.id
    photo_moved = False
    if duplicate.photo_path and not into.photo_path:
        into.photo_path, duplicate.photo_path = duplicate.photo_path, None
        photo_moved = True
    note = db.session.scalar(select(NikNote).where(NikNote.client_id == duplicate.id))
    if note is not None and db.session.scalar(
            select(NikNote.id).where(NikNote.client_id == into.id)) is None and not into.nik:
        note.client_id = into.id
    duplicate.merged_into_id = into.id
    now = clock.now()
    duplicate.updated_at = into.updated_at = now
    db.session.flush()
    signals.client_merging.send(duplicate, into=into, actor=actor)
    db.session.flush()
    details = {"stay_ids": [s.id for s in stays], "photo_moved": photo_moved}
    record(actor, "merge", "client", duplicate.id, {"into": into.id, **details})
    record(actor, "merge_in", "client", into.id, {"from": duplicate.id, **details})
    db.session.expire(into)
    return into


def merged_target(client: Client) -> Client | None:
    """Where a merged record points (following a chain, should one ever form)."""
    seen = set()
    target = client
    while target.merged_into_id is not None and target.id not in seen:
        seen.add(target.id)
        target = db.session.get(Client, target.merged_into_id)
    return None if target is client else target
