"""The two drivers of the engine's effect generator refuse an effect they do not know."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from infermux import InfermuxError
from infermux.registry.store import ProviderRegistry
from tests.core.both_clients import open_client, run


class Teleport:
    """An effect no driver performs."""


def engine_yielding_an_unknown_effect(closed: list[bool]) -> Generator[Any, Any, Any]:
    try:
        answer = yield Teleport()
    finally:
        closed.append(True)
    return answer  # what resuming with None would have produced


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_unknown_effect_raises_instead_of_resuming_with_none(kind):
    closed: list[bool] = []
    async with open_client(kind, provider=None, registry=ProviderRegistry()) as client:
        with pytest.raises(InfermuxError, match=r"yielded Teleport.*knows? Send and Sleep"):
            await run(client._drive, engine_yielding_an_unknown_effect(closed))
    assert closed == [True]  # the generator was closed, not left suspended
