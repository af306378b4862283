"""Laporan Rujukan for any range: per institution the referrals sent, accepted (done
included), refused and still waiting, the median days to an answer, and refusals by
reason. Plain data in (the GET /reports/referrals body), PDF bytes out.

`section_rows` gives the same table to the monthly report (through report_collecting).
"""
from reportlab.platypus import Spacer
from reportlab.lib.units import cm

from .base import Letterhead
from .periodic import Meta, decimal, heading, note, number, period_text, render, table

TITLE = "LAPORAN RUJUKAN KLIEN"
REASON_LABELS = {"over_capacity": "Kapasitas penuh", "criteria": "Tidak memenuhi kriteria",
                 "documents": "Dokumen belum lengkap", "other": "Alasan lain"}
HEADER = ["Lembaga", "Dikirim", "Diterima", "Ditolak", "Menunggu", "Median hari"]
WIDTHS = [7, 2, 2.2, 2, 2.5, 2.5]
NOTE = ("Rujukan yang dikirim dalam periode ini. Diterima termasuk yang kliennya sudah "
        "diserahkan. Median hari: dari tanggal surat permohonan sampai tanggal jawaban.")


def _rows(data: dict) -> list[list[str]]:
    rows = [[item["name"], number(item["sent"]), number(item["accepted"]),
             number(item["refused"]), number(item.get("waiting", 0)),
             decimal(item["median_days_to_answer"])]
            for item in data["by_institution"]]
    if rows:
        total = {key: sum(item[key] for item in data["by_institution"])
                 for key in ("sent", "accepted", "refused")}
        waiting = sum(item.get("waiting", 0) for item in data["by_institution"])
        rows.append(["Jumlah", number(total["sent"]), number(total["accepted"]),
                     number(total["refused"]), number(waiting), ""])
    return rows


def _reasons(data: dict, labels: dict | None = None) -> str:
    labels = labels or REASON_LABELS
    parts = [f"{labels.get(k, k)} {number(v)}" for k, v in data["refusals_by_reason"].items()
             if v]
    return "Alasan penolakan: " + ("; ".join(parts) if parts else "tidak ada") + "."


def section_rows(data: dict, labels: dict | None = None):
    """(header, rows, widths, note) for the monthly report's section."""
    return HEADER, _rows(data), WIDTHS, _reasons(data, labels) + " " + NOTE


def build(data: dict, meta: Meta, letterhead: Letterhead, *, invariant: bool = False) -> bytes:
    story = [*heading("A. Rujukan per Lembaga")]
    rows = _rows(data)
    story.append(table(HEADER, rows, WIDTHS) if rows
                 else note("Tidak ada rujukan yang dikirim dalam periode ini."))
    story += [Spacer(1, 0.15 * cm), note(NOTE), *heading("B. Penolakan menurut Alasan")]
    reasons = [[REASON_LABELS.get(k, k), number(v)] for k, v in data["refusals_by_reason"].items()]
    reasons.append(["Jumlah", number(sum(data["refusals_by_reason"].values()))])
    story.append(table(["Alasan", "Jumlah"], reasons, [10, 3]))
    return render(TITLE, f"Periode {period_text(meta)}", story, meta, letterhead,
                  invariant=invariant)
