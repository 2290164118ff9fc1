from __future__ import annotations

import json

import pytest

from gateway.service_client import Fetched
from gateway.service_problems import unavailable
from gateway.web.branding import (
    DEFAULT_HOURS,
    DEFAULT_TEAM,
    PORTAL,
    Branding,
    SupportContact,
    brand_stylesheet,
    branding_from_identity,
)
from gateway.web.branding_source import IdentityBrandingSource
from gateway.web.colours import contrast_ratio, readable_on_white, text_colour_on, tint
from shared.problems import Problem
from tests.support.branding import demo_brandings

DEMO = demo_brandings()
TELFORD = {
    "slug": "telford-wrekin",
    "name": "Telford & Wrekin Council",
    "primary_colour": "#00594f",
    "support_team": "Provider Portal team",
    "support_email": "ECM@telford.gov.uk",
    "support_phone": None,
    "support_hours": None,
    "help_text": "First paragraph,\nstill the first.\n\n  Second.  \n\n",
    "logo": {"media_type": "image/png", "sha256": "ab" * 32, "bytes": 10},
    "revision": 7,
    "password_rules": ["at least 12 characters"],
    "max_password_failures": 3,
}


def test_contrast_ratio_matches_wcag_examples():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#1d70b8", "#ffffff"), 2) == 5.17


@pytest.mark.parametrize("branding", [*DEMO, PORTAL], ids=lambda b: b.slug)
def test_every_brand_keeps_text_readable(branding):
    assert contrast_ratio(text_colour_on(branding.colour), branding.colour) >= 4.5
    assert contrast_ratio(readable_on_white(branding.colour), "#ffffff") >= 4.5


def test_a_pale_brand_colour_gets_dark_text_and_darker_links():
    assert text_colour_on("#ffdd00") == "#0b0c0c"
    assert contrast_ratio(readable_on_white("#ffdd00"), "#ffffff") >= 4.5


def test_tint():
    assert tint("#000000", 0.5) == "#808080"
    assert tint("#123456", 0) == "#123456"


def test_stylesheet_is_custom_properties_only():
    css = brand_stylesheet(DEMO[0])
    assert css.startswith(":root{--portal-brand-colour:#00594f;--portal-brand-text-colour:#ffffff;")
    assert "url(" not in css


def test_the_list_of_councils_gets_a_class_per_council():
    css = brand_stylesheet(PORTAL, others=DEMO)
    assert css.startswith(":root{--portal-brand-colour:#1f3a5f;")
    assert ".portal-brand--worcestershire-adults{--portal-brand-colour:#8a1538;" in css


def test_branding_refuses_bad_colours_and_reserved_slugs():
    with pytest.raises(ValueError, match="colour"):
        Branding(slug="x", name="X", colour="red", support=SupportContact(team="T"))
    with pytest.raises(ValueError, match="slug"):
        Branding(slug="a}b", name="X", colour="#000000", support=SupportContact(team="T"))
    with pytest.raises(ValueError, match="reserved"):
        Branding(slug="api", name="X", colour="#000000", support=SupportContact(team="T"))


def test_identitys_branding_with_defaults_for_what_the_council_did_not_set():
    branding = branding_from_identity(TELFORD)
    assert branding.title == "Telford & Wrekin Council Provider Portal"
    assert branding.support == SupportContact(
        "Provider Portal team", "ECM@telford.gov.uk", None, DEFAULT_HOURS
    )
    assert branding.help_paragraphs == ["First paragraph, still the first.", "Second."]
    assert branding.logo_url == "/assets/brand/telford-wrekin/logo?v=" + "ab" * 8
    assert branding.stylesheet_url == "/assets/brand/telford-wrekin.css?v=7"
    assert branding.rules.password_rules == ("at least 12 characters",)
    bare = branding_from_identity({"slug": "x", "name": "X", "primary_colour": "#1d70b8"})
    assert (bare.support.team, bare.logo, bare.help_paragraphs) == (DEFAULT_TEAM, None, [])


class Identity:
    """identity's internal branding routes, answering from a dict (its status can be set)."""

    def __init__(self) -> None:
        self.answers: dict[str, dict] = {"telford-wrekin": dict(TELFORD)}
        self.calls: list[str] = []
        self.down = False

    async def fetch(self, path: str) -> Fetched:
        self.calls.append(path)
        if self.down:
            raise unavailable("identity")
        if path.endswith("/authorities"):
            return answer(200, [{"slug": slug} for slug in self.answers])
        slug = path.split("/")[-2]
        if slug not in self.answers:
            return answer(404, {"title": "Not Found"})
        if path.endswith("/logo"):
            return Fetched(200, {"content-type": "image/png"}, b"\x89PNG...")
        return answer(200, self.answers[slug])


def answer(status: int, body: object) -> Fetched:
    return Fetched(status, {"content-type": "application/json"}, json.dumps(body).encode())


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_branding_is_read_once_per_minute_and_a_change_shows_after_it():
    identity, clock = Identity(), Clock()
    source = IdentityBrandingSource(identity.fetch, ttl_seconds=60, clock=clock)
    assert (await source.get("telford-wrekin")).colour == "#00594f"
    identity.answers["telford-wrekin"]["primary_colour"] = "#4b2e83"
    clock.now = 59
    assert (await source.get("telford-wrekin")).colour == "#00594f"  # no call: still the first answer
    assert len(identity.calls) == 1
    clock.now = 61
    assert (await source.get("telford-wrekin")).colour == "#4b2e83"


async def test_an_unknown_address_is_remembered_too():
    identity = Identity()
    source = IdentityBrandingSource(identity.fetch, clock=Clock())
    assert await source.get("no-such-council") is None
    assert await source.get("no-such-council") is None
    assert len(identity.calls) == 1


async def test_when_identity_is_down_the_known_branding_stays_and_the_unknown_is_unavailable():
    identity, clock = Identity(), Clock()
    source = IdentityBrandingSource(identity.fetch, ttl_seconds=60, clock=clock)
    await source.get("telford-wrekin")
    identity.down, clock.now = True, 120
    assert (await source.get("telford-wrekin")).name == "Telford & Wrekin Council"
    with pytest.raises(Problem) as caught:
        await source.get("durham-childrens")
    assert caught.value.status == 503


async def test_every_council_and_the_logo():
    identity = Identity()
    identity.answers["durham-childrens"] = {
        **TELFORD,
        "slug": "durham-childrens",
        "name": "Durham",
        "logo": None,
    }
    source = IdentityBrandingSource(identity.fetch, clock=Clock())
    assert [b.slug for b in await source.all()] == ["durham-childrens", "telford-wrekin"]
    assert await source.logo("telford-wrekin") == ("image/png", b"\x89PNG...")
    assert await source.logo("nowhere") is None
