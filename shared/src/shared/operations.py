"""The backbone's operations, for an operator: `python -m <service> dead-letters list|redrive`,
`python -m <service> outbox replay --since <iso time>`, the backfill (`backfill request --from <producer>
--aggregate <type>` on a consumer, `republish <type>` on a producer: shared.backfill), and the council
operator's API on each consuming service, `/council/v1/<service>/operations/dead-letters` (list) and
`.../dead-letters/redrive`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from shared.auth import Principal
from shared.backfill import backfill_request, find_republisher, republish, request_backfill
from shared.bus.operations import list_dead_letters, redrive_dead_letters, replay_outbox
from shared.http import CurrentPrincipal
from shared.paging import PAGED, PageDep
from shared.problems import Problem
from shared.service import Runtime, RuntimeDep, ServiceDefinition

OPERATIONS = ("dead-letters", "outbox", "backfill", "republish")


def operation_command(
    definition: ServiceDefinition, argv: Sequence[str]
) -> Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]:
    """The process that runs the operation `argv` asks for and prints its result, one JSON object a line.
    The words are checked first: a bad one exits with a message naming it, before anything connects."""
    args = parse_operation(definition, argv)

    async def command(runtime: Runtime, stop: asyncio.Event) -> None:
        for row in await run_operation(runtime, args):
            print(json.dumps(row))

    return command


def parse_operation(definition: ServiceDefinition, argv: Sequence[str]) -> argparse.Namespace:
    parser = _parser(definition.name)
    args = parser.parse_args(argv)
    try:
        if args.subject == "backfill":
            args.envelope = backfill_request(
                definition.name, definition.consumes, producer=args.producer, aggregate=args.aggregate
            )
        elif args.subject == "republish":
            args.republisher = find_republisher(definition.name, definition.republishers, args.aggregate)
    except ValueError as exc:
        parser.error(str(exc))
    return args


async def run_operation(runtime: Runtime, args: argparse.Namespace) -> list[dict[str, object]]:
    """Run one parsed operation; return its result rows."""
    name = runtime.definition.name
    if args.subject == "backfill":
        await request_backfill(runtime.pool, runtime.outbox, args.envelope)
        return [
            {
                "requested": args.envelope.routing_key,
                "aggregate": args.aggregate,
                "event_id": str(args.envelope.event_id),
            }
        ]
    if args.subject == "republish":
        async with runtime.pool.acquire() as conn, conn.transaction():
            count = await republish(conn, runtime.outbox, args.republisher)
        return [{"republished": count, "aggregate": args.aggregate}]
    if args.subject == "outbox":
        replayed = await replay_outbox(runtime.pool, schema=name, since=args.since)
        return [{"replayed": replayed, "since": args.since.isoformat()}]
    if args.action == "list":
        return [asdict(d) for d in await list_dead_letters(runtime.broker, consumer=name, limit=args.limit)]
    ids = {str(i) for i in args.event_id} if args.event_id else None
    return [{"redriven": e} for e in await redrive_dead_letters(runtime.broker, consumer=name, event_ids=ids)]


def _parser(service: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {service}")
    subjects = parser.add_subparsers(dest="subject", required=True)
    dead = subjects.add_parser("dead-letters", help="list or redrive this service's dead letters")
    dead.add_argument("action", choices=["list", "redrive"])
    dead.add_argument("--limit", type=int, default=100, help="most dead letters listed")
    dead.add_argument("--event-id", type=uuid.UUID, action="append", help="redrive only these (repeatable)")
    outbox = subjects.add_parser("outbox", help="re-publish events from the outbox")
    outbox.add_argument("action", choices=["replay"])
    outbox.add_argument("--since", type=_aware_time, required=True, help="ISO 8601 time with its offset")
    backfill = subjects.add_parser(
        "backfill", help="ask a producer to re-publish the current state of a type"
    )
    backfill.add_argument("action", choices=["request"])
    backfill.add_argument("--from", dest="producer", required=True, help="the producer, e.g. identity")
    backfill.add_argument("--aggregate", required=True, help="the aggregate type, e.g. organisation")
    again = subjects.add_parser("republish", help="re-publish the current state of every aggregate of a type")
    again.add_argument("aggregate", help="the aggregate type, e.g. organisation")
    return parser


def _aware_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the time's UTC offset, e.g. {value}+00:00")
    return parsed


# --- the council operator's API ------------------------------------------------------------------


class DeadLetterPublic(BaseModel):
    event_id: str = Field(description="the event's id (the message id)")
    routing_key: str = Field(description="the routing key it was published with")
    reason: str = Field(description="why it was dead-lettered")


class RedriveRequest(BaseModel):
    event_ids: list[uuid.UUID] | None = Field(
        None, description="the dead letters to redrive; all when absent"
    )


class RedriveResult(BaseModel):
    redriven: list[str] = Field(description="the event ids moved back to the work queue")


async def require_operator(principal: CurrentPrincipal) -> Principal:
    """A council principal with the operator flag; 403 problem+json for anyone else."""
    if not (principal.is_council and principal.operator):
        raise Problem(403, "Forbidden", detail="operations need a council token with the operator scope")
    return principal


Operator = Annotated[Principal, Depends(require_operator)]


def operations_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/council/v1/{service}/operations", tags=["operations"])

    @router.get("/dead-letters", response_model=list[DeadLetterPublic], responses=PAGED)
    async def list_dead_letters_route(
        _: Operator, runtime: RuntimeDep, page: PageDep
    ) -> list[DeadLetterPublic]:
        """Oldest first. Paging reads the queue from its head each time, so a page holds
        `offset + limit` messages unacked for a moment (they go back when it is read)."""
        found = await list_dead_letters(runtime.broker, consumer=service, limit=page.offset + page.fetch)
        return page.cut([DeadLetterPublic(**asdict(d)) for d in found])

    @router.post("/dead-letters/redrive", response_model=RedriveResult)
    async def redrive_dead_letters_route(
        _: Operator, runtime: RuntimeDep, body: RedriveRequest
    ) -> RedriveResult:
        ids = None if body.event_ids is None else {str(i) for i in body.event_ids}
        return RedriveResult(
            redriven=await redrive_dead_letters(runtime.broker, consumer=service, event_ids=ids)
        )

    return router
