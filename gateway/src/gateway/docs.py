"""API documentation at the gateway: the services' OpenAPI documents merged with the gateway's own API
(the JSON login journey, these documents; not the HTML pages), and the AsyncAPI document."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.service_client import ServiceClient
from shared.asyncapi import asyncapi_document

router = APIRouter(tags=["documentation"])


@router.get("/api/openapi.json", summary="This document: every service's API and the gateway's")
async def merged_openapi(request: Request) -> JSONResponse:
    return JSONResponse(await _merged(request))


@router.get("/api/asyncapi.json", summary="The events on RabbitMQ (AsyncAPI)")
async def asyncapi() -> JSONResponse:
    return JSONResponse(asyncapi_document())


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
async def api_docs(request: Request) -> HTMLResponse:
    document = await _merged(request)
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "tag": (op.get("tags") or ["-"])[0],
        }
        for path, item in sorted(document["paths"].items())
        for method, op in item.items()
    ]
    page: HTMLResponse = request.app.state.web.render(
        request, "api_docs.html", operations=operations, missing=document["x-unavailable-services"]
    )
    return page


async def _merged(request: Request) -> dict[str, Any]:
    """The services' documents as their clients last read them (gateway/service_client.py)."""
    services: dict[str, ServiceClient] = request.app.state.services
    documents = await asyncio.gather(*(client.document() for client in services.values()))
    merged: dict[str, dict[str, Any] | None] = {"gateway": request.app.openapi()}  # include_in_schema routes
    merged.update(zip(services, documents, strict=True))
    return merge_openapi(merged)


def merge_openapi(documents: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """One document: every service's paths (already prefixed by service) and its schemas, the
    schemas prefixed by the service when two services use the same name for different things."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Provider Portal API", "version": "1.0.0"},
        "paths": {},
        "components": {"schemas": {}},
        "x-unavailable-services": [],
    }
    schemas = merged["components"]["schemas"]
    for service, document in documents.items():
        if document is None:
            merged["x-unavailable-services"].append(service)
            continue
        renames: dict[str, str] = {}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service}_{name}"
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in document.get("paths", {}).items():
            merged["paths"][path] = _rename_refs(item, renames)
    return merged


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if not renames:
        return node
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.rsplit("/", 1)[-1]
                out[key] = value.rsplit("/", 1)[0] + "/" + renames.get(name, name)
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node
