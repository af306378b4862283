"""Indonesian dates, Roman months and numbers in words (reports.indonesian), and the PMKS list."""
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import indonesian as idn
from reports.pmks import PMKS_CATEGORIES, pmks_name


@pytest.mark.parametrize("n, words", [
    (0, "nol"), (1, "satu"), (7, "tujuh"), (10, "sepuluh"), (11, "sebelas"),
    (12, "dua belas"), (19, "sembilan belas"), (20, "dua puluh"), (21, "dua puluh satu"),
    (99, "sembilan puluh sembilan"), (100, "seratus"), (101, "seratus satu"),
    (111, "seratus sebelas"), (200, "dua ratus"), (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"), (1001, "seribu satu"), (1100, "seribu seratus"),
    (2026, "dua ribu dua puluh enam"), (11000, "sebelas ribu"), (100000, "seratus ribu"),
    (1000000, "satu juta"), (2500000, "dua juta lima ratus ribu"),
    (1000000000, "satu miliar"), (-5, "minus lima"),
])
def test_number_words(n, words):
    assert idn.number_words(n) == words


_DIGITS = {w: i for i, w in enumerate(
    ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"])}
_SE = {"sepuluh": 10, "sebelas": 11, "seratus": 100}
_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}


def _parse(words: str) -> int:
    """An independent reader of Indonesian number words, to check number_words round-trips."""
    total = group = current = 0
    for word in words.split():
        if word in _DIGITS:
            current = _DIGITS[word]
        elif word in _SE:
            group += _SE[word]
        elif word == "seribu":
            total += 1000
        elif word == "belas":
            group, current = group + current + 10, 0
        elif word == "puluh":
            group, current = group + current * 10, 0
        elif word == "ratus":
            group, current = group + current * 100, 0
        else:
            total, group, current = total + (group + current) * _SCALES[word], 0, 0
    return total + group + current


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_number_words_round_trip(n):
    words = idn.number_words(n)
    assert "  " not in words and words == words.strip()
    assert _parse(words) == n


def test_number_words_refuses_too_large():
    with pytest.raises(ValueError):
        idn.number_words(10**15)


def test_dates_the_indonesian_way():
    assert idn.long_date(date(2026, 11, 6)) == "6 November 2026"
    assert idn.long_date(datetime(2026, 11, 28, 23, 59)) == "28 November 2026"
    assert idn.full_date(date(2026, 11, 6)) == "Jumat, 6 November 2026"
    assert idn.day_name(date(2026, 11, 8)) == "Minggu"
    assert idn.month_year(date(2026, 11, 30)) == "November 2026"
    assert [idn.month_name(m) for m in (1, 2, 8, 12)] == ["Januari", "Februari", "Agustus",
                                                         "Desember"]


def test_roman_months():
    assert [idn.roman_month(m) for m in range(1, 13)] == [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    with pytest.raises(ValueError):
        idn.roman_month(13)
    with pytest.raises(ValueError):
        idn.month_name(0)


def test_berita_acara_phrases():
    assert idn.berita_acara_opening(date(2026, 11, 2)) == (
        "Pada hari ini Senin tanggal dua bulan November tahun dua ribu dua puluh enam")
    assert idn.date_in_words(date(2026, 12, 31)) == (
        "hari Kamis tanggal tiga puluh satu bulan Desember tahun dua ribu dua puluh enam")
    assert idn.count_with_words(9, "orang") == "9 (sembilan) orang"
    assert idn.count_with_words(1) == "1 (satu)"
    assert idn.time_of_day(datetime(2026, 11, 2, 7, 5)) == "07.05"


def test_age_on_counts_whole_years():
    born = date(1970, 3, 12)
    assert idn.age_on(born, date(2026, 3, 11)) == 55
    assert idn.age_on(born, date(2026, 3, 12)) == 56


def test_pmks_categories_are_the_26_of_the_contract():
    assert sorted(PMKS_CATEGORIES) == list(range(1, 27))
    assert pmks_name(11) == "Gelandangan"
    assert pmks_name(12) == "Pengemis"
    assert pmks_name(26) == "Komunitas Adat Terpencil"
    with pytest.raises(ValueError, match="27"):
        pmks_name(27)
