"""Rules of the reports service as plain Python, no I/O: the catalogue of reports, how a report's rows
become a file (`formats`), and why a run cannot be seen or downloaded (`runs`). Imports nothing of
`reports.store` or `reports.api`.
"""
