"""Official letters (naskah dinas) of the RPS: plain dataclasses in, PDF bytes out.

`build(data, letterhead, signatory)` picks the builder by the data's type:
ReferralLetterData -> surat rujukan, HandoverLetterData -> berita acara penyerahan,
IntakeBastData -> BAST penerimaan, ReferralRequestData -> surat permohonan rujukan.
"""
from ..base import Letterhead, Signatory
from . import handover, intake_bast, referral, request
from .data import (Belonging, Client, ClientRow, FamilyContact, HandoverLetterData, Institution,
                   IntakeBastData, Party, ReferralLetterData, ReferralRequestData)

BUILDERS = {ReferralLetterData: referral.build, HandoverLetterData: handover.build,
            IntakeBastData: intake_bast.build, ReferralRequestData: request.build}

__all__ = ["Belonging", "Client", "ClientRow", "FamilyContact", "HandoverLetterData",
           "Institution", "IntakeBastData", "Party", "ReferralLetterData",
           "ReferralRequestData", "build"]


def build(data, letterhead: Letterhead, signatory: Signatory | None, *,
          invariant: bool = False) -> bytes:
    """The PDF of any letter of this package."""
    try:
        builder = BUILDERS[type(data)]
    except KeyError:
        raise TypeError(f"no letter is built from {type(data).__name__}") from None
    return builder(data, letterhead, signatory, invariant=invariant)
