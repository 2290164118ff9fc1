"""SQL of the payments service: keyword-only functions that take the caller's scope (`shared.store`) and
return Records. None yet: its organisation projection is `shared.projections`'."""
