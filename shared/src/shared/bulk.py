"""Bulk upserts of the council APIs: a JSON array (or NDJSON) of items, checked all at once, written all or
nothing, every fault listed as {index, field, message} (actuals' clients, service levels and CPLIs;
claims' service levels).

The route reads the body with `read_items`; the handler checks it with `require_count`, `validate_items`,
`unique_references` and its own rules, adding `Fault`s, then `refuse` raises one `ItemsInvalid` (422)
listing them all before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from shared.errors import Invalid
from shared.surrogates import field_path, half_pairs, may_hold_half_pairs

NDJSON = "application/x-ndjson"


@dataclass(frozen=True)
class Fault:
    index: int
    field: str
    message: str


class ItemsInvalid(Invalid):
    """Some items of a bulk upsert are wrong: 422 listing every fault by item index and field."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        first = faults[0]
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        super().__init__(
            f"item {first.index}, {first.field}: {first.message}{more}; nothing was written",
            code="invalid-items",
        )
        self.faults = list(faults)

    def errors(self) -> list[dict[str, Any]]:
        return [{"index": f.index, "field": f.field, "message": f.message} for f in self.faults]


def require_count(items: Sequence[object], *, limit: int) -> None:
    if not items:
        raise Invalid.field("items", "send at least one item", code="no-items")
    if len(items) > limit:
        raise Invalid.field(
            "items",
            f"{len(items):,} items: at most {limit:,} are accepted in one call; split the upload",
            code="too-many-items",
        )


M = TypeVar("M", bound=BaseModel)


def validate_items(model: type[M], items: Sequence[object], faults: list[Fault]) -> list[tuple[int, M]]:
    """Each item as `model`, its faults (index, dotted field, message) added to `faults`."""
    valid: list[tuple[int, M]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            faults.append(Fault(index, "", f"an item must be a JSON object, not {type(item).__name__}"))
            continue
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in err["loc"])
                faults.append(Fault(index, where, err["msg"]))
    return valid


def unique_references(
    items: Sequence[tuple[int, Any]],
    faults: list[Fault],
    *,
    key: Callable[[Any], str] = lambda m: m.reference,
) -> None:
    """A reference twice in one call is ambiguous (which one wins?): every repeat is a fault."""
    seen: dict[str, int] = {}
    for index, item in items:
        ref = key(item)
        if ref in seen:
            faults.append(Fault(index, "reference", f"{ref!r} is also item {seen[ref]} of this call"))
        else:
            seen[ref] = index


def refuse(faults: list[Fault]) -> None:
    if faults:
        raise ItemsInvalid(sorted(faults, key=lambda f: f.index))


def refuse_half_pairs_in_items(items: Sequence[object]) -> None:
    """Half a UTF-16 pair in any item (shared.surrogates), each at its item and field."""
    refuse(
        [
            Fault(index, field_path(h.path), h.message)
            for index, item in enumerate(items)
            for h in half_pairs(item)
        ]
    )


# --- the body: a JSON array, or NDJSON -----------------------------------------------------------------


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` put in place (an OpenAPI request body cannot point at
    pydantic's local definitions)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


def bulk_body(model: type[BaseModel], *, limit: int) -> dict[str, Any]:
    """The OpenAPI of a bulk body: a JSON array of `model`, or the same items as NDJSON."""
    items = _inline(model.model_json_schema())
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": items, "minItems": 1, "maxItems": limit}
                },
                NDJSON: {
                    "schema": {"type": "string", "description": f"one {model.__name__} JSON object a line"}
                },
            },
        }
    }


def _loads(text: str) -> Any:
    # Numbers as Decimal: a rate of 18.5400 or a cost of 646.06 arrive exactly (a float cannot hold them).
    try:
        return json.loads(text, parse_float=Decimal)
    except RecursionError:  # "[[[[...]]]]" a thousand deep: the parser's stack, not a fault of ours
        raise ValueError("it is nested too deeply") from None


async def read_items(request: Request, *, limit: int) -> list[object]:
    """The items of a bulk call: a JSON array, or NDJSON (one JSON object a line, blank lines ignored).
    422 naming what is wrong with the body as a whole (item faults come later, from the handler)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid.field("body", "the body is not UTF-8 text", code="invalid-body") from exc
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == NDJSON:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) > limit:
            require_count(lines, limit=limit)  # refuses, naming the limit, before parsing them all
        items: list[object] = []
        broken: list[Fault] = []
        for index, (n, line) in enumerate(lines):
            try:
                items.append(_loads(line))
            except ValueError as exc:
                broken.append(Fault(index, "", f"line {n} is not JSON ({exc})"))
        if broken:
            raise ItemsInvalid(broken)
        if may_hold_half_pairs(raw):
            refuse_half_pairs_in_items(items)
        return items
    try:
        body = _loads(text)
    except ValueError as exc:
        raise Invalid.field(
            "body",
            f"the body is not JSON ({exc}); send a JSON array, or NDJSON as {NDJSON}",
            code="invalid-body",
        ) from exc
    if not isinstance(body, list):
        raise Invalid.field(
            "body", f"send a JSON array of items (or NDJSON as {NDJSON})", code="invalid-body"
        )
    if may_hold_half_pairs(raw):
        refuse_half_pairs_in_items(body)
    return body
