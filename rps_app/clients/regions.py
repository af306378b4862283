"""Region codes of the NIK's first four digits (Kemendagri codes), for showing where a NIK
was issued: Jawa Tengah (33.xx), where most clients come from, and the neighbouring
provinces' regencies near Tegal. Any other code is shown as its number.
"""

PROVINCES = {
    "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah", "34": "DI Yogyakarta",
    "35": "Jawa Timur", "36": "Banten",
}

REGENCIES = {
    "3301": "Kab. Cilacap", "3302": "Kab. Banyumas", "3303": "Kab. Purbalingga",
    "3304": "Kab. Banjarnegara", "3305": "Kab. Kebumen", "3306": "Kab. Purworejo",
    "3307": "Kab. Wonosobo", "3308": "Kab. Magelang", "3309": "Kab. Boyolali",
    "3310": "Kab. Klaten", "3311": "Kab. Sukoharjo", "3312": "Kab. Wonogiri",
    "3313": "Kab. Karanganyar", "3314": "Kab. Sragen", "3315": "Kab. Grobogan",
    "3316": "Kab. Blora", "3317": "Kab. Rembang", "3318": "Kab. Pati", "3319": "Kab. Kudus",
    "3320": "Kab. Jepara", "3321": "Kab. Demak", "3322": "Kab. Semarang",
    "3323": "Kab. Temanggung", "3324": "Kab. Kendal", "3325": "Kab. Batang",
    "3326": "Kab. Pekalongan", "3327": "Kab. Pemalang", "3328": "Kab. Tegal",
    "3329": "Kab. Brebes", "3371": "Kota Magelang", "3372": "Kota Surakarta",
    "3373": "Kota Salatiga", "3374": "Kota Semarang", "3375": "Kota Pekalongan",
    "3376": "Kota Tegal",
    # Jawa Barat, the neighbours west of Brebes
    "3208": "Kab. Kuningan", "3209": "Kab. Cirebon", "3210": "Kab. Majalengka",
    "3212": "Kab. Indramayu", "3274": "Kota Cirebon",
    # DI Yogyakarta
    "3401": "Kab. Kulon Progo", "3402": "Kab. Bantul", "3403": "Kab. Gunungkidul",
    "3404": "Kab. Sleman", "3471": "Kota Yogyakarta",
}


def region_name(nik: str) -> str:
    """"Kab. Tegal, Jawa Tengah" for a NIK starting 3328; the numeric code "99.01" when the
    code is not in the table."""
    province, regency = nik[:2], nik[:4]
    if regency in REGENCIES:
        return f"{REGENCIES[regency]}, {PROVINCES[province]}"
    if province in PROVINCES:
        return f"{PROVINCES[province]} ({nik[:2]}.{nik[2:4]})"
    return f"{nik[:2]}.{nik[2:4]}"
