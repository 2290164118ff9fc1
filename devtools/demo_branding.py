"""The demo councils' branding (docs/demo.md): name, colour, support contact and help text, as each
council would set them with the council API (PUT /council/v1/identity/authority/branding). Data only;
devtools/demo_identity.py seeds it. Help texts are written from the councils' guides (../shared/seeds)."""

from __future__ import annotations

from typing import Any

BRANDINGS: dict[str, dict[str, Any]] = {
    "telford-wrekin": {
        "name": "Telford & Wrekin Council",
        "primary_colour": "#00594f",
        "support_team": "Provider Portal team",
        "support_email": "ECM@telford.gov.uk",
        "help_text": "Telford & Wrekin Council uses the Provider Portal to share contract and payment"
        " information with the care providers it commissions.\n\n"
        "If you have a question about getting into the portal, email the Provider Portal team.",
    },
    "durham-childrens": {
        "name": "Durham County Council Children's",
        "primary_colour": "#4b2e83",
        "support_team": "Children's Services Finance Team",
        "help_text": "Durham County Council uses the portal to share payment information with foster carers"
        " and supported lodgings providers.\n\n"
        "If you would like to manage your payments online, speak to your social worker or contact the"
        " Children's Services Finance Team.",
    },
    "worcestershire-adults": {
        "name": "Worcestershire County Council",
        "primary_colour": "#8a1538",
        "support_team": "Adult Services Provider Portal team",
        "help_text": "The Adult Services Provider Portal lets care providers see and manage information about"
        " their contracts and payments, linked directly to the council's social care systems.\n\n"
        "Save the portal's address in your browser's favourites so that you can find it again.",
    },
    "worcestershire-childrens": {
        "name": "Worcestershire Children First",
        "primary_colour": "#005f73",
        "support_team": "Worcestershire Children First System Support Team",
        "help_text": "Worcestershire Children First uses the portal for placements.\n\n"
        "The System Support Team resets passwords during working hours only. They will do their best to"
        " reset yours quickly: please be patient.",
    },
}
