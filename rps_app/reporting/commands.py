"""`rps report KIND --from DATE --to DATE [--out FILE]` and `rps demo-data --stays N`."""
import os

import click

from ..commandline import fail, rps
from ..errors import DomainError
from ..files import private_dir, write_private
from .demo import DEFAULT_STAYS
from .models import REPORT_KINDS


@rps.command("report")
@click.argument("kind", type=click.Choice(REPORT_KINDS))
@click.option("--from", "start_text", required=True, metavar="DATE", help="First date (YYYY-MM-DD).")
@click.option("--to", "end_text", metavar="DATE", help="Last date (YYYY-MM-DD).")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="The PDF file to write.")
def report_command(kind: str, start_text: str, end_text: str | None, out: str | None):
    """Write the PDF report KIND (daily, monthly, occupancy, length-of-stay) of a period."""
    from . import services

    try:
        start, end = services.check_period(kind, start_text, end_text)
    except DomainError as error:
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        fail(f"{error.message} {details}".strip())
    pdf = services.build_pdf(kind, start, end)
    if not out:  # the instance's reports folder holds generated reports (contract.md)
        private_dir(services.reports_dir())
        name = f"{kind}_{start.isoformat()}_{end.isoformat()}.pdf"
        out = os.path.join(services.reports_dir(), name)
    write_private(out, pdf)
    click.echo(f"{os.path.abspath(out)} ({len(pdf)} bytes)")


@rps.command("demo-data")
@click.option("--stays", "stays", type=click.IntRange(1, 2_000_000), default=DEFAULT_STAYS,
              show_default=True,
              help="Jumlah masa tinggal (stay) yang dibuat; 2600 mengisi sekitar delapan bulan "
                   "terakhir sampai hari ini.")
@click.option("--seed", type=int, default=1, show_default=True, help="Benih acak (hasil sama).")
def demo_data_command(stays: int, seed: int):
    """Isi basis data dengan riwayat sintetis yang realistis (demo dan benchmark)."""
    from .demo import generate

    try:
        summary = generate(stays, seed)
    except DomainError as error:
        fail(error.message)
    click.echo(f"Data demo: {summary['clients']} klien, {summary['stays']} masa tinggal, "
               f"{summary['intakes']} BAST, {summary['assignments']} penempatan, "
               f"{summary['services']} layanan SPM, {summary['rollcalls']} apel, "
               f"{summary['stock_movements']} mutasi stok, {summary['audit']} catatan audit; "
               f"{summary['first']} s.d. {summary['last']} "
               f"({summary['seconds']:.1f} detik).")
