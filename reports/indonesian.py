"""Indonesian dates, Roman month numerals and numbers in words, as official letters write them.

Dates come from Babel's Indonesian locale data ("6 November 2026"); the full form is built
here because Babel's `format="full"` pads the day ("Jumat, 06 November 2026"), which letters
do not do.
"""
from datetime import date, datetime

from babel.dates import format_date, get_day_names, get_month_names

LOCALE = "id"

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan",
          "sembilan", "sepuluh", "sebelas")
# Each scale with the word for exactly one of it: "seribu", but "satu juta".
_SCALES = ((10**12, "triliun", "satu triliun"), (10**9, "miliar", "satu miliar"),
           (10**6, "juta", "satu juta"), (1000, "ribu", "seribu"))
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def long_date(value: date | datetime) -> str:
    """`6 November 2026`: day without a leading zero, month name, four-digit year."""
    return format_date(_as_date(value), format="long", locale=LOCALE)


def day_name(value: date | datetime) -> str:
    """`Senin`, `Selasa`, ... `Minggu`."""
    return get_day_names("wide", locale=LOCALE)[_as_date(value).weekday()]


def full_date(value: date | datetime) -> str:
    """`Jumat, 6 November 2026`."""
    return f"{day_name(value)}, {long_date(value)}"


def month_name(month: int) -> str:
    """`Januari` .. `Desember`."""
    if not 1 <= month <= 12:
        raise ValueError(f"bulan harus 1 sampai 12, bukan {month}")
    return get_month_names("wide", locale=LOCALE)[month]


def month_year(value: date | datetime) -> str:
    """A monthly period as reports name it: `November 2026`."""
    value = _as_date(value)
    return f"{month_name(value.month)} {value.year}"


def roman_month(month: int) -> str:
    """The month in a letter number: 11 -> `XI`."""
    if not 1 <= month <= 12:
        raise ValueError(f"bulan harus 1 sampai 12, bukan {month}")
    return _ROMAN[month - 1]


def time_of_day(value: datetime) -> str:
    """`21.30`: Indonesian writes the time with a dot."""
    return f"{value.hour:02d}.{value.minute:02d}"


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_UNITS[hundreds], "ratus"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words += [_UNITS[tens], "puluh"]
        if ones:
            words.append(_UNITS[ones])
    elif rest >= 12:
        words += [_UNITS[rest - 10], "belas"]
    elif rest:
        words.append(_UNITS[rest])
    return words


def number_words(n: int) -> str:
    """An integer in Indonesian words: 2026 -> `dua ribu dua puluh enam`, 0 -> `nol`."""
    if n < 0:
        return "minus " + number_words(-n)
    if n == 0:
        return "nol"
    if n >= 1000 * 10**12:
        raise ValueError("angka terlalu besar untuk ditulis dengan huruf")
    words: list[str] = []
    for size, name, single in _SCALES:
        count, n = divmod(n, size)
        if count == 1:
            words.append(single)
        elif count:
            words += _below_thousand(count) + [name]
    words += _below_thousand(n)
    return " ".join(words)


def count_with_words(n: int, unit: str = "") -> str:
    """`9 (sembilan) orang`: figures, then words in brackets, then the unit."""
    text = f"{n} ({number_words(n)})"
    return f"{text} {unit}" if unit else text


def date_in_words(value: date | datetime) -> str:
    """`hari Senin tanggal dua bulan November tahun dua ribu dua puluh enam`."""
    value = _as_date(value)
    return (f"hari {day_name(value)} tanggal {number_words(value.day)} bulan "
            f"{month_name(value.month)} tahun {number_words(value.year)}")


def berita_acara_opening(value: date | datetime) -> str:
    """The opening words of a berita acara: `Pada hari ini Senin tanggal dua bulan ...`."""
    return "Pada hari ini " + date_in_words(value).removeprefix("hari ")


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a date."""
    years = on.year - birth_date.year
    return years - ((on.month, on.day) < (birth_date.month, birth_date.day))
