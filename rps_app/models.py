"""Every model, imported once so that SQLAlchemy and Alembic see the whole schema."""
from .audit.models import AuditEntry  # noqa: F401
from .auth.models import ApiToken, LoginFailure, User  # noqa: F401
from .idempotency.models import IdempotencyKey  # noqa: F401
from .facility.models import Bed, BedOutage, Room  # noqa: F401
from .settings.models import Setting  # noqa: F401
from .sequences import Counter  # noqa: F401
from .data_version import DataVersion  # noqa: F401
from .scheduling import JobRun  # noqa: F401
from .referrals.models import Institution, Letter  # noqa: F401
from .clients.models import Client  # noqa: F401
from .stays.models import (BedAssignment, Belonging, CaseNote, Intake,  # noqa: F401
                           IsolationDecision, ServiceRecord, Stay, StayExit, StayExtension)
from .reporting.models import ReportRun  # noqa: F401
