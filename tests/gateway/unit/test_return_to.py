"""A page's way back from the address (web/return_to.py): a path of this site only, else the default,
so that a crafted link cannot lead off the portal."""

from __future__ import annotations

import pytest

from gateway.web.return_to import local_path

DEFAULT = "/durham-childrens/actions"


@pytest.mark.parametrize(
    "raw",
    [
        "/durham-childrens/care-package-line-items",
        "/durham-childrens/care-package-line-items?client_id=6f00&page=2",
        "/durham-childrens/scheduled-payments/3c1b9a2e-7d4f-4e0a-9b1c-2a3d4e5f6a01",
    ],
)
def test_a_path_of_this_site_is_kept(raw):
    assert local_path(raw, DEFAULT) == raw


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/durham-childrens/actions",
        "https://evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",  # browsers drop the tab: "//evil.example"
        "/\n/evil.example",
        " /durham-childrens/home",
        ["/durham-childrens/home"],
    ],
)
def test_anything_else_is_the_default(raw):
    assert local_path(raw, DEFAULT) == DEFAULT
