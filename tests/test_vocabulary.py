"""Each domain's vocabulary names every code its schema allows, and nothing else; reports/
holds none (it gets labels as data)."""
from pathlib import Path

from rps_app.clients import vocabulary as clients
from rps_app.facility import vocabulary as facility
from rps_app.facility.models import ROOM_KINDS
from rps_app.referrals import vocabulary as referrals
from rps_app.referrals.models import INSTITUTION_KINDS, LETTER_KINDS
from rps_app.reporting.vocabulary import REPORT_LABELS
from rps_app.stays import vocabulary as stays
from rps_app.stays.models import AGENCIES, EXIT_TYPES, NOTE_KINDS, SCREENING_FLAGS


def test_labels_cover_exactly_the_codes_of_the_models():
    assert tuple(stays.AGENCY_LABELS) == AGENCIES
    assert tuple(stays.EXIT_LABELS) == EXIT_TYPES
    assert tuple(stays.NOTE_LABELS) == NOTE_KINDS
    assert tuple(stays.SCREENING_LABELS) == SCREENING_FLAGS
    assert tuple(facility.ROOM_KIND_LABELS) == ROOM_KINDS
    assert tuple(referrals.INSTITUTION_KIND_LABELS) == INSTITUTION_KINDS
    assert tuple(referrals.LETTER_KIND_LABELS) == LETTER_KINDS
    assert tuple(stays.SPM_COMPONENTS) == tuple(range(1, 12))
    assert set(clients.SEX_LABELS) == {"L", "P"}


def test_reports_get_the_labels_as_data():
    assert REPORT_LABELS.sex is clients.SEX_LABELS and REPORT_LABELS.exit is stays.EXIT_LABELS
    assert set(REPORT_LABELS.unit) == {"L", "P", "isolation", "shelter", "unplaced"}
    assert not (Path(__file__).resolve().parent.parent / "reports" / "vocabulary.py").exists()
