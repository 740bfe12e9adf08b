"""Model mapping: from the id a user names to the id a provider serves.

The Hub says which providers serve a model (``/api/models/<id>?expand=inferenceProviderMapping``).
Lookups are cached with a TTL; overrides in code or config win; a provider-native id (no
``/``, or unknown to the Hub) is used as it is, with no Hub access needed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from infermux.helpers.base import ModelMapping

__all__ = [
    "HubMappingCache",
    "ProviderMappingEntry",
    "hub_mapping_url",
    "parse_hub_mapping",
    "serves_task",
]

#: Tasks one mapping may serve interchangeably: a chat model mapped as "conversational" also
#: answers plain text generation (and vision chat), and hf-inference serves sentence
#: transformers for both embedding tasks (huggingface.js: EQUIVALENT_SENTENCE_TRANSFORMERS_TASKS).
_EQUIVALENT_TASKS: tuple[frozenset[str], ...] = (
    frozenset({"conversational", "text-generation", "image-text-to-text", "responses"}),
    frozenset({"feature-extraction", "sentence-similarity"}),
)


def serves_task(mapped_task: str | None, task: str) -> bool:
    """Whether a Hub mapping entry made for ``mapped_task`` serves a call of ``task``.

    The Hub maps a model to a provider *for a task*: a model mapped to a provider only for
    text-to-image must not be sent to that provider's chat route. An entry without a task
    (an old Hub answer) is taken as serving any.
    """
    if mapped_task is None or mapped_task == task:
        return True
    return any(task in group and mapped_task in group for group in _EQUIVALENT_TASKS)


@dataclass(frozen=True, slots=True)
class ProviderMappingEntry:
    """One provider's entry in a model's Hub mapping."""

    provider: str
    provider_model_id: str
    task: str | None
    status: str
    adapter: str | None = None
    adapter_weights_path: str | None = None

    def to_mapping(self, hub_model_id: str) -> ModelMapping:
        return ModelMapping(
            provider_model_id=self.provider_model_id,
            hub_model_id=hub_model_id,
            task=self.task,
            status=self.status,
            adapter=self.adapter,
            adapter_weights_path=self.adapter_weights_path,
        )


def hub_mapping_url(hub_url: str, model: str) -> str:
    return (
        f"{hub_url.rstrip('/')}/api/models/{quote(model, safe='/')}?expand=inferenceProviderMapping"
    )


def _entry(provider: str, raw: Mapping[str, Any]) -> ProviderMappingEntry | None:
    provider_id = raw.get("providerId")
    if not isinstance(provider_id, str):
        return None
    return ProviderMappingEntry(
        provider=provider,
        provider_model_id=provider_id,
        task=raw.get("task"),
        status=str(raw.get("status", "live")),
        adapter=raw.get("adapter"),
        adapter_weights_path=raw.get("adapterWeightsPath"),
    )


def parse_hub_mapping(body: Any) -> list[ProviderMappingEntry]:
    """Read ``inferenceProviderMapping`` in either of the Hub's shapes (dict or list), in order."""
    raw = body.get("inferenceProviderMapping") if isinstance(body, dict) else None
    entries: list[ProviderMappingEntry] = []
    if isinstance(raw, dict):
        for provider, value in raw.items():
            if isinstance(value, dict) and (entry := _entry(provider, value)):
                entries.append(entry)
    elif isinstance(raw, list):
        for value in raw:
            if isinstance(value, dict) and isinstance(value.get("provider"), str):
                entry = _entry(value["provider"], value)
                if entry:
                    entries.append(entry)
    return entries


class HubMappingCache:
    """Thread-safe TTL cache of Hub mappings, keyed by model id.

    ``None`` is cached too: it records that the Hub does not know the model (a native id).
    ``clock`` reads the time (the client's clock: a fake one in tests ages entries too).
    """

    def __init__(self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, list[ProviderMappingEntry] | None]] = {}
        self._lock = threading.Lock()

    def get(self, model: str) -> tuple[bool, list[ProviderMappingEntry] | None]:
        """Return (hit, entries)."""
        with self._lock:
            item = self._entries.get(model)
            if item is None or item[0] < self._clock():
                return False, None
            return True, item[1]

    def put(self, model: str, entries: list[ProviderMappingEntry] | None) -> None:
        with self._lock:
            self._entries[model] = (self._clock() + self.ttl, entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
