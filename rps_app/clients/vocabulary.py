"""The clients domain's codes and their Indonesian labels."""
from ..labels import N_

SEX_LABELS = {"L": N_("Laki-laki"), "P": N_("Perempuan")}
AGENCY_LABELS = {
    "satpol_pp": N_("Satpol PP"), "polres": N_("Polres"), "polsek": N_("Polsek"),
    "dinsos": N_("Dinas Sosial"), "hospital": N_("Rumah sakit"),
    "public": N_("Masyarakat"), "self": N_("Datang sendiri"),
}
