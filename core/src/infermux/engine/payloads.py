"""Small pure steps on payloads and stream events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from infermux.engine.calls import TaskRequest
from infermux.errors import (
    InvalidInputError,
)
from infermux.helpers.base import (
    MultipartPayload,
    SSEEvent,
    TaskProviderHelper,
)


def _merge_form_fields(payload: MultipartPayload, extra: Mapping[str, Any]) -> MultipartPayload:
    """Add ``extra_body`` to a multipart form: scalar values become form fields."""
    fields = dict(payload.fields)
    for key, value in extra.items():
        if not isinstance(value, str | int | float | bool):
            raise InvalidInputError(
                f"extra_body[{key!r}] must be a string or a number for a multipart upload, "
                f"got {type(value).__name__}"
            )
        fields[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return replace(payload, fields=fields)


def _raw_event(event: SSEEvent) -> Any:
    """Custom streams: each event's data as JSON when it is JSON, else as text."""
    try:
        return json.loads(event.data)
    except ValueError:
        return event.data


def _unsupported(helper: TaskProviderHelper, request: TaskRequest) -> list[str]:
    supported = helper.supported_parameters
    if supported is None:
        return []
    return sorted(name for name in request.parameters if name not in supported)


def _oversized_batch(helper: TaskProviderHelper, request: TaskRequest) -> str | None:
    """Why a list of texts is more than one request to the provider may carry, or None."""
    limit = helper.max_batch_size
    inputs = request.inputs
    if limit is None or not isinstance(inputs, list) or len(inputs) <= limit:
        return None
    if not all(isinstance(item, str) for item in inputs):
        return None  # not a batch of texts (chat messages are a list too)
    return (
        f"{helper.provider} takes at most {limit} inputs per {request.task!r} request, got "
        f"{len(inputs)}: send them in slices of {limit}."
    )
