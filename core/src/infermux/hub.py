"""Hugging Face Hub API results: models served by providers, a model's status and mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from infermux.errors import ResponseFormatError
from infermux.helpers.problems import safe_excerpt
from infermux.mapping import ProviderMappingEntry, parse_hub_mapping

__all__ = ["HubModel", "ModelStatus", "list_models_query", "model_status_path", "parse_models"]


@dataclass(frozen=True, slots=True)
class HubModel:
    """A model listed by the Hub, with the providers that serve it."""

    id: str
    pipeline_tag: str | None
    providers: list[ProviderMappingEntry]
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """Whether a model is ready to serve (``state``: ``warm``, ``cold`` ...) and where."""

    model: str
    state: str | None
    providers: list[ProviderMappingEntry]

    @property
    def warm(self) -> bool:
        return self.state == "warm"


def list_models_query(
    providers: list[str] | None, task: str | None, limit: int, search: str | None
) -> dict[str, Any]:
    """Query parameters for ``GET /api/models`` (``providers=None`` means every provider)."""
    query: dict[str, Any] = {
        "inference_provider": ",".join(providers) if providers else "all",
        "expand[]": ["inferenceProviderMapping", "pipeline_tag"],
        "limit": limit,
    }
    if task:
        query["pipeline_tag"] = task
    if search:
        query["search"] = search
    return query


def parse_models(body: Any) -> list[HubModel]:
    if not isinstance(body, list):
        raise ResponseFormatError(f"The Hub model list is not a list: {safe_excerpt(body)}")
    return [
        HubModel(
            id=str(item.get("id") or item.get("modelId")),
            pipeline_tag=item.get("pipeline_tag"),
            providers=parse_hub_mapping(item),
            raw=item,
        )
        for item in body
        if isinstance(item, dict)
    ]


def model_status_path(model: str) -> str:
    return f"/api/models/{quote(model, safe='/')}"


def parse_status(model: str, body: Any) -> ModelStatus:
    if not isinstance(body, dict):
        raise ResponseFormatError(f"The Hub model info is not an object: {safe_excerpt(body)}")
    state = body.get("inference")
    return ModelStatus(model, state if isinstance(state, str) else None, parse_hub_mapping(body))
