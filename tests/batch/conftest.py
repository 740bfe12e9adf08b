"""Fixtures of the batch tests: virtual time, a stub provider registry, row factories."""

from __future__ import annotations

from typing import Any

import pytest

from infermux.endpoints import register_openai_compatible
from infermux.registry.store import ProviderRegistry
from tests.batch.virtual_time import VirtualTime

TASKS = ["conversational", "feature-extraction", "text-generation", "text-to-image"]


def pytest_configure(config: pytest.Config) -> None:
    # The lead registers these project-wide too (issue 13); registering twice is harmless.
    config.addinivalue_line("markers", "slow: takes more than ~2 s")


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def stub_registry(base_url: str, **options: Any) -> ProviderRegistry:
    """A registry with one OpenAI-compatible provider, ``stub``, at ``base_url``."""
    registry = ProviderRegistry()
    register_openai_compatible("stub", base_url=base_url, tasks=TASKS, registry=registry, **options)
    return registry


def chat_row(i: int, text: str | None = None, **body: Any) -> dict[str, Any]:
    """An OpenAI Batch chat line."""
    content = text if text is not None else f"hello {i}"
    return {
        "custom_id": f"row-{i}",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "m", "messages": [{"role": "user", "content": content}], **body},
    }
