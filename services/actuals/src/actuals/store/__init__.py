"""SQL of the actuals service, one module per table or aggregate: keyword-only functions that take the
caller's scope (`shared.store` with its `{scope}` marker, or an explicit `Unscoped("why")`) and return
`shared.records.Record`s; tables schema-qualified (`actuals.<table>`). None yet: its one table today,
the organisation projection, is written and read by `shared.projections`.
"""
