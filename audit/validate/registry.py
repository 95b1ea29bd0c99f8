"""The complete registry of check kinds: importing the kind modules registers them in
audit.validate.kinds.REGISTRY (they import `kind` from there; nothing imports back)."""

from audit.validate import (  # noqa: F401 - imported for their registrations
    kinds_copied,
    kinds_documents,
    kinds_faults,
    kinds_history,
    kinds_narrative,
    kinds_structure,
    kinds_tables,
    kinds_year_over_year,
)
from audit.validate.kinds import REGISTRY, Kind

__all__ = ["REGISTRY", "Kind"]
