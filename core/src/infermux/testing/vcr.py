"""vcrpy configuration: JSON body matching, secrets scrubbed before anything is written.

    from infermux.testing import cassette

    with cassette("cassettes/together/chat_completion.yaml"):
        client.chat_completion(...)

The record mode comes from the command line only (``pytest --record-mode=once``); it is
``none`` otherwise, so a test can never reach the network by accident.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["SECRET_HEADERS", "cassette", "json_body_matcher", "scrub_headers", "vcr_config"]

#: Header names (lowercase) whose values never reach a cassette, in either direction.
SECRET_HEADERS = frozenset(
    {
        "api-key",
        "authorization",
        "cookie",
        "proxy-authorization",
        "set-cookie",
        "x-api-key",
        "x-key",
    }
)

#: Set by the pytest plugin from ``--record-mode``; nothing else changes it.
RECORD_MODE = {"value": "none"}


def scrub_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop secret headers, whatever their case."""
    return {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}


#: Request headers that look like credentials besides SECRET_HEADERS: a third party's
#: provider may send its key in a header of its own (``X-Goog-Api-Key``, ``X-Auth-Token``).
_CREDENTIAL_NAME = re.compile(r"auth|key|token|secret|passw|credential|signature", re.I)
_AUTH_PREFIX = re.compile(r"^(bearer|key|basic|token)\s+", re.I)
_REDACTED = "<redacted>"


class _Scrubber:
    """What vcrpy records, without credentials: the request headers carrying them are
    dropped, and their values are redacted wherever a response echoes them (a 401 body
    quoting the key it got). One per recorder; it learns the keys from the requests."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()

    def request(self, request: Any) -> Any:
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS or _CREDENTIAL_NAME.search(name):
                value = str(request.headers[name])
                self.secrets.update(
                    v for v in (value, _AUTH_PREFIX.sub("", value)) if len(v.strip()) >= 8
                )
                del request.headers[name]
        return request

    def _redact(self, value: Any) -> Any:
        # Longest first: a key inside "Bearer <key>" goes with its prefix.
        for secret in sorted(self.secrets, key=len, reverse=True):
            if isinstance(value, bytes):
                value = value.replace(secret.encode(), _REDACTED.encode())
            elif isinstance(value, str):
                value = value.replace(secret, _REDACTED)
        return value

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        headers = scrub_headers(response.get("headers") or {})
        response["headers"] = {
            name: [self._redact(v) for v in values] if isinstance(values, list) else values
            for name, values in headers.items()
        }
        body = response.get("body")
        if isinstance(body, dict) and "string" in body:
            body["string"] = self._redact(body["string"])
        return response


def _decode(body: Any) -> Any:
    if body in (None, b"", ""):
        return None
    if isinstance(body, bytes):
        try:
            return json.loads(body)
        except ValueError:
            return body
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body.encode()
    return body


_BOUNDARY = re.compile(rb"^--([^\r\n]+)\r\n")


def _without_boundary(body: Any) -> Any:
    """A multipart body with its (random) boundary replaced by a fixed token."""
    if isinstance(body, str):
        body = body.encode()
    if isinstance(body, bytes):
        match = _BOUNDARY.match(body)
        if match:
            return body.replace(match.group(1), b"BOUNDARY")
    return body


def json_body_matcher(r1: Any, r2: Any) -> None:
    """Bodies match when equal as JSON (key order free), or byte-equal; no body == empty body;
    multipart bodies compare with their random boundary ignored."""
    left, right = _decode(r1.body), _decode(r2.body)
    if left != right and isinstance(left, bytes) and isinstance(right, bytes):
        left, right = _without_boundary(left), _without_boundary(right)
    if left != right:
        raise AssertionError(f"request bodies differ: {str(left)[:300]!r} != {str(right)[:300]!r}")


def vcr_config() -> dict[str, Any]:
    """Keyword arguments for ``vcr.VCR`` (also served to pytest-recording as ``vcr_config``)."""
    scrubber = _Scrubber()
    return {
        "record_mode": RECORD_MODE["value"],
        "match_on": ("method", "scheme", "host", "port", "path", "query", "json_body"),
        # No "filter_headers": vcrpy would drop the credential headers before the scrubber
        # learns their values, and an echoed key would then reach the cassette.
        "before_record_request": scrubber.request,
        "before_record_response": scrubber.response,
        "decode_compressed_response": True,
    }


def make_vcr(**overrides: Any) -> Any:
    """A ``vcr.VCR`` with our configuration (``overrides`` replace any of its options)."""
    import vcr  # type: ignore[import-untyped]  # optional: the testing extra

    config = {**vcr_config(), **overrides}
    recorder = vcr.VCR(**{k: v for k, v in config.items() if k != "match_on"})
    recorder.register_matcher("json_body", json_body_matcher)
    recorder.match_on = config["match_on"]
    return recorder


#: Options that belong to one cassette (``use_cassette``) rather than to the recorder.
_CASSETTE_OPTIONS = frozenset({"allow_playback_repeats", "match_on", "record_mode", "serializer"})


@contextmanager
def cassette(path: str | os.PathLike[str], **options: Any) -> Iterator[Any]:
    """Replay (or, with ``--record-mode``, record) the cassette at ``path``.

    ``options`` go to ``use_cassette`` when they are per-cassette (``allow_playback_repeats``,
    ``match_on`` ...), else to the recorder.
    """
    per_cassette = {k: v for k, v in options.items() if k in _CASSETTE_OPTIONS}
    recorder = make_vcr(**{k: v for k, v in options.items() if k not in _CASSETTE_OPTIONS})
    with recorder.use_cassette(str(Path(path)), **per_cassette) as recorded:
        yield recorded
