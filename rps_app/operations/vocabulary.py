"""The daily-operations domain's codes and their Indonesian labels (msgids: pages translate
them, the API and PDFs give them as they are). N_ marks them for extraction."""
from ..labels import N_

SHIFT_LABELS = {"pagi": N_("Pagi (07.00–14.00)"), "siang": N_("Siang (14.00–21.00)"),
                "malam": N_("Malam (21.00–07.00)")}
SESSION_LABELS = {"pagi": N_("Apel pagi (07.00)"), "malam": N_("Apel malam (21.00)")}
STATUS_LABELS = {"present": N_("Hadir"), "absent": N_("Tidak ada (absen)"),
                 "permitted": N_("Izin keluar"), "hospital": N_("Di rumah sakit")}
KIND_LABELS = {"medical": N_("Medis"), "conflict": N_("Konflik antarklien"),
               "violence": N_("Kekerasan"), "self_harm": N_("Melukai diri"),
               "abscond": N_("Melarikan diri"), "property": N_("Kerusakan/kehilangan barang"),
               "other": N_("Lainnya")}
SEVERITY_LABELS = {"low": N_("Ringan"), "medium": N_("Sedang"), "high": N_("Berat")}
LEAVE_LABELS = {"cuti": N_("Cuti"), "sakit": N_("Sakit"), "dinas_luar": N_("Dinas luar")}
GAP_REASONS = {
    "understaffed": N_("Petugas yang tersedia pada hari itu tidak cukup (cuti, sudah bertugas, "
                    "atau aturan istirahat dan tugas malam)."),
    "no_female_staff": N_("Tidak ada petugas perempuan yang dapat bertugas pada giliran itu."),
}
