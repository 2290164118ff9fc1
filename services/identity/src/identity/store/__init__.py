"""SQL of the identity service: one function per query, keyword-only arguments, $n parameters,
tables always schema-qualified. One module per aggregate."""
