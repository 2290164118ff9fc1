"""A report's HTML view (the reports service's `html` run format) made safe to place in a portal page.

The reports service escapes every value when it builds the fragment, but the page does not take that on
trust: the fragment is parsed here and written out again from an allow-list, so only the elements and
attributes of a GOV.UK table, heading, paragraph and summary list can reach the page, every text is
escaped again, and nothing can run (no script, style, link, event handler or inline style survives: the
page's CSP forbids them anyway). Each table is put in the portal's scroll box, so a wide report scrolls
sideways inside its box on a phone instead of the whole page.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

ELEMENTS = frozenset(
    {"div", "p", "span", "h1", "h2", "h3", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
    | {"dl", "dt", "dd"}
)
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "noscript", "svg", "math"}
)
CLASS_VALUE = re.compile(r"^[a-z0-9_\- !]*$")  # GOV.UK class names: lower case, digits, -, _, !
SCOPES = frozenset({"row", "col"})


def safe_fragment(html: str, *, table_label: str) -> Markup:
    """`html` with only the allowed elements and attributes, its text escaped, each table scrollable in
    a box named `table_label` for screen readers."""
    cleaner = _Cleaner(table_label)
    cleaner.feed(html)
    cleaner.close()
    cleaned = "".join(cleaner.out + [f"</{tag}>" for tag in reversed(cleaner.open)])
    return Markup(cleaned)  # noqa: S704 -- written out above from the allow-list, every text escaped


class _Cleaner(HTMLParser):
    def __init__(self, table_label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.table_label = table_label
        self.out: list[str] = []
        self.open: list[str] = []  # the allowed elements open, innermost last ("" is a scroll box)
        self.skipping = 0  # inside an element dropped with its content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += 1
            return
        if self.skipping or tag not in ELEMENTS:
            return
        kept = "".join(f' {name}="{escape(value or "")}"' for name, value in attrs if _allowed(name, value))
        if tag == "table":
            label = escape(self.table_label)
            self.out.append(
                f'<div class="portal-table-scroll" tabindex="0" role="region" aria-label="{label}">'
            )
            self.open.append("div")
        self.out.append(f"<{tag}{kept}>")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # no allowed element is empty (no <br>, <img> or <input>)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag not in self.open:
            return
        while self.open:  # close what was left open inside it, then it
            closing = self.open.pop()
            self.out.append(f"</{closing}>")
            if closing == tag:
                break
        if tag == "table" and self.open and self.open[-1] == "div":
            self.out.append(f"</{self.open.pop()}>")  # its scroll box

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))


def _allowed(name: str, value: str | None) -> bool:
    if value is None:
        return False
    if name == "class":
        return CLASS_VALUE.match(value) is not None
    return name == "scope" and value in SCOPES
