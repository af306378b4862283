"""Surat rujukan: the referral letter for an exit to a panti, a balai or a hospital."""
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether

from ..indonesian import long_date
from ..base import Letterhead, Signatory, build_document, field_table, markup, para, styles
from . import parts
from .data import ReferralLetterData

# What the client is referred for, by the institution's kind (contract.md kinds).
PURPOSES = {
    "panti": "mendapatkan pelayanan dan rehabilitasi sosial lanjutan",
    "balai": "mendapatkan rehabilitasi sosial lanjutan",
    "hospital": "mendapatkan pemeriksaan dan perawatan kesehatan lebih lanjut",
}
DEFAULT_PURPOSE = "mendapatkan penanganan lebih lanjut"


def addressee_title(kind: str) -> str:
    """A hospital is headed by a Direktur, the others by a Kepala."""
    return "Direktur" if kind == "hospital" else "Kepala"


def _header(data: ReferralLetterData, lh: Letterhead) -> list:
    """Number block on the left; date and addressee on the right (the classic layout that
    keeps a one-page letter on one page)."""
    st = styles()
    left_width = 8.6 * cm
    number = field_table([("Nomor", data.number), ("Sifat", data.sifat),
                          ("Lampiran", data.lampiran), ("Hal", data.hal)],
                         left_width - 0.3 * cm, label_width=2.1 * cm)
    inst = data.institution
    addressee = [
        para(f"{lh.place}, {long_date(data.date)}", st.left),
        parts.gap(0.5),
        para(f"Yth. {addressee_title(inst.kind)} {inst.name}", st.left),
        para("di -", st.left),
        para(inst.city.upper(), st.left.clone("city", leftIndent=1 * cm)),
    ]
    return [parts.columns([number, addressee], [left_width, parts.WIDTH - left_width]),
            parts.gap(0.4)]


def _body(data: ReferralLetterData, lh: Letterhead) -> list:
    st = styles()
    inst = data.institution
    purpose = PURPOSES.get(inst.kind, DEFAULT_PURPOSE)
    story = [
        para("Dengan hormat,", st.left), parts.gap(0.2),
        markup("Bersama ini kami rujuk seorang klien {issuer} untuk {purpose} di {institution}, "
               "dengan identitas sebagai berikut:", st.body,
               issuer=lh.issuer, purpose=purpose, institution=inst.name),
        parts.gap(0.2), parts.identity_table(parts.client_rows(data.client)), parts.gap(0.3),
    ]
    sections = [("Hasil asesmen", data.summary), ("Kondisi kesehatan", data.health),
                ("Alasan rujukan", data.reason)]
    for label, text in sections:
        if text:
            story += [markup("<b>{label}:</b> {text}", st.body, label=label, text=text),
                      parts.gap(0.2)]
    story += [KeepTogether([
                  para("Bersama klien kami serahkan pula barang milik klien sebagai berikut:",
                       st.body),
                  parts.belongings_list(data.belongings)]), parts.gap(0.3)]
    return story


def closing(data, signatory: Signatory, what: str = "surat rujukan") -> KeepTogether:
    """The thanks and the signature stay on one page (the verification QR on the left)."""
    sign_width = 9 * cm
    left = parts.qr_block(data.verify_url) if data.verify_url else ""
    thanks = para(f"Demikian {what} ini kami sampaikan. Atas perhatian dan kerja sama "
                  "Bapak/Ibu, kami ucapkan terima kasih.", styles().body)
    return KeepTogether([thanks, parts.gap(0.3),
                         parts.columns([left, parts.signatory_block(signatory)],
                                       [parts.WIDTH - sign_width, sign_width])])


def build(data: ReferralLetterData, letterhead: Letterhead, signatory: Signatory, *,
          invariant: bool = False) -> bytes:
    story = (_header(data, letterhead) + _body(data, letterhead)
             + [closing(data, signatory)] + parts.tembusan(data.tembusan))
    return build_document(story, title=f"Surat Rujukan {data.number}", letterhead=letterhead,
                          subject=data.hal, footer_note=f"Nomor {data.number}",
                          invariant=invariant)
