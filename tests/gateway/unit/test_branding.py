from __future__ import annotations

import pytest

from gateway.web.branding import (
    DEMO_BRANDINGS,
    PORTAL,
    Branding,
    StaticBrandingSource,
    SupportContact,
    brand_stylesheet,
)
from gateway.web.colours import contrast_ratio, readable_on_white, text_colour_on, tint


def test_contrast_ratio_matches_wcag_examples():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#1d70b8", "#ffffff"), 2) == 5.17


@pytest.mark.parametrize("branding", [*DEMO_BRANDINGS, PORTAL], ids=lambda b: b.slug)
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
    css = brand_stylesheet(DEMO_BRANDINGS[0])
    assert css.startswith(":root{--portal-brand-colour:#00594f;--portal-brand-text-colour:#ffffff;")
    assert "url(" not in css


def test_the_list_of_councils_gets_a_class_per_council():
    css = brand_stylesheet(PORTAL, others=DEMO_BRANDINGS)
    assert css.startswith(":root{--portal-brand-colour:#1f3a5f;")
    assert ".portal-brand--worcestershire-adults{--portal-brand-colour:#8a1538;" in css


def test_branding_refuses_bad_colours_and_reserved_slugs():
    with pytest.raises(ValueError, match="colour"):
        Branding(slug="x", name="X", colour="red", support=SupportContact(team="T"))
    with pytest.raises(ValueError, match="slug"):
        Branding(slug="a}b", name="X", colour="#000000", support=SupportContact(team="T"))
    with pytest.raises(ValueError, match="reserved"):
        Branding(slug="api", name="X", colour="#000000", support=SupportContact(team="T"))


async def test_static_source_knows_the_demo_councils():
    source = StaticBrandingSource(DEMO_BRANDINGS)
    telford = await source.get("telford-wrekin")
    assert telford is not None and telford.support.email == "ECM@telford.gov.uk"
    assert (await source.get("durham-childrens")).support.team == "Children's Services Finance Team"
    assert await source.get("nowhere") is None
    assert [b.slug for b in await source.all()] == [
        "durham-childrens",
        "telford-wrekin",
        "worcestershire-childrens",
        "worcestershire-adults",
    ]
