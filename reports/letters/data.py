"""The plain data a letter is built from. The referrals service fills these from its models
(dates already in local time, WIB); the builders only lay them out."""
from dataclasses import dataclass, field
from datetime import date, datetime

from ..pmks import pmks_name
SEXES = ("L", "P")


def _check_sex(sex: str) -> None:
    if sex not in SEXES:
        raise ValueError(f"jenis kelamin harus 'L' atau 'P', bukan {sex!r}")


@dataclass(frozen=True)
class Belonging:
    """One item taken into safekeeping (or returned): `Tas ransel`, 1, `buah`."""
    description: str
    quantity: int = 1
    unit: str = "buah"


@dataclass(frozen=True)
class Client:
    """The client as a letter identifies them (letters.md: Nama .. Lama Tinggal)."""
    name_or_alias: str
    sex: str  # "L" or "P"
    pmks_category: int  # 1..26, reports.pmks
    entered_at: date | datetime  # the local date of the intake's received_at
    identity_known: bool = True  # False: the name is an alias given by staff
    nik: str | None = None
    birth_place: str | None = None
    birth_date: date | None = None
    estimated_age: int | None = None
    origin_regency: str | None = None
    origin_address: str | None = None
    registration_number: str | None = None
    nights: int | None = None  # length of stay so far (contract.md: nights)
    sex_label: str | None = None  # the clients domain's label (Laki-laki, Perempuan)

    def __post_init__(self) -> None:
        _check_sex(self.sex)
        pmks_name(self.pmks_category)
        if self.nights is not None and self.nights < 0:
            raise ValueError("lama tinggal tidak boleh negatif")


@dataclass(frozen=True)
class Institution:
    """Where a referral goes; `kind` as in contract.md: panti, balai, hospital, dinsos, other."""
    name: str
    kind: str
    city: str
    address: str | None = None


@dataclass(frozen=True)
class Party:
    """A person acting for an office in a berita acara (PIHAK PERTAMA / PIHAK KEDUA)."""
    name: str
    id_label: str = "NIP"  # "NIP", "NRP" or "NRP/NIP"
    id_number: str | None = None
    position: str | None = None  # jabatan
    office: str | None = None  # instansi


@dataclass(frozen=True)
class FamilyContact:
    """Who receives a client on a `family` or `home_region` exit (contract.md family_contact)."""
    name: str
    relation: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ReferralLetterData:
    """Surat rujukan for an exit to a panti, balai or hospital."""
    number: str
    date: date
    client: Client
    institution: Institution
    summary: str  # assessment: the case in a few sentences
    reason: str  # why this referral
    health: str | None = None
    belongings: tuple[Belonging, ...] = ()
    sifat: str = "Biasa"
    lampiran: str = "-"
    hal: str = "Rujukan Klien"
    tembusan: tuple[str, ...] = ()
    verify_url: str | None = None


@dataclass(frozen=True)
class ReferralRequestData:
    """Surat permohonan rujukan: asks an institution to receive a client still in residence."""
    number: str
    date: date
    client: Client
    institution: Institution
    reason: str  # why the client is referred
    summary: str | None = None  # assessment
    health: str | None = None
    sifat: str = "Penting"
    lampiran: str = "-"
    hal: str = "Permohonan Rujukan Klien"
    tembusan: tuple[str, ...] = ()
    verify_url: str | None = None


HANDOVER_KINDS = ("family", "home_region")


@dataclass(frozen=True)
class HandoverLetterData:
    """Berita acara penyerahan for an exit to the family or the home region."""
    number: str
    date: date | datetime  # the day of the handover
    exit_type: str  # "family" or "home_region"
    client: Client
    officer: Party  # PIHAK PERTAMA: the RPS officer who hands over
    receiver: FamilyContact  # PIHAK KEDUA
    belongings: tuple[Belonging, ...] = ()
    notes: str | None = None
    verify_url: str | None = None

    def __post_init__(self) -> None:
        if self.exit_type not in HANDOVER_KINDS:
            raise ValueError("jenis terminasi harus family atau home_region, "
                             f"bukan {self.exit_type!r}")


@dataclass(frozen=True)
class ClientRow:
    """One person in an intake BAST."""
    name_or_alias: str
    sex: str
    identity_known: bool = True
    birth_date: date | None = None
    estimated_age: int | None = None
    origin: str | None = None
    remarks: str | None = None  # Keterangan: PMKS category, condition
    belongings: tuple[Belonging, ...] = ()

    def __post_init__(self) -> None:
        _check_sex(self.sex)


@dataclass(frozen=True)
class IntakeBastData:
    """BAST penerimaan: one handover by Satpol PP (or another sender) of a whole raid."""
    number: str
    received_at: datetime  # local time of the handover at the RPS
    sender: Party  # PIHAK PERTAMA
    receiver: Party  # PIHAK KEDUA: the RPS duty officer
    operation_place: str
    operation_at: datetime  # local time of the raid
    clients: tuple[ClientRow, ...] = field(default_factory=tuple)
    notes: str | None = None
    verify_url: str | None = None
    timezone_label: str = "WIB"
