"""Fold a Responses event stream into the :class:`Response` a plain call returns.

OpenAI's ``response.completed`` event carries the whole response, and that is used as it
is. A stream that ends without one (a server that sends only deltas, a connection that
closed early) is rebuilt from its parts: the last response snapshot (created, in
progress), the items announced by ``output_item.added``/``done``, and the text and
function-argument deltas, joined per item and part in the order they came.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infermux.responses.types import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseIncompleteEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseRefusalDeltaEvent,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
    _ResponseSnapshot,
)

__all__ = ["assemble_response"]


def _part(item: dict[str, Any], index: int, kind: str) -> dict[str, Any]:
    parts = item.setdefault("content", [])
    while len(parts) <= index:
        parts.append({"type": kind, "text": ""} if kind != "refusal" else {"type": kind})
    return parts[index]  # type: ignore[no-any-return]


def assemble_response(events: Iterable[ResponseStreamEvent]) -> Response:
    """Join a Responses stream's events into one :class:`Response`."""
    snapshot: Response | None = None
    final: Response | None = None
    items: dict[int, dict[str, Any]] = {}
    for event in events:
        if isinstance(event, ResponseCompletedEvent | ResponseIncompleteEvent):
            final = event.response
        if isinstance(event, _ResponseSnapshot) and event.response is not None:
            snapshot = event.response
            continue
        index = getattr(event, "output_index", None)
        index = index if type(index) is int else len(items)
        if isinstance(event, ResponseOutputItemAddedEvent | ResponseOutputItemDoneEvent):
            if event.item is not None:
                done = event.item.model_dump(exclude_none=True)
                # A done item is complete; an added one may be an empty shell of its deltas.
                if isinstance(event, ResponseOutputItemAddedEvent) and index in items:
                    continue
                items[index] = done
        elif isinstance(event, ResponseContentPartAddedEvent) and event.part is not None:
            item = items.setdefault(index, {"type": "message", "role": "assistant"})
            parts = item.setdefault("content", [])
            content_index = event.content_index or 0
            if len(parts) <= content_index:
                _part(item, content_index, event.part.type or "output_text")
        elif isinstance(event, ResponseTextDeltaEvent | ResponseReasoningTextDeltaEvent):
            default = "message" if isinstance(event, ResponseTextDeltaEvent) else "reasoning"
            item = items.setdefault(index, {"type": default, "role": "assistant"})
            kind = "output_text" if default == "message" else "reasoning_text"
            part = _part(item, event.content_index or 0, kind)
            part["text"] = (part.get("text") or "") + event.delta
        elif isinstance(event, ResponseTextDoneEvent) and event.text is not None:
            item = items.setdefault(index, {"type": "message", "role": "assistant"})
            _part(item, event.content_index or 0, "output_text")["text"] = event.text
        elif isinstance(event, ResponseRefusalDeltaEvent):
            item = items.setdefault(index, {"type": "message", "role": "assistant"})
            part = _part(item, event.content_index or 0, "refusal")
            part["refusal"] = (part.get("refusal") or "") + event.delta
        elif isinstance(event, ResponseFunctionCallArgumentsDeltaEvent):
            item = items.setdefault(index, {"type": "function_call", "arguments": ""})
            item["arguments"] = (item.get("arguments") or "") + event.delta
        elif isinstance(event, ResponseFunctionCallArgumentsDoneEvent):
            item = items.setdefault(index, {"type": "function_call"})
            if event.arguments is not None:
                item["arguments"] = event.arguments
            if event.name and not item.get("name"):
                item["name"] = event.name
    if final is not None and final.output:
        return final
    base = final or snapshot
    data: dict[str, Any] = (
        base.model_dump(exclude_none=True) if base is not None else {"object": "response"}
    )
    if items:
        data["output"] = [items[i] for i in sorted(items)]
    if final is None and data.get("status") in (None, "in_progress", "queued"):
        # No terminal event arrived: the stream was cut. Say so rather than "in_progress".
        data["status"] = "incomplete"
    return Response.model_validate(data)
