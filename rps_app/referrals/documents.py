"""Turn a letter's content snapshot into PDF bytes with the builders of `reports.letters`.

The snapshot is plain JSON (see .content); here it becomes the builders' dataclasses. The
PDF is built with `invariant=True`: the same snapshot always gives the same bytes, so a
stored letter can be re-rendered from its snapshot and checked against its sha256.
"""
from datetime import date, datetime

from reports import letters as builders
from reports.base import Letterhead, Signatory
from reports.letters import (Belonging, Client, ClientRow, FamilyContact, HandoverLetterData,
                             Institution, IntakeBastData, Party, ReferralLetterData,
                             ReferralRequestData)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _local_time(text: str) -> datetime:
    """A stored local ISO time as the wall-clock time the letter prints (WIB)."""
    return datetime.fromisoformat(text).replace(tzinfo=None)


def _belongings(items: list[dict]) -> tuple[Belonging, ...]:
    return tuple(Belonging(item["description"], item["quantity"]) for item in items)


def _client(person: dict, stay: dict | None = None) -> Client:
    return Client(
        name_or_alias=person["name"], sex=person["sex"], sex_label=person.get("sex_label"),
        pmks_category=person["pmks_category"],
        entered_at=_date(stay["entry_date"]) if stay else None,
        identity_known=person["identity_known"],
        nik=None if person["nik"] == "belum diketahui" else person["nik"],
        birth_place=person["birth_place"], birth_date=_date(person["birth_date"]),
        estimated_age=person["age"] if person["age_estimated"] else None,
        origin_regency=person["origin_regency"], origin_address=person["origin_address"],
        registration_number=person["registration_number"],
        nights=stay["nights"] if stay else None)


def _officer(content: dict, signatory: Signatory) -> Party:
    """PIHAK PERTAMA of a handover: the officer who recorded the exit, else the signatory."""
    officer = content.get("officer")
    unit = content["letterhead"]["unit"]
    if officer:
        return Party(name=officer["name"], id_number=officer.get("nip"), office=unit)
    return Party(name=signatory.name or "-", id_number=signatory.nip, position=signatory.title,
                 office=unit)


def _addressed(content: dict) -> dict:
    """What a letter to an institution about one client shares (referral and request)."""
    inst = content["institution"]
    return {"number": content["number"], "date": _date(content["date"]),
            "client": _client(content["client"], content["stay"]),
            "institution": Institution(name=inst["name"], kind=inst["kind"], city=inst["city"],
                                       address=inst["address"]),
            "health": content["health"], "tembusan": tuple(content["tembusan"]),
            "verify_url": content["verify_url"]}


def _referral(content: dict) -> ReferralLetterData:
    return ReferralLetterData(
        **_addressed(content), summary=content["assessment"] or "",
        reason=content["reason"] or content["exit_label"],
        belongings=_belongings(content["belongings_returned"]))


def _request(content: dict) -> ReferralRequestData:
    return ReferralRequestData(**_addressed(content), reason=content["reason"],
                               summary=content["assessment"])


def _handover(content: dict, signatory: Signatory) -> HandoverLetterData:
    contact = content["family_contact"]
    return HandoverLetterData(
        number=content["number"], date=_date(content["date"]), exit_type=content["exit_type"],
        client=_client(content["client"], content["stay"]),
        officer=_officer(content, signatory),
        receiver=FamilyContact(name=contact["name"], relation=contact.get("relation"),
                               address=contact.get("address"), phone=contact.get("phone")),
        belongings=_belongings(content["belongings_returned"]), notes=content["reason"],
        verify_url=content["verify_url"])


def _intake_bast(content: dict, signatory: Signatory) -> IntakeBastData:
    receiver = content.get("received_by") or {"name": signatory.name or "-",
                                              "nip": signatory.nip}
    unit = content["letterhead"]["unit"]
    notes = f"Nomor berita acara pengirim: {content['bast_number']}."
    if content.get("notes"):
        notes += " " + content["notes"]
    rows = tuple(
        ClientRow(name_or_alias=person["name"], sex=person["sex"],
                  identity_known=person["identity_known"], birth_date=_date(person["birth_date"]),
                  estimated_age=person["age"] if person["age_estimated"] else None,
                  origin=person["origin_regency"] or person["origin_address"],
                  remarks=person["pmks_name"] + ("; perlu ruang isolasi"
                                                 if person["needs_isolation"] else ""),
                  belongings=_belongings(person["belongings"]))
        for person in content["persons"])
    return IntakeBastData(
        number=content["number"], received_at=_local_time(content["received_at"]),
        sender=Party(name=content["officer_name"], id_label="NRP/NIP",
                     id_number=content["officer_id_number"], office=content["agency_label"]),
        receiver=Party(name=receiver["name"], id_number=receiver.get("nip"), office=unit),
        operation_place=content["operation_place"],
        operation_at=_local_time(content["operation_at"]), clients=rows, notes=notes,
        verify_url=content["verify_url"])


def build_pdf(content: dict, letterhead: Letterhead, signatory: Signatory) -> bytes:
    """The PDF of one letter from its content snapshot (its `kind` picks the document)."""
    kind = content["kind"]
    if kind == "referral":
        data = _referral(content)
    elif kind == "handover":
        data = _handover(content, signatory)
    elif kind == "intake_bast":
        data = _intake_bast(content, signatory)
    elif kind == "referral_request":
        data = _request(content)
    else:
        raise ValueError(f"unknown letter kind {kind!r}")
    return builders.build(data, letterhead, signatory, invariant=True)
