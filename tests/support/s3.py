"""A real S3-compatible HTTP server on loopback (moto's server mode) for artifact tests."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Start the server, point boto3 at it through its standard variables, yield `s3://bucket/prefix`."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        bucket = f"runs-{secrets.token_hex(4)}"
        boto3.client("s3").create_bucket(Bucket=bucket)
        yield f"s3://{bucket}/artifacts"
    finally:
        server.stop()
