"""Rules of the reports service as plain Python, no I/O: the catalogue of reports and why a run cannot be
seen or downloaded (`runs`). How rows become a file is `reports.rendering`. Imports nothing of
`reports.store` or `reports.api`.
"""
