"""The client flow's codes (agencies, exit types, case note kinds, screening flags, SPM
components) and their Indonesian labels."""
from ..labels import N_

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
