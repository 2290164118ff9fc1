"""Where a page's Back and Cancel lead when another page sent the person there: the `return_to` the
link carried (kept through a refused form in a hidden field). It comes from the address, so it is used
only as a path of this site; anything else is the page's usual way back, so that a crafted link cannot
send a person off the portal (OWASP Unvalidated Redirects and Forwards)."""

from __future__ import annotations

from urllib.parse import urlsplit

RETURN_TO = "return_to"


def local_path(raw: object, default: str) -> str:
    """`raw` if it is a path of this site ("/durham-childrens/care-package-line-items?page=2"), else
    `default`. Not "//host" nor "/\\host" (browsers read both as another host), no scheme, and no
    control character (browsers drop a tab or newline, so "/\\t/host" would become "//host")."""
    if not isinstance(raw, str) or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw
