"""The backfill's pure part: what a producer offers must be what it re-publishes, a request names a
producer and a type the asking service keeps, mistakes stop the command before it connects, and the
contract documents the command."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from actuals.main import DEFINITION as ACTUALS
from identity.main import DEFINITION as IDENTITY
from identity.republishing import REPUBLISHERS
from messaging.main import DEFINITION as MESSAGING
from payments.main import DEFINITION as PAYMENTS
from shared.asyncapi import asyncapi_document
from shared.backfill import Republisher, backfill_request, backfill_subscription, command_type, offered
from shared.bus import Subscription
from shared.events import (
    AuthorityUpserted,
    ContractUpserted,
    IdentityBackfillRequested,
    OrganisationChangeRequestUpserted,
    OrganisationUpserted,
    ProviderServiceUpserted,
    UserUpserted,
)
from shared.operations import operation_command
from tests.support.things import ThingUpserted


def test_identity_offers_exactly_what_it_republishes_and_answers_its_own_command():
    assert (
        set(offered(IdentityBackfillRequested))
        == {r.aggregate for r in REPUBLISHERS}
        == {"authority", "organisation", "user", "contract", "provider_service"}
    )
    assert command_type("identity") is IdentityBackfillRequested
    assert "identity.backfill.requested.v1" in {s.payload_type.routing_key() for s in IDENTITY.consumes}
    assert MESSAGING.consumes == tuple(MESSAGING.subscriptions)  # a consumer only: no backfill command


def test_a_producer_without_a_backfill_command_or_with_mismatched_republishers_is_refused():
    with pytest.raises(
        ValueError,
        match=r"messaging offers no backfill \(producers that do: actuals, claims, identity, payments\)",
    ):
        command_type("messaging")
    organisations = Republisher(OrganisationUpserted, "SELECT 1", aggregate_id="organisation_id")
    with pytest.raises(
        ValueError,
        match=r"offers \['authority', 'contract', 'organisation', 'provider_service', 'user'\] but identity"
        r" declares"
        r" .*\['organisation'\]",
    ):
        backfill_subscription("identity", [organisations])
    stranger = Republisher(ThingUpserted, "SELECT 1", aggregate_id="thing_id")
    with pytest.raises(ValueError, match="cannot re-publish events of another producer: ThingUpserted"):
        backfill_subscription("identity", [organisations, stranger])
    users = Republisher(UserUpserted, "SELECT 1", aggregate_id="user_id")
    contracts = Republisher(ContractUpserted, "SELECT 1", aggregate_id="contract_id")
    services = Republisher(ProviderServiceUpserted, "SELECT 1", aggregate_id="service_id")
    authorities = Republisher(AuthorityUpserted, "SELECT 1", aggregate_id="authority_id")
    whole = [authorities, organisations, users, contracts, services]
    assert backfill_subscription("identity", whole).payload_type is IdentityBackfillRequested


def test_a_backfill_request_is_identitys_command_from_the_asking_service():
    envelope = backfill_request("actuals", ACTUALS.consumes, producer="identity", aggregate="organisation")
    assert envelope.routing_key == "identity.backfill.requested.v1"
    assert envelope.payload["aggregate_type"] == "organisation"
    assert envelope.payload["requested_by"] == "actuals"
    assert datetime.fromisoformat(envelope.payload["requested_at"]) <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--from", "messaging", "--aggregate", "organisation"], "messaging offers no backfill"),
        (["--from", "identity", "--aggregate", "user"], "actuals keeps nothing of identity's 'user'"),
        (["--from", "identity"], "the following arguments are required: --aggregate"),
    ],
)
def test_a_bad_backfill_request_stops_before_connecting_naming_the_mistake(words, message, capsys):
    with pytest.raises(SystemExit):
        operation_command(ACTUALS, ["backfill", "request", *words])
    assert message in capsys.readouterr().err


async def ignore(*_: object) -> None:
    return None


def test_a_consumer_of_a_type_the_producer_does_not_offer_is_told_what_is_offered():
    requests = [Subscription(OrganisationChangeRequestUpserted, ignore)]
    with pytest.raises(
        ValueError,
        match="identity re-publishes authority, organisation, user, contract, provider_service,"
        " not 'organisation_change_request'",
    ):
        backfill_request("payments", requests, producer="identity", aggregate="organisation_change_request")


def test_republish_of_a_type_the_service_does_not_offer_stops_naming_what_it_does(capsys):
    with pytest.raises(SystemExit):
        operation_command(IDENTITY, ["republish", "contact_request"])
    assert (
        "identity re-publishes authority, contract, organisation, provider_service, user,"
        " not 'contact_request'" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        operation_command(PAYMENTS, ["republish", "organisation"])
    assert (
        "payments re-publishes credit_note, invoice, scheduled_payment, not 'organisation'"
        in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        operation_command(MESSAGING, ["republish", "organisation"])
    assert "messaging re-publishes nothing, not 'organisation'" in capsys.readouterr().err


def test_the_contract_documents_the_backfill_command_as_sent_to_identity():
    document = asyncapi_document()
    operation = document["operations"]["requestIdentityBackfillRequestedV1"]
    assert (
        operation["summary"]
        == "any consuming service sends IdentityBackfillRequested to identity (a command)"
    )
    payload = document["components"]["messages"]["IdentityBackfillRequestedV1"]["payload"]["properties"][
        "payload"
    ]
    assert payload["properties"]["aggregate_type"]["enum"] == [
        "authority",
        "organisation",
        "user",
        "contract",
        "provider_service",
    ]
    assert "publishOrganisationUpsertedV1" in document["operations"]
