"""The stock domain's codes and their Indonesian labels (msgids: pages translate them,
PDFs print them as they are)."""
from ..labels import N_


CATEGORY_LABELS = {"pangan": N_("Pangan"), "sandang": N_("Sandang"), "kebersihan": N_("Kebersihan"),
                   "kesehatan": N_("Kesehatan"), "atk": N_("Alat tulis kantor"), "lainnya": N_("Lainnya")}
KIND_LABELS = {"receipt": N_("Penerimaan"), "issue": N_("Pengeluaran"), "disposal": N_("Pemusnahan"),
               "reversal": N_("Pembatalan"), "adjustment": N_("Penyesuaian (opname)")}
SOURCE_LABELS = {"apbd": N_("APBD"), "donation": N_("Donasi"), "transfer": N_("Mutasi/transfer"),
                 "other": N_("Lainnya")}
ALERT_LABELS = {"low": N_("Di bawah minimum"), "expiring": N_("Segera kedaluwarsa"),
                "expired": N_("Kedaluwarsa")}
