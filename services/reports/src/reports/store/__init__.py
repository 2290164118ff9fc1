"""SQL of the reports service, one module per table: keyword-only functions that take the caller's
scope (`shared.store`: a `{scope}` marker, `AuthorityScope` for the system working for an authority, or
an explicit `Unscoped("why")`) and return `shared.records.Record`s; tables schema-qualified.
"""
