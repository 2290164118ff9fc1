"""The render worker's work queue and its dead letters: named here so that the composition root declares
them without loading the renderer (reportlab and the fonts, about half a second of every start), which
only the render process needs."""

RENDER_QUEUE = "reports.render"
DEAD_LETTER_QUEUE = f"{RENDER_QUEUE}.dlq"
