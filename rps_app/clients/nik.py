"""NIK (Nomor Induk Kependudukan) checks, as contract.md fixes them.

16 digits: 1-6 region, 7-12 birth date DDMMYY with 40 added to the day for women,
13-16 a serial from 0001. Only the form is checked; whether the number exists is for
Disdukcapil to say.
"""
from datetime import date

from ..errors import DomainError


def nik_problem(nik: str, sex: str | None = None, birth_date: date | None = None) -> str | None:
    """What is wrong with `nik` (Indonesian text), or None when it is well formed."""
    if not isinstance(nik, str) or len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        return "NIK harus terdiri dari 16 angka."
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if 1 <= day <= 31:
        nik_sex = "L"
    elif 41 <= day <= 71:
        nik_sex, day = "P", day - 40
    else:
        return "Tanggal lahir pada NIK (digit 7-8) harus 01-31 (laki-laki) atau 41-71 (perempuan)."
    if sex in ("L", "P") and sex != nik_sex:
        return ("NIK tidak sesuai dengan jenis kelamin: digit 7-8 bernilai 01-31 untuk laki-laki "
                "dan 41-71 untuk perempuan.")
    if not 1 <= month <= 12:
        return "Bulan lahir pada NIK (digit 9-10) harus 01-12."
    if birth_date is not None and (day, month, year) != (birth_date.day, birth_date.month,
                                                         birth_date.year % 100):
        return "NIK tidak sesuai dengan tanggal lahir (digit 7-12: DDMMYY)."
    if nik[12:16] == "0000":
        return "Nomor urut pada NIK (digit 13-16) tidak boleh 0000."
    return None


def validate_nik(nik: str, sex: str | None = None, birth_date: date | None = None,
                 field: str = "nik") -> str:
    """The NIK itself, or 422 `invalid_nik` naming `field`."""
    problem = nik_problem(nik, sex, birth_date)
    if problem:
        raise DomainError("NIK tidak valid.", {field: problem}, code="invalid_nik", status=422)
    return nik


def decode(nik: str, today: date) -> dict | None:
    """What a well-formed NIK tells: {sex, birth_date, region}, or None when it is not well
    formed. The two-digit year is taken in the century that puts the birth date on or
    before `today`."""
    if nik_problem(nik) is not None:
        return None
    from .regions import region_name

    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    century = 2000 if 2000 + year <= today.year else 1900
    try:
        birth = date(century + year, month, day)
        if birth > today:
            birth = date(century - 100 + year, month, day)
    except ValueError:  # 31 February: the form is right, the date is not
        birth = None
    return {"sex": sex, "birth_date": birth, "region": region_name(nik)}
