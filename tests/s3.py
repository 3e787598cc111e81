"""A real S3-compatible endpoint for the tests: moto's standalone server over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

# moto accepts any credentials; these keep boto3 from looking for real ones.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "archive-test",
    "AWS_SECRET_ACCESS_KEY": "archive-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Start moto's S3 server on a free port for the whole run and yield its URL."""
    for name, value in FAKE_AWS.items():
        os.environ.setdefault(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str) -> Any:
    """Return a boto3 client of the test endpoint."""
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """Create and return an empty bucket for one test."""
    name = f"archive-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name
