"""Realistic sample data for each document: used by the tests and by scripts/render-samples.
Invented people; NIPs and NIKs are well formed but fictitious."""
from datetime import date, datetime

from .base import Letterhead, Signatory
from .letters.data import (Belonging, Client, ClientRow, FamilyContact, HandoverLetterData,
                           Institution, IntakeBastData, Party, ReferralLetterData)

LETTERHEAD = Letterhead(address_lines=("Jalan Raya Procot No. 12, Slawi, Kabupaten Tegal",),
                        phone="(0283) 491234", email="rps.dinsos@tegalkab.go.id")

SIGNATORY = Signatory(name="Drs. Bambang Sutrisno, M.Si.", rank="Penata Tingkat I (III/d)",
                      nip="197203151998031004")

CLIENT = Client(
    name_or_alias="Sutarjo", sex="L", sex_label="Laki-laki", pmks_category=11,
    entered_at=date(2026, 11, 21),
    nik="3328051203700002", birth_place="Pemalang", birth_date=date(1970, 3, 12),
    origin_regency="Kabupaten Pemalang",
    origin_address="Desa Banjarmulya RT 02/RW 05, Kec. Pemalang",
    registration_number="RPS-2026-0412", nights=7)

REFERRAL = ReferralLetterData(
    number="460/012/RPS/XI/2026", date=date(2026, 11, 28), client=CLIENT,
    institution=Institution(name="Panti Pelayanan Sosial Pengemis, Gelandangan dan Orang "
                                 "Terlantar \u201cMardi Utomo\u201d Semarang",
                            kind="panti", city="Semarang", address="Jl. Majapahit No. 2"),
    summary="Klien ditemukan menggelandang di sekitar Terminal Slawi. Klien sehat jasmani, "
            "kooperatif, dan mampu berkomunikasi dengan baik. Penelusuran keluarga di "
            "Kabupaten Pemalang belum menemukan kerabat yang bersedia menerima.",
    health="Tekanan darah normal, tidak ditemukan penyakit menular; klien memerlukan "
           "kacamata baca.",
    reason="Klien memerlukan rehabilitasi sosial lanjutan yang tidak dapat diberikan dalam "
           "batas waktu layanan RPS (7 hari).",
    belongings=(Belonging("Tas ransel berisi pakaian", 1),
                Belonging("Kartu BPJS Kesehatan", 1, "lembar"),
                Belonging("Uang tunai Rp 23.500", 1, "amplop")),
    lampiran="1 (satu) berkas", verify_url="https://rps.tegalkab.go.id/verifikasi/7f3a9c2e41",
    tembusan=("Kepala Dinas Sosial Kabupaten Tegal", "Arsip"))

HANDOVER = HandoverLetterData(
    number="460/015/RPS/XI/2026", date=date(2026, 11, 30), exit_type="family",
    client=Client(name_or_alias="Darsih", sex="P", sex_label="Perempuan", pmks_category=8,
                  entered_at=date(2026, 11, 26),
                  estimated_age=68, origin_regency="Kabupaten Brebes",
                  origin_address="Desa Kluwut, Kec. Bulakamba", registration_number="RPS-2026-0431",
                  nights=4, identity_known=True),
    officer=Party(name="Siti Nurjanah, S.Tr.Sos.", id_label="NIP", id_number="198804122011012003",
                  position="Pekerja Sosial Ahli Pertama",
                  office="UPTD Rumah Perlindungan Sosial Kabupaten Tegal"),
    receiver=FamilyContact(name="Wahyudi", relation="Anak kandung",
                           address="Desa Kluwut RT 04/RW 01, Kec. Bulakamba, Kabupaten Brebes",
                           phone="0812-2761-4420"),
    belongings=(Belonging("Dompet berisi KTP", 1), Belonging("Kain jarik", 2, "lembar")),
    verify_url="https://rps.tegalkab.go.id/verifikasi/91bd04aa7c")

# (name, sex, estimated age, origin); the names in _ALIASES are aliases given by staff
_NAMES = [("Karyono", "L", 52, "Kec. Adiwerna"), ("Gondrong", "L", 35, None),
          ("Sumini", "P", 61, "Kabupaten Brebes"), ("Tasripin", "L", 44, "Kec. Talang"),
          ("Rohmah", "P", 29, "Kota Tegal"), ("Wartono", "L", 70, "Kabupaten Pemalang"),
          ("Daryati", "P", 47, "Kec. Pangkah"), ("Slamet Riyadi", "L", 38, "Kabupaten Banyumas"),
          ("Nur", "P", 16, None)]
_ALIASES = {"Gondrong", "Nur"}


def intake_clients(count: int = 9) -> tuple[ClientRow, ...]:
    """`count` people of a raid (cycling through nine invented ones)."""
    rows = []
    for i in range(count):
        name, sex, age, origin = _NAMES[i % len(_NAMES)]
        known = name not in _ALIASES
        rows.append(ClientRow(
            name_or_alias=name if i < len(_NAMES) else f"{name} {i + 1}", sex=sex,
            identity_known=known, estimated_age=age, origin=origin,
            remarks="Gelandangan" if sex == "L" else "Pengemis; perlu pemeriksaan kesehatan",
            belongings=(Belonging("Tas plastik berisi pakaian", 1),) if i % 3 == 0 else ()))
    return tuple(rows)


INTAKE = IntakeBastData(
    number="300/087/SATPOLPP/XI/2026", received_at=datetime(2026, 11, 2, 22, 15),
    sender=Party(name="Agus Priyanto", id_label="NIP", id_number="198107232006041009",
                 position="Kepala Seksi Operasi dan Pengendalian",
                 office="Satuan Polisi Pamong Praja Kabupaten Tegal"),
    receiver=Party(name="Eko Prasetyo", id_label="NIP", id_number="199002142015031002",
                   position="Petugas Jaga",
                   office="UPTD Rumah Perlindungan Sosial Kabupaten Tegal"),
    operation_place="Alun-alun Slawi dan Terminal Dukuhsalam",
    operation_at=datetime(2026, 11, 2, 20, 30), clients=intake_clients(),
    notes="Dua orang klien dalam kondisi lemah dan perlu pemeriksaan kesehatan.",
    verify_url="https://rps.tegalkab.go.id/verifikasi/c02e5d1f88")
