"""Turn a letter's content snapshot into PDF bytes with the builders of `reports`."""
from datetime import date

from reports.base import Letterhead, Signatory, build_document, field_table, frame_width, para, styles
from reports.indonesian import long_date

TITLES = {"referral": "Surat Rujukan", "handover": "Surat Penyerahan Klien",
          "intake_bast": "Berita Acara Serah Terima"}


def build_pdf(kind: str, content: dict, number: str, issued_on: date,
              letterhead: Letterhead, signatory: Signatory) -> bytes:
    """The PDF of one letter (provisional layout until reports.letters lands)."""
    st = styles()
    width = frame_width()
    story = [para(f"{letterhead.place}, {long_date(issued_on)}", st.right),
             para(TITLES[kind], st.title), para(f"Nomor : {number}", st.center)]
    client = content.get("client")
    if client:
        story.append(field_table([("Nama", client["name"]), ("NIK", client["nik"]),
                                  ("Jenis Kelamin", client["sex_label"])], width))
    for person in content.get("persons", []):
        story.append(para(f"{person['name']} ({person['sex']}, {person['age']})", st.left))
    story += [para(signatory.title, st.right), para(signatory.name, st.right, bold=True)]
    return build_document(story, title=f"{TITLES[kind]} {number}", letterhead=letterhead,
                          invariant=True)
