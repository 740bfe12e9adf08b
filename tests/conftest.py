"""Shared fixtures: an environment with no real keys, and cassette replay by provider."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from infermux.testing import cassette

# The test kit's pytest plugin is opt-in (no pytest11 entry point): this suite opts in.
pytest_plugins = ["infermux.testing.pytest_plugin"]

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"

#: A fake Hugging Face token: routes through the router, as the recordings did.
FAKE_HF_TOKEN = "hf_" + "x" * 34
FAKE_PROVIDER_KEY = "tgp_fake_provider_key_0123456789"

#: Settings of infermux itself that a developer's shell may have set.
_INFERMUX_VARIABLES = (
    "INFERMUX_PLUGINS",
    "INFERMUX_BLOCK_PLUGINS",
    "INFERMUX_PREFER",
    "INFERMUX_STRICT_PLUGINS",
    "INFERMUX_CONFIG",
)
#: Any variable that may hold a key: HF_TOKEN, TOGETHER_API_KEY, FAL_KEY, CLARIFAI_PAT ...
_KEY_LIKE = re.compile(r"(^HF_|_KEY$|_TOKEN$|_PAT$|_SECRET$|_SECRET_KEY$)")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No key, config file or saved token from the machine leaks into a test."""
    for name in [*_INFERMUX_VARIABLES, *(n for n in os.environ if _KEY_LIKE.search(n))]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    from infermux.registry.loader import reset_registry

    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def replay() -> Callable[[str], AbstractContextManager[Any]]:
    """``with replay("together/chat_completion.yaml"): ...``"""

    def use(name: str) -> AbstractContextManager[Any]:
        path = CASSETTES / name
        assert path.exists(), f"missing cassette {path}"
        return cassette(path)

    return use


class RequestLog:
    """httpx2 clients whose requests are recorded as sent (headers included)."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    def _hook(self, request: Any) -> None:
        self.requests.append(request)

    async def _ahook(self, request: Any) -> None:
        self.requests.append(request)

    def client(self) -> Any:
        import httpx2

        return httpx2.Client(event_hooks={"request": [self._hook]})

    def async_client(self) -> Any:
        import httpx2

        return httpx2.AsyncClient(event_hooks={"request": [self._ahook]})

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


@pytest.fixture
def sent() -> RequestLog:
    return RequestLog()
