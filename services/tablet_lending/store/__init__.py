"""tablet_lending's repositories."""

from services.tablet_lending.store.cohorts import CohortRepository

__all__ = ["CohortRepository"]
