"""Referrals' codes (institution kinds, letter kinds, referral states, refusal reasons)
and their Indonesian labels."""
from ..labels import N_

INSTITUTION_KIND_LABELS = {
    "panti": N_("Panti sosial"), "balai": N_("Balai / Sentra (Kemensos)"),
    "hospital": N_("Rumah sakit"), "dinsos": N_("Dinas Sosial"), "other": N_("Lainnya"),
}
LETTER_KIND_LABELS = {
    "referral": N_("Surat rujukan"), "handover": N_("Berita acara penyerahan"),
    "intake_bast": N_("BAST penerimaan"), "referral_request": N_("Surat permohonan rujukan"),
}
REFERRAL_STATUS_LABELS = {
    "sent": N_("Menunggu jawaban"), "accepted": N_("Diterima"), "refused": N_("Ditolak"),
    "done": N_("Selesai (klien diserahkan)"),
}
REFUSAL_REASON_LABELS = {
    "over_capacity": N_("Kapasitas penuh"), "criteria": N_("Tidak memenuhi kriteria"),
    "documents": N_("Dokumen belum lengkap"), "other": N_("Alasan lain"),
}
