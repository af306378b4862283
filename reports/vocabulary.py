"""The Indonesian names of the project's codes (agencies, exit types, sexes, room kinds, note
kinds, screening flags, SPM components, institution and letter kinds), code -> label.

The single source for the whole project, like reports.pmks: `rps_app` imports it from here
(imports point `rps_app -> reports`, never the reverse). The reports and letters print the
labels as they are; the web pages show them through lazy gettext (`translated()` in the
forms), so the labels are marked with `N_`, which scripts/translations extracts as msgids.
"""


def N_(text: str) -> str:
    """Marks a label for extraction; it is translated where it is shown, not here."""
    return text


SEX_LABELS = {"L": N_("Laki-laki"), "P": N_("Perempuan")}
AGENCY_LABELS = {
    "satpol_pp": N_("Satpol PP"), "polres": N_("Polres"), "polsek": N_("Polsek"),
    "dinsos": N_("Dinas Sosial"), "hospital": N_("Rumah sakit"),
    "public": N_("Masyarakat"), "self": N_("Datang sendiri"),
}
EXIT_LABELS = {
    "family": N_("Reunifikasi dengan keluarga"), "home_region": N_("Dipulangkan ke daerah asal"),
    "panti": N_("Dirujuk ke panti"), "balai": N_("Dirujuk ke balai"),
    "hospital": N_("Dirujuk ke rumah sakit"), "absconded": N_("Melarikan diri"),
    "deceased": N_("Meninggal dunia"), "other": N_("Lainnya"),
}
NOTE_LABELS = {
    "initial_assessment": N_("Asesmen awal"), "health": N_("Kesehatan"),
    "guidance": N_("Bimbingan"), "family_tracing": N_("Penelusuran keluarga"),
    "case_conference": N_("Konferensi kasus"), "incident": N_("Insiden"),
}
SCREENING_LABELS = {
    "sick_injured": N_("Sakit / luka"), "psychotic": N_("Tanda psikotik"),
    "intoxicated": N_("Mabuk / dalam pengaruh zat"), "aggressive": N_("Agresif"),
    "contagious": N_("Diduga penyakit menular"),
}
ROOM_KIND_LABELS = {
    "shelter": N_("Shelter"), "isolation": N_("Ruang Isolasi"), "therapy": N_("Ruang Terapi"),
    "guard_post": N_("Pos Jaga"), "communal": N_("Ruang Komunal"), "lobby": N_("Lobby"),
    "kitchen": N_("Dapur"), "logistics": N_("Logistik"), "office": N_("Kantor"),
    "head_office": N_("Ruang Ka. RPS"), "guest_house": N_("Guest House"),
}
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
# The SPM components of Permensos 9/2018, numbered as in domain.md. Names of the regulation,
# shown untranslated like the PMKS categories.
SPM_COMPONENTS = {
    1: "Permakanan", 2: "Sandang", 3: "Alat bantu", 4: "Perbekalan kesehatan",
    5: "Bimbingan fisik, mental spiritual dan sosial",
    6: "Bimbingan sosial kepada keluarga dan masyarakat",
    7: "Bantuan memperoleh dokumen kependudukan (NIK, akta kelahiran, KIA)",
    8: "Akses layanan pendidikan dan kesehatan", 9: "Penelusuran keluarga",
    10: "Reunifikasi / reintegrasi sosial", 11: "Rujukan",
}
# The bed units of the occupancy reports: the shelters by sex, then the room kinds.
UNIT_LABELS = {"L": "Shelter Putra", "P": "Shelter Putri",
               "isolation": ROOM_KIND_LABELS["isolation"], "shelter": ROOM_KIND_LABELS["shelter"],
               "unplaced": "Belum ditempatkan"}
