"""Duplicate clients: likely duplicates by a weighted match, and the head's merge.

The match weighs the name (0.5), the sex (0.2), the age (0.2: within five years in full,
within ten partly, further apart never a match) and the place of origin (0.1). Names are
compared after the spellings that make one Javanese name look like two are folded:
old spellings (dj -> j, tj -> c, oe -> u, sj -> sy, nj -> ny), doubled letters, the o/a
ending (Paijo/Paija, Sutarno/Sutarna), and dropped vowels (Slamet/Selamet: the same
consonants in the same order). Words must begin with the same letter (Agus/Bagus are two
names). Every word of the shorter name must find a close word in
the other; a name that differs in one word (Siti Aminah / Siti Fatimah) is another person.

A check never reads every client: the candidates come through an index of name keys
(ClientNameKey: the folded words, their one-letter-dropped forms, skeletons; with the sex,
birth year and origin), best possible score first, and are read a batch at a time until
none left can do better than the best found (see suggestions).
"""
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from sqlalchemy import (JSON, Integer, String, and_, bindparam, case, cast, delete, distinct,
                        event, func, insert, inspect, literal, or_, select, true)
from sqlalchemy.orm import Session

from .. import clock, signals
from ..audit.services import Actor, record
from ..clients.models import Client
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..fields import FieldErrors
from ..stays.models import Stay
from .models import ClientNameKey, NikNote

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


# --- finding the candidates: name keys -------------------------------------------------------
#
# A duplicate check must not read every client whose name shares a first letter (tens of
# thousands at 100,000 stays). Each word of a name on file is stored under a few keys
# (ClientNameKey, kept by the flush listener below): "=" the word, "-" the word with one
# letter dropped (each letter after the first in turn), "#" its skeleton and, for a long
# word, "~" its first letter and length. A typed word asks for every key a close word may
# have. Close words begin alike, and word_similarity >= WORD_THRESHOLD means they keep M
# letters in common, in order, with D letters left over on both sides together,
# D <= SLACK * M. So:
#   D = 0: the same word: "=word";
#   D = 1 (M >= 3): a letter more in the typed word ("=" it with one dropped) or in the word
#          on file ("-" the typed word);
#   D = 2 (M >= 6): two more in the typed word ("=" it with two dropped), two in the word on
#          file ("-" the typed word with one inserted), or one each ("=" the typed word with
#          one dropped and another inserted: seven letters or more);
#   D >= 3 (M >= 9): both words have nine letters or more, of lengths within reach: "~";
# and the skeleton rule: "#". A namesake shares only "=" and "#": each word on file is one
# or two rows of a check, however common. tests/test_casework.py checks the keys against
# word_similarity on many random misspellings.

LETTERS = "abcdefghijklmnopqrstuvwxyz"
SLACK = 2 * (1 - WORD_THRESHOLD) / WORD_THRESHOLD  # letters left over per common letter


def _common_for(leftover: int) -> int:
    """The fewest common letters with which `leftover` letters still leave close words."""
    return math.ceil(leftover / SLACK - 1e-9)


TWO_APART = _common_for(2)   # 6: from here two letters may be left over
LONG_WORD = _common_for(3)   # 9: from here three or more may be


def _dropped(found_words: set[str], times: int = 1) -> set[str]:
    """The words with one to `times` of their letters dropped (never the first)."""
    result, current = set(), found_words
    for _ in range(times):
        current = {w[:i] + w[i + 1:] for w in current for i in range(1, len(w))}
        result |= current
    return result


def _inserted(found_words: set[str]) -> set[str]:
    """The words with a letter inserted (after the first)."""
    return {w[:i] + letter + w[i:] for w in found_words for i in range(1, len(w) + 1)
            for letter in LETTERS}


def _skeleton_key(word: str) -> set[str]:
    return {"#" + skeleton(word)} if len(skeleton(word)) >= 3 else set()


def stored_keys(word: str) -> set[str]:
    """The keys a folded word of a name on file is stored under."""
    keys = {"=" + word} | {"-" + k for k in _dropped({word})} | _skeleton_key(word)
    if len(word) >= LONG_WORD:
        keys.add(f"~{word[0]}{len(word)}")
    return keys


@lru_cache(maxsize=2000)
def query_keys(word: str) -> frozenset[str]:
    """The keys under which every word close to the folded `word` is stored."""
    equal = {word} | _dropped({word}, 2 if len(word) >= TWO_APART + 2 else 1)
    dropped = {word}
    if len(word) >= TWO_APART:
        dropped |= _inserted({word})
    if len(word) >= TWO_APART + 1:
        equal |= _inserted(_dropped({word}))
    keys = {"=" + k for k in equal} | {"-" + k for k in dropped} | _skeleton_key(word)
    if len(word) >= LONG_WORD:
        shortest = math.ceil(len(word) / (1 + SLACK) - 1e-9)
        longest = math.floor(len(word) * (1 + SLACK) + 1e-9)
        keys |= {f"~{word[0]}{n}" for n in range(max(LONG_WORD, shortest), longest + 1)}
    return frozenset(keys)


def born_year(birth_date: date | None, estimated_age: int | None,
              estimated_on: date | None) -> int | None:
    """The birth year a client's age counts from: the birth date's, or the year the estimate
    was made less the age then (None: no dated age). Today's age is this year less it, or
    one less."""
    if birth_date is not None:
        return birth_date.year
    if estimated_age is not None and estimated_on is not None:
        return estimated_on.year - estimated_age
    return None


KEYED = ("name", "sex", "birth_date", "estimated_age", "age_estimated_on", "origin_regency",
         "merged_into_id")


def name_keys(client) -> list[dict]:
    """The ClientNameKey rows of a client (any object with the KEYED attributes and id);
    none for a record merged away (never a suggestion)."""
    if client.merged_into_id is not None:
        return []
    found_words = words(client.name)
    born = born_year(client.birth_date, client.estimated_age, client.age_estimated_on)
    origin = _origin(client.origin_regency)[:100]
    return [{"key": key, "client_id": client.id, "word_no": number,
             "words": len(found_words), "sex": client.sex, "born": born, "origin": origin}
            for number, word in enumerate(found_words) for key in sorted(stored_keys(word))]


def write_name_keys(connection, clients, replace: bool = True) -> None:
    """Write the name keys of `clients` (replacing theirs when `replace`)."""
    table = ClientNameKey.__table__
    if replace:
        connection.execute(delete(table).where(table.c.client_id.in_([c.id for c in clients])))
    rows = [row for client in clients for row in name_keys(client)]
    if rows:
        connection.execute(insert(table), rows)


@event.listens_for(Session, "after_flush")
def _keep_name_keys(session, _flush_context):
    """New clients get their name keys; a change of name, sex or age (an identity edit,
    anonymisation) replaces them, a merge drops them. In the transaction of the change."""
    new = [c for c in session.new if isinstance(c, Client)]
    changed = [c for c in session.dirty if isinstance(c, Client)
               and any(getattr(inspect(c).attrs, name).history.has_changes() for name in KEYED)]
    if new:
        write_name_keys(session.connection(), new, replace=False)
    if changed:
        write_name_keys(session.connection(), changed)


def rebuild_name_keys(connection) -> int:
    """Every client's name keys anew (revision 0015; after a change of the folding rules)."""
    table = Client.__table__
    rows = connection.execute(select(table.c.id, *[table.c[name] for name in KEYED])).all()
    connection.execute(delete(ClientNameKey.__table__))
    for start in range(0, len(rows), 2000):
        write_name_keys(connection, rows[start:start + 2000], replace=False)
    return len(rows)


# --- the candidates in SQL, best first -------------------------------------------------------

BATCH = 30  # candidates read first (three times the suggestions shown: mostly the only read)
GROWTH = 4  # each further read takes this many times more (a few reads, however many)


def _one_of(column, name: str, dialect: str):
    """`column IN` the list in the parameter `name`, passed as one JSON text (a typed name
    asks for hundreds to thousands of keys), which the database unpacks into the list it
    probes the index with."""
    values = bindparam(name, type_=String)
    if dialect == "postgresql":
        return column.in_(select(func.json_array_elements_text(cast(values, JSON))
                                 .column_valued()))
    return column.in_(select(func.json_each(values).table_valued("value").c.value))


def _upper_bound(keys, sex: bool, age: bool, origin: bool):
    """The highest score (thousandths) a client could reach, from what its name keys hold:
    the name as if every word were the same (of as many words or not: `words`), the sex and
    the origin as the score weighs them, the age as the most it may give (five years apart
    or less means born at most six years apart; no dated age: as much as can be); NULL when
    the ages are too far apart for a match (born more than eleven years apart, `born` the
    person's birth year). Each part only when the person has it (the flags)."""
    # A name of another number of words scores 0.95 of its words' likeness at most.
    name = case((keys.c.words == bindparam("words"), 500), else_=475)
    sex_part = case((keys.c.sex == bindparam("sex"), 200), else_=0) if sex else literal(0)
    if age:
        born, window = bindparam("born", type_=Integer), AGE_REJECT_YEARS + 1
        age_part = case((keys.c.born.is_(None), 200),
                        (keys.c.born.between(born - 6, born + 6), 200),
                        (keys.c.born.between(born - window, born + window), 60))
    else:
        age_part = literal(100)
    origin_part = (case((keys.c.origin == bindparam("origin"), 100), (keys.c.origin == "", 50),
                        else_=0) if origin else literal(50))
    return name + sex_part + age_part + origin_part


@lru_cache(maxsize=256)
def _candidates_statement(dialect: str, word_count: int, sex: bool, age: bool, origin: bool,
                          exclude: bool, after: bool):
    """candidates_query's statement for a shape of person, its values as parameters (built
    once: a check is a few milliseconds, building the statement would be as many)."""
    keys = ClientNameKey.__table__
    bound = _upper_bound(keys, sex, age, origin)
    # The bound is the same on every key row of a client: filtered row by row, kept by max.
    best = select(keys.c.client_id, func.max(bound).label("bound")).where(
        _one_of(keys.c.key, "keys", dialect),
        # What the bound decides, in plain comparisons first (cheaper on every key row):
        # another sex reaches the threshold only with the same origin as well; born more
        # than eleven years apart, never.
        or_(keys.c.sex == bindparam("sex"), keys.c.origin == bindparam("origin"))
        if sex and origin else keys.c.sex == bindparam("sex") if sex else true(),
        or_(keys.c.born.is_(None), keys.c.born.between(
            bindparam("born", type_=Integer) - (AGE_REJECT_YEARS + 1),
            bindparam("born", type_=Integer) + (AGE_REJECT_YEARS + 1))) if age else true(),
        bound >= round(THRESHOLD * 1000)).group_by(keys.c.client_id)
    if word_count > 1:
        theirs = func.max(keys.c.words)
        mine_found = sum(func.max(case((_one_of(keys.c.key, f"keys_{n}", dialect), 1),
                                       else_=0)) for n in range(word_count))
        best = best.having(or_(
            and_(theirs >= word_count, mine_found == word_count),
            and_(theirs < word_count, func.count(distinct(keys.c.word_no)) == theirs)))
    if exclude:
        best = best.where(keys.c.client_id != bindparam("exclude_id"))
    if after:
        after_bound, after_id = bindparam("after_bound"), bindparam("after_id")
        best = best.where(or_(bound < after_bound,
                              and_(bound == after_bound, keys.c.client_id > after_id)))
    best = (best.order_by(func.max(bound).desc(), keys.c.client_id).limit(bindparam("limit"))
            .subquery())
    open_stay = (select(Stay.id).where(Stay.client_id == Client.id, Stay.exited_at.is_(None))
                 .limit(1).scalar_subquery())
    return (select(Client, best.c.bound, open_stay).join(best, best.c.client_id == Client.id)
            .order_by(best.c.bound.desc(), Client.id))


def candidates_query(person: Person, today: date, exclude_id: int | None = None,
                     after: tuple[int, int] | None = None, limit: int | None = None):
    """The next `limit` clients that could match `person`, best possible score first (then
    by id), after the (bound, id) `after`: found and narrowed through the name keys alone —
    a key for every word the every-word rule needs (a key for every word of the person's
    name when theirs has as many words or more, for every word of theirs when it has fewer)
    and a possible score (_upper_bound) of THRESHOLD or more — and only then read. As
    (statement, parameters); rows of (client, bound in thousandths, open stay id)."""
    asked = [query_keys(word) for word in words(person.name)]
    origin = _origin(person.origin)[:100]
    stmt = _candidates_statement(db.session.get_bind().dialect.name, len(asked),
                                 bool(person.sex), person.age is not None, bool(origin),
                                 exclude_id is not None, after is not None)
    params = {"keys": json.dumps(sorted(set().union(*asked))), "words": len(asked),
              "limit": limit or BATCH}
    if len(asked) > 1:
        params |= {f"keys_{n}": json.dumps(sorted(keys)) for n, keys in enumerate(asked)}
    if person.sex:
        params["sex"] = person.sex
    if person.age is not None:
        params["born"] = today.year - person.age
    if origin:
        params["origin"] = origin
    if exclude_id is not None:
        params["exclude_id"] = exclude_id
    if after is not None:
        params["after_bound"], params["after_id"] = after
    return stmt, params


def suggestions(person: Person, exclude_id: int | None = None,
                limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Clients on file (not merged away) likely to be `person`, best first (then by id).

    The candidates come from SQL best possible score first (candidates_query), BATCH of them
    (then GROWTH times as many each time), and are scored here; reading stops once no candidate left can enter the best
    `limit`. So a common name costs about what a rare one does: its namesakes are found
    and ranked through the name keys, and only the likeliest are read."""
    today = clock.local_today()
    if not words(person.name):
        return []
    best: list[tuple[float, int, Suggestion]] = []
    after, batch = None, BATCH
    while True:
        rows = db.session.execute(*candidates_query(person, today, exclude_id, after,
                                                    batch)).all()
        for client, _bound, stay_id in rows:
            if client.merged_into_id is not None:
                continue
            value = score(person, Person(client.name, client.sex, client.age_on(today),
                                         client.origin_regency))
            if value >= THRESHOLD:
                best.append((value, client.id, Suggestion(client, value, stay_id)))
        best.sort(key=lambda item: (-item[0], item[1]))
        del best[limit:]
        if len(rows) < batch:
            break
        after, batch = (rows[-1][1], rows[-1][0].id), batch * GROWTH
        if len(best) == limit:
            # Nothing unread can do better than the last of the best: its bound is lower,
            # or equal with a higher id (rows come bound first, then id). In thousandths.
            last, reached = round(best[-1][0] * 1000), after[0]
            if reached < last or (reached == last and after[1] >= best[-1][1]):
                break
    return [suggestion for _value, _id, suggestion in best]


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
