from datetime import date

import pytest

from rps_app.clients.nik import nik_problem, validate_nik
from rps_app.errors import DomainError

from .stays_support import make_nik

BIRTH = date(1980, 5, 17)


@pytest.mark.parametrize("nik, sex, birth", [
    ("3328011705800001", "L", BIRTH),
    ("3328015705800001", "P", BIRTH),   # women: day + 40
    ("3328010101000001", "L", date(2000, 1, 1)),
    ("3376017112990009", "P", None),    # day 71 = 31 for a woman, Kota Tegal
    ("3328013112999999", None, None),
])
def test_well_formed(nik, sex, birth):
    assert nik_problem(nik, sex, birth) is None
    assert validate_nik(nik, sex, birth) == nik


@pytest.mark.parametrize("nik, sex, birth, words", [
    ("332801170580001", "L", None, "16 angka"),          # 15 digits
    ("33280117058000012", "L", None, "16 angka"),        # 17 digits
    ("33280117058O0001", "L", None, "16 angka"),         # a letter O
    ("３３２８０１１７０５８０００１", "L", None, "16 angka"),  # full-width digits
    ("3328010005800001", "L", None, "01-31"),            # day 00
    ("3328013205800001", "L", None, "01-31"),            # day 32
    ("3328014005800001", "P", None, "01-31"),            # day 40
    ("3328017205800001", "P", None, "01-31"),            # day 72
    ("3328015705800001", "L", None, "jenis kelamin"),    # a woman's day for a man
    ("3328011705800001", "P", None, "jenis kelamin"),    # a man's day for a woman
    ("3328011700800001", "L", None, "Bulan"),            # month 00
    ("3328011713800001", "L", None, "Bulan"),            # month 13
    ("3328011805800001", "L", BIRTH, "tanggal lahir"),   # day differs
    ("3328011706800001", "L", BIRTH, "tanggal lahir"),   # month differs
    ("3328011705810001", "L", BIRTH, "tanggal lahir"),   # year differs
    ("3328011705800000", "L", None, "0000"),             # serial 0000
])
def test_malformed(nik, sex, birth, words):
    problem = nik_problem(nik, sex, birth)
    assert problem is not None and words in problem
    with pytest.raises(DomainError) as caught:
        validate_nik(nik, sex, birth, field="clients.0.nik")
    assert caught.value.code == "invalid_nik" and caught.value.status == 422
    assert caught.value.fields == {"clients.0.nik": problem}


def test_not_text():
    assert "16 angka" in nik_problem(3328011705800001, "L")


def test_helper_builds_valid_niks():
    for sex in ("L", "P"):
        for birth in (date(1950, 12, 31), date(2010, 2, 1)):
            assert nik_problem(make_nik(sex, birth, 7), sex, birth) is None
