"""A local S3-compatible server for the tests of the object-store backend: moto's server mode (a dev
dependency from PyPI), started as a process of its own on a free port of the loopback, stopped after."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import httpx

from tests.support.inprocess import free_port

ACCESS_KEY_ID = "kit-test-key-id"
SECRET_ACCESS_KEY = "kit-test-secret-access-key"
REGION = "eu-west-2"


@dataclass(frozen=True)
class ObjectStore:
    endpoint_url: str

    def client(self) -> Any:
        """A plain boto3 client of the server: the test's own look at the bucket, beside the kit's."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def settings(self, bucket: str, **overrides: Any) -> dict[str, Any]:
        """The attachment settings of a service whose files are in `bucket` here."""
        return {
            "attachments_backend": "s3",
            "attachments_s3_endpoint_url": self.endpoint_url,
            "attachments_s3_bucket": bucket,
            "attachments_s3_region": REGION,
            "attachments_s3_access_key_id": ACCESS_KEY_ID,
            "attachments_s3_secret_access_key": SECRET_ACCESS_KEY,
            **overrides,
        }


@contextmanager
def object_store_server() -> Iterator[ObjectStore]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"the S3 server stopped at start (exit {process.returncode})"
            try:
                if httpx.get(f"{url}/moto-api/", timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the S3 server did not answer within 30 s"
            time.sleep(0.1)
        yield ObjectStore(endpoint_url=url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
