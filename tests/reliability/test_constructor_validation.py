"""Issue 14 item 14: every constructor argument is checked when the client is built.

A bad setting raises :class:`InvalidInputError` (an ``InfermuxError``) naming the argument,
on the sync and the async client alike, and never a bare ``ValueError``/``TypeError`` later.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import InfermuxError, InvalidInputError
from infermux.registry.store import ProviderRegistry

NAN = math.nan
INF = math.inf

BAD: list[tuple[str, Any]] = [
    ("poll_interval", NAN),
    ("poll_interval", 0),
    ("poll_interval", -1.0),
    ("poll_interval", INF),
    ("poll_interval", "1"),
    ("job_timeout", NAN),
    ("job_timeout", 0),
    ("job_timeout", -5),
    ("job_timeout", INF),
    ("timeout", -1),
    ("timeout", 0),
    ("timeout", NAN),
    ("timeout", INF),
    ("headers", {"x": 5}),
    ("headers", {"x": None}),
    ("headers", {5: "x"}),
    ("headers", {"x": "a\r\nInjected: 1"}),
    ("headers", ["x"]),
    ("max_concurrency", -1),
    ("max_concurrency", 0),
    ("max_concurrency", 1.5),
    ("max_concurrency", True),
    ("requests_per_minute", 0),
    ("requests_per_minute", -10),
    ("requests_per_minute", NAN),
    ("requests_per_minute", {"together": 0}),
    ("requests_per_minute", {"together": "60"}),
    ("mapping_ttl", -1),
    ("mapping_ttl", NAN),
    ("router_url", "router.huggingface.co"),
    ("hub_url", 5),
    ("model_mappings", {"together": "x"}),
    ("model_mappings", {"together": {"a": 1}}),
    ("model_aliases", {"together": {"conversational": {"small": 3}}}),
    ("provider_preference", "together"),
    ("provider_preference", [1, 2]),
    ("failover", "yes"),
    ("hub_lookup", None),
    ("wait_for_model", 1),
    ("use_cache", "no"),
    ("registry", {}),
    ("routing", 5),
    ("max_retries", -1),
    ("max_retries", NAN),
    ("http_client", object()),
]


def _case_id(name: str, value: Any) -> str:
    """A stable id: pytest-xdist workers must collect the same names (no memory addresses)."""
    shown = repr(value) if type(value).__repr__ is not object.__repr__ else type(value).__name__
    return f"{name}={shown}"


@pytest.mark.parametrize(("name", "value"), BAD, ids=[_case_id(name, value) for name, value in BAD])
@pytest.mark.parametrize("client_class", [InferenceClient, AsyncInferenceClient])
def test_bad_argument_is_refused_at_construction(client_class: Any, name: str, value: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        client_class(**({"registry": ProviderRegistry()} | {name: value}))
    assert isinstance(caught.value, InfermuxError)
    assert name.split("[")[0] in str(caught.value)


@pytest.mark.parametrize("client_class", [InferenceClient, AsyncInferenceClient])
def test_good_arguments_still_build(client_class: Any) -> None:
    client = client_class(
        registry=ProviderRegistry(),
        timeout=None,
        poll_interval=0.01,
        job_timeout=1,
        headers={"x-team": "research"},
        max_concurrency=1,
        requests_per_minute={"together": 60},
        mapping_ttl=0,
        model_mappings={"together": {"org/model": "native"}},
        model_aliases={"together": {"conversational": {"small": "m"}}},
        provider_preference=("together", "groq"),
        use_cache=None,
    )
    assert client.engine.settings.poll_interval == 0.01
    close = getattr(client, "close", None)
    if close is not None:
        close()


async def test_async_client_closes_after_good_arguments() -> None:
    async with AsyncInferenceClient(registry=ProviderRegistry(), requests_per_minute=30) as client:
        assert client.engine.settings.requests_per_minute == 30
