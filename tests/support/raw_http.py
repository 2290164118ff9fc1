"""HTTP/1.1 written by hand, for what a client library would tidy up first: a target with `..` or
odd encodings, a body sent in pieces. Reads the status, headers and body of the answer."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def raw_request(
    base_url: str, method: str, target: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> RawResponse:
    """Send the request line with `target` byte for byte; `Content-Length` is added for a body."""
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        lines = [f"{method} {target} HTTP/1.1", f"host: {parts.netloc}", "connection: close"]
        all_headers = dict(headers or {})
        if body and "transfer-encoding" not in all_headers:
            all_headers.setdefault("content-length", str(len(body)))
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.read()
    return RawResponse(int(status_line.split()[1]), headers, body)
