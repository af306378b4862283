"""Every model, imported once so that SQLAlchemy and Alembic see the whole schema."""
from .audit.models import AuditEntry  # noqa: F401
from .auth.models import ApiToken, LoginFailure, User  # noqa: F401
from .facility.models import Bed, BedOutage, Room  # noqa: F401
from .settings.models import Setting  # noqa: F401
