"""reports.vocabulary names every code the schema allows, and nothing else."""
from reports import vocabulary
from rps_app.facility.models import ROOM_KINDS
from rps_app.referrals.models import INSTITUTION_KINDS, LETTER_KINDS
from rps_app.stays.models import AGENCIES, EXIT_TYPES, NOTE_KINDS, SCREENING_FLAGS


def test_labels_cover_exactly_the_codes_of_the_models():
    assert tuple(vocabulary.AGENCY_LABELS) == AGENCIES
    assert tuple(vocabulary.EXIT_LABELS) == EXIT_TYPES
    assert tuple(vocabulary.NOTE_LABELS) == NOTE_KINDS
    assert tuple(vocabulary.SCREENING_LABELS) == SCREENING_FLAGS
    assert tuple(vocabulary.ROOM_KIND_LABELS) == ROOM_KINDS
    assert tuple(vocabulary.INSTITUTION_KIND_LABELS) == INSTITUTION_KINDS
    assert tuple(vocabulary.LETTER_KIND_LABELS) == LETTER_KINDS
    assert tuple(vocabulary.SPM_COMPONENTS) == tuple(range(1, 12))
    assert set(vocabulary.SEX_LABELS) == {"L", "P"}
