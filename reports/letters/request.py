"""Surat permohonan rujukan: asks a panti, a balai or a hospital to receive a client who is
still in residence at the RPS, and to answer (accepted, or refused with the reason). Same
parts as the surat rujukan (letters.md): number block, addressee, identity, signature."""
from ..base import Letterhead, Signatory, build_document, markup, para, styles
from . import parts
from .data import ReferralRequestData
from .referral import DEFAULT_PURPOSE, PURPOSES, _header, closing


def _body(data: ReferralRequestData, lh: Letterhead) -> list:
    st = styles()
    inst = data.institution
    purpose = PURPOSES.get(inst.kind, DEFAULT_PURPOSE)
    story = [
        para("Dengan hormat,", st.left), parts.gap(0.2),
        markup("Bersama ini kami mohon kesediaan {institution} untuk menerima rujukan seorang "
               "klien {issuer} guna {purpose}. Klien saat ini masih berada di {issuer}, dengan "
               "identitas sebagai berikut:", st.body,
               institution=inst.name, issuer=lh.issuer, purpose=purpose),
        parts.gap(0.2), parts.identity_table(parts.client_rows(data.client)), parts.gap(0.3),
    ]
    for label, text in (("Alasan rujukan", data.reason), ("Hasil asesmen", data.summary),
                        ("Kondisi kesehatan", data.health)):
        if text:
            story += [markup("<b>{label}:</b> {text}", st.body, label=label, text=text),
                      parts.gap(0.2)]
    story += [para("Kami mohon jawaban atas permohonan ini (diterima, atau tidak dapat diterima "
                   "beserta alasannya, misalnya kapasitas penuh) dengan menyebut nomor surat "
                   "ini, agar klien dapat segera kami antar atau kami rujuk ke lembaga lain.",
                   st.body), parts.gap(0.3)]
    return story


def build(data: ReferralRequestData, letterhead: Letterhead, signatory: Signatory, *,
          invariant: bool = False) -> bytes:
    story = (_header(data, letterhead) + _body(data, letterhead)
             + [closing(data, signatory, "permohonan")] + parts.tembusan(data.tembusan))
    return build_document(story, title=f"Surat Permohonan Rujukan {data.number}",
                          letterhead=letterhead, subject=data.hal,
                          footer_note=f"Nomor {data.number}", invariant=invariant)
