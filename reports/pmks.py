"""The 26 PMKS categories of Permensos 8/2012, code -> name.

The single source for the whole project: `rps_app` imports it from here (imports point
`rps_app -> reports`, never the reverse).
"""
PMKS_CATEGORIES: dict[int, str] = {
    1: "Anak Balita Telantar",
    2: "Anak Telantar",
    3: "Anak yang Berhadapan dengan Hukum",
    4: "Anak Jalanan",
    5: "Anak dengan Kedisabilitasan",
    6: "Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah",
    7: "Anak yang Memerlukan Perlindungan Khusus",
    8: "Lanjut Usia Telantar",
    9: "Penyandang Disabilitas",
    10: "Tuna Susila",
    11: "Gelandangan",
    12: "Pengemis",
    13: "Pemulung",
    14: "Kelompok Minoritas",
    15: "Bekas Warga Binaan Lembaga Pemasyarakatan",
    16: "Orang dengan HIV/AIDS",
    17: "Korban Penyalahgunaan NAPZA",
    18: "Korban Perdagangan Orang",
    19: "Korban Tindak Kekerasan",
    20: "Pekerja Migran Bermasalah Sosial",
    21: "Korban Bencana Alam",
    22: "Korban Bencana Sosial",
    23: "Perempuan Rawan Sosial Ekonomi",
    24: "Fakir Miskin",
    25: "Keluarga Bermasalah Sosial Psikologis",
    26: "Komunitas Adat Terpencil",
}


def pmks_name(code: int) -> str:
    """The category's name; an unknown code raises ValueError naming it."""
    try:
        return PMKS_CATEGORIES[code]
    except KeyError:
        raise ValueError(f"kategori PMKS tidak dikenal: {code!r} (harus 1 sampai 26)") from None
