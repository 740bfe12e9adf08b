"""Fixtures for the core tests: a scripted local HTTP server and a provider pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infermux import register_openai_compatible
from infermux.registry.store import ProviderRegistry
from tests.core.both_clients import KINDS
from tests.core.localserver import LocalServer

#: The local provider's key; no exception message or repr may ever show it.
LOCAL_KEY = "local-secret-key-5f0c2a9e81d34b7c"


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def _module_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def local_server(_module_server: LocalServer) -> Iterator[LocalServer]:
    """The module's server, with a fresh script and request log for each test."""
    _module_server.reset()
    yield _module_server
    _module_server.reset()


@pytest.fixture
def local_registry(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> ProviderRegistry:
    """A registry with only ``local``: an OpenAI-compatible provider on the local server."""
    registry = ProviderRegistry()
    register_openai_compatible(
        "local",
        base_url=f"{local_server.url}/v1",
        api_key_env="LOCAL_KEY",
        tasks=["conversational", "text-generation"],
        registry=registry,
    )
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    return registry
