"""Use cases of the identity service, as plain async functions taking their dependencies explicitly."""

from identity.handlers.directory import upsert_organisation

__all__ = ["upsert_organisation"]
