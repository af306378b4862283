"""Indonesian names of the audit log's action and entity codes, for the audit page. The
codes themselves stay in the database and the API; a code without a name here is shown as
it is. The details keep ISO dates (the API's form); the page shows them the Indonesian way."""
import json
import re
from datetime import date, datetime

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "activate": _l("aktifkan kembali"), "backup": _l("cadangkan"), "create": _l("buat"),
    "deactivate": _l("nonaktifkan"), "delete": _l("hapus"), "demo_data": _l("data demo"),
    "exit": _l("terminasi"), "extend": _l("perpanjang"), "fail": _l("gagal"),
    "generate": _l("buat laporan"), "in_service": _l("tersedia kembali"),
    "isolation": _l("keputusan isolasi"), "issue": _l("terbitkan"), "login": _l("masuk"),
    "login_failed": _l("gagal masuk"), "logout": _l("keluar"), "move": _l("pindah"),
    "out_of_service": _l("tidak tersedia"), "over_limit": _l("melewati batas tinggal"),
    "password_changed": _l("ganti kata sandi"), "password_reset": _l("atur ulang kata sandi"),
    "place": _l("tempatkan"), "reactivate": _l("pakai kembali"), "read": _l("baca"),
    "refused": _l("ditolak"),
    "retire": _l("hentikan"), "search": _l("cari"), "seed": _l("isi awal"),
    "token_issued": _l("token API dibuat"), "token_revoked": _l("token API dicabut"),
    "update": _l("ubah"),
}

ENTITY_LABELS = {
    "bed": _l("tempat tidur"), "case_note": _l("catatan kasus"), "client": _l("klien"),
    "database": _l("basis data"), "institution": _l("lembaga"), "intake": _l("penerimaan"),
    "letter": _l("surat"), "letter_settings": _l("pengaturan surat"),
    "report_run": _l("laporan"), "request": _l("permintaan"), "room": _l("ruang"), "service_record": _l("layanan SPM"),
    "stay": _l("masa tinggal"), "user": _l("pengguna"),
    "stock_item": _l("barang stok"), "stock_movement": _l("mutasi stok"),
    "stock_count": _l("stock opname"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITY_LABELS.get(code, code))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def _shown(value):
    """ISO dates as dd/MM/yyyy and moments as dd/MM/yyyy HH:mm in the local time zone (WIB);
    anything else as it is."""
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return format_date(date.fromisoformat(value), "dd/MM/yyyy")
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:  # a naive time's zone is unknown: leave it alone
            return format_datetime(moment, "dd/MM/yyyy HH:mm")
    return value


def detail_text(detail) -> str:
    """An entry's detail as compact JSON, its dates and times the way the page shows them."""
    return json.dumps(_shown(detail), ensure_ascii=False, sort_keys=True)
