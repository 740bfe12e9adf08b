"""Checks of the clients' constructor arguments, all made at construction.

A bad setting must fail where it was written, with an :class:`InvalidInputError` naming the
argument, what it got and what would be right, and never later as a bare ``ValueError`` or
``TypeError`` from deep inside a call (``poll_interval=nan`` used to poll for ever, and
``requests_per_minute=0`` meant "unlimited"). Pure functions: nothing here does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from infermux.errors import InvalidInputError

__all__ = [
    "check_client_arguments",
    "check_http_client",
    "check_max_concurrency",
]


def _fail(name: str, want: str, value: Any) -> InvalidInputError:
    return InvalidInputError(f"{name} must be {want}, got {type(value).__name__}: {value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def positive_seconds(
    name: str, value: Any, *, allow_none: bool = False, zero: bool = False
) -> None:
    """A finite number of seconds, > 0 (or >= 0 with ``zero``); None only if allowed."""
    if value is None and allow_none:
        return
    want = "a finite number of seconds " + (">= 0" if zero else "> 0")
    if allow_none:
        want += " or None"
    if not _is_number(value) or not math.isfinite(value):
        raise _fail(name, want, value)
    if value < 0 or (value == 0 and not zero):
        raise _fail(name, want, value)


def _flag(name: str, value: Any, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, bool):
        raise _fail(name, "True or False" + (" or None" if allow_none else ""), value)


def _url(name: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise _fail(name, "an http:// or https:// URL string", value)


def _headers(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise _fail("headers", "a mapping of header names to string values", value)
    for header, text in value.items():
        if not isinstance(header, str) or not header or not header.isascii():
            raise _fail("headers", "a mapping whose keys are non-empty ASCII names", header)
        if not isinstance(text, str):
            raise InvalidInputError(
                f"headers[{header!r}] must be a string, got {type(text).__name__}: {text!r} "
                f"(write headers={{{header!r}: str(...)}})"
            )
        if any(c in header + text for c in "\r\n\0") or any(c in header for c in " :"):
            raise InvalidInputError(
                f"headers[{header!r}] holds a line break, NUL, space or colon where none may be"
            )


def _string_table(name: str, value: Any, depth: int) -> None:
    """``{str: str}`` (depth 1), ``{str: {str: str}}`` (2) ... ; None allowed at the top."""
    if value is None:
        return
    if depth == 0:
        if not isinstance(value, str):
            raise _fail(name, "a string", value)
        return
    if not isinstance(value, Mapping):
        raise _fail(name, "a mapping with string keys", value)
    for key, item in value.items():
        if not isinstance(key, str):
            raise _fail(f"{name} key", "a string", key)
        _string_table(f"{name}[{key!r}]", item, depth - 1)


def _requests_per_minute(value: Any) -> None:
    if value is None:
        return
    want = "a number > 0 (requests per minute), a {provider: number} mapping, or None"
    if isinstance(value, Mapping):
        for provider, rate in value.items():
            if not isinstance(provider, str):
                raise _fail("requests_per_minute key", "a provider id string", provider)
            if not _is_number(rate) or not math.isfinite(rate) or rate <= 0:
                raise _fail(f"requests_per_minute[{provider!r}]", "a finite number > 0", rate)
        return
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise _fail("requests_per_minute", want, value)


def check_max_concurrency(value: Any) -> None:
    """None (no cap) or an int >= 1."""
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _fail("max_concurrency", "an int >= 1 or None (no cap)", value)


def check_http_client(value: Any, *, sync: bool) -> None:
    """A sync client takes an ``httpx2.Client``; an async one an ``httpx2.AsyncClient`` or an
    ``aiohttp.ClientSession``. Anything else would fail on the first call instead."""
    if value is None:
        return
    import httpx2

    if sync:
        if not isinstance(value, httpx2.Client):
            raise _fail("http_client", "an httpx2.Client (the sync client's HTTP session)", value)
        return
    if isinstance(value, httpx2.AsyncClient):
        return
    if type(value).__module__.partition(".")[0] == "aiohttp":
        return
    raise _fail("http_client", "an httpx2.AsyncClient or an aiohttp.ClientSession", value)


def check_client_arguments(
    *,
    routing: Any,
    timeout: Any,
    headers: Any,
    router_url: Any,
    hub_url: Any,
    poll_interval: Any,
    job_timeout: Any,
    model_mappings: Any,
    provider_preference: Any,
    failover: Any,
    hub_lookup: Any,
    wait_for_model: Any,
    use_cache: Any,
    model_aliases: Any,
    requests_per_minute: Any,
    mapping_ttl: Any,
    registry: Any,
) -> None:
    """Check what ``build_engine`` does not check itself (keys, ids, base_url, retries)."""
    if not isinstance(routing, str):
        raise _fail("routing", "one of 'auto', 'direct', 'router'", routing)
    positive_seconds("timeout", timeout, allow_none=True)
    _headers(headers)
    _url("router_url", router_url)
    _url("hub_url", hub_url)
    positive_seconds("poll_interval", poll_interval)
    positive_seconds("job_timeout", job_timeout)
    positive_seconds("mapping_ttl", mapping_ttl, zero=True)
    _string_table("model_mappings", model_mappings, 2)
    _string_table("model_aliases", model_aliases, 3)
    if provider_preference is not None and (
        isinstance(provider_preference, str)
        or not isinstance(provider_preference, Sequence)
        or not all(isinstance(p, str) for p in provider_preference)
    ):
        raise _fail("provider_preference", "a list of provider id strings", provider_preference)
    _flag("failover", failover)
    _flag("hub_lookup", hub_lookup)
    _flag("wait_for_model", wait_for_model)
    _flag("use_cache", use_cache, allow_none=True)
    _requests_per_minute(requests_per_minute)
    if registry is not None:
        from infermux.registry.store import ProviderRegistry

        if not isinstance(registry, ProviderRegistry):
            raise _fail("registry", "an infermux ProviderRegistry or None", registry)
