"""``INFERMUX_ASYNC_HTTP=anyio`` keeps httpcore2's own anyio network backend under the
client's httpx2 client: the async half of the fault suite runs again on it, so the way back
from infermux's asyncio backend stays as tested as the default."""

from __future__ import annotations

import pytest

from tests.core.test_faults import *  # noqa: F403 - the same tests, on the other backend


@pytest.fixture(params=["async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Only the async client has a network backend to choose."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _anyio_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERMUX_ASYNC_HTTP", "anyio")
