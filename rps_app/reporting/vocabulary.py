"""The units of the occupancy reports and the labels the report PDFs print, gathered
from the domains that own them (reports/ gets them as data: reports.periodic.Labels)."""
from reports.periodic import Labels

from ..clients.vocabulary import SEX_LABELS
from ..facility.vocabulary import ROOM_KIND_LABELS
from ..stays.vocabulary import AGENCY_LABELS, EXIT_LABELS, SPM_COMPONENTS

# The bed units of the occupancy reports: the shelters by sex, then the room kinds.
UNIT_LABELS = {"L": "Shelter Putra", "P": "Shelter Putri",
               "isolation": ROOM_KIND_LABELS["isolation"], "shelter": ROOM_KIND_LABELS["shelter"],
               "unplaced": "Belum ditempatkan"}

REPORT_LABELS = Labels(sex=SEX_LABELS, agency=AGENCY_LABELS, exit=EXIT_LABELS, unit=UNIT_LABELS,
                       spm=SPM_COMPONENTS)
