"""Typed models of OpenAI's Responses API: the response object and its stream events.

Written by hand from OpenAI's API reference (``POST /v1/responses``; the streaming events
of ``openai.types.responses``), not generated: the Hugging Face task specifications do not
cover this API. As with :mod:`infermux.types`, every field is optional and unknown fields
are kept (``extra="allow"``): the router and the providers serving the API send subsets
and supersets of OpenAI's shapes, and nothing they send is lost.
"""

from __future__ import annotations

import json
from typing import Any

from infermux.types._base import TaskModel

__all__ = [
    "EVENT_TYPES",
    "Response",
    "ResponseCompletedEvent",
    "ResponseContentPart",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseError",
    "ResponseFailedEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseOutputItem",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseQueuedEvent",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningSummaryTextDoneEvent",
    "ResponseReasoningTextDeltaEvent",
    "ResponseReasoningTextDoneEvent",
    "ResponseRefusalDeltaEvent",
    "ResponseRefusalDoneEvent",
    "ResponseStreamEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ResponseUsage",
]


class ResponseContentPart(TaskModel):
    """A part of a message item: ``output_text`` (``text``), ``refusal`` (``refusal``), or a
    reasoning item's ``reasoning_text`` / ``summary_text`` (``text``)."""

    type: str | None = None
    text: str | None = None
    refusal: str | None = None
    annotations: list[Any] | None = None
    logprobs: list[Any] | None = None


class ResponseOutputItem(TaskModel):
    """One item of ``Response.output``; ``type`` says which fields apply.

    - ``message``: ``role``, ``content`` (parts), ``status``
    - ``function_call``: ``call_id``, ``name``, ``arguments`` (a JSON string)
    - ``reasoning``: ``content`` and/or ``summary`` (parts), ``encrypted_content``
    - ``mcp_call`` / ``mcp_list_tools`` / ``mcp_approval_request``: ``server_label``,
      ``name``, ``arguments``, ``output``, ``tools``, ``error``
    """

    type: str | None = None
    id: str | None = None
    status: str | None = None
    role: str | None = None
    content: list[ResponseContentPart] | None = None
    summary: list[ResponseContentPart] | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    server_label: str | None = None
    output: Any = None
    error: Any = None

    def parsed_arguments(self) -> Any:
        """A function call's ``arguments`` decoded from JSON (None when there are none)."""
        return json.loads(self.arguments) if self.arguments else None


class ResponseError(TaskModel):
    code: str | None = None
    message: str | None = None


class ResponseUsage(TaskModel):
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_tokens_details: dict[str, Any] | None = None
    output_tokens_details: dict[str, Any] | None = None


class Response(TaskModel):
    """The answer of ``client.responses.create()``: ``output_text`` joins the text of every
    message item; ``output`` holds the items (messages, function calls, reasoning, MCP)."""

    # The instance a ``text_format=``/``response_format=`` pydantic model was validated
    # into: a slot, like the response info, so it is never serialised as a field.
    __slots__ = ("_output_parsed",)

    id: str | None = None
    object: str | None = None
    created_at: float | None = None
    status: str | None = None
    model: str | None = None
    output: list[ResponseOutputItem] | None = None
    instructions: Any = None
    error: ResponseError | None = None
    incomplete_details: dict[str, Any] | None = None
    usage: ResponseUsage | None = None
    reasoning: dict[str, Any] | None = None
    text: dict[str, Any] | None = None
    tools: list[Any] | None = None
    tool_choice: Any = None
    temperature: float | None = None
    top_p: float | None = None
    max_output_tokens: int | None = None
    parallel_tool_calls: bool | None = None
    previous_response_id: str | None = None
    metadata: dict[str, Any] | None = None

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every message item, joined (as the
        OpenAI SDKs' ``output_text``); ``""`` when the model only called tools."""
        return "".join(
            part.text or ""
            for item in self.output or ()
            if item.type == "message"
            for part in item.content or ()
            if part.type == "output_text"
        )

    @property
    def function_calls(self) -> list[ResponseOutputItem]:
        """The ``function_call`` items of ``output``, in order."""
        return [item for item in self.output or () if item.type == "function_call"]

    @property
    def output_parsed(self) -> Any:
        """The structured output validated into the pydantic model passed as
        ``text_format=`` (None otherwise, or when the model refused)."""
        return getattr(self, "_output_parsed", None)

    def _set_output_parsed(self, value: Any) -> None:
        object.__setattr__(self, "_output_parsed", value)


# -- stream events -------------------------------------------------------------------------


class ResponseStreamEvent(TaskModel):
    """One semantic event of a streamed response. ``type`` names it (``response.created``,
    ``response.output_text.delta`` ...); events this module has no class for arrive as this
    base class with their fields kept."""

    type: str | None = None
    sequence_number: int | None = None


class _ResponseSnapshot(ResponseStreamEvent):
    response: Response | None = None


class ResponseCreatedEvent(_ResponseSnapshot):
    """``response.created``: the response, ``status="in_progress"``."""


class ResponseInProgressEvent(_ResponseSnapshot):
    """``response.in_progress``."""


class ResponseQueuedEvent(_ResponseSnapshot):
    """``response.queued``."""


class ResponseCompletedEvent(_ResponseSnapshot):
    """``response.completed``: the whole response, output and usage included."""


class ResponseIncompleteEvent(_ResponseSnapshot):
    """``response.incomplete``: ended early (``incomplete_details.reason``)."""


class ResponseFailedEvent(_ResponseSnapshot):
    """``response.failed``: ``response.error`` says why (the stream raises StreamError)."""


class _ItemEvent(ResponseStreamEvent):
    output_index: int | None = None
    item: ResponseOutputItem | None = None


class ResponseOutputItemAddedEvent(_ItemEvent):
    """``response.output_item.added``: an item starts (a message, a function call ...)."""


class ResponseOutputItemDoneEvent(_ItemEvent):
    """``response.output_item.done``: the item, complete."""


class _PartEvent(ResponseStreamEvent):
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    part: ResponseContentPart | None = None


class ResponseContentPartAddedEvent(_PartEvent):
    """``response.content_part.added``."""


class ResponseContentPartDoneEvent(_PartEvent):
    """``response.content_part.done``."""


class _DeltaEvent(ResponseStreamEvent):
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    delta: str = ""


class ResponseTextDeltaEvent(_DeltaEvent):
    """``response.output_text.delta``: the next piece of text (``delta``)."""

    logprobs: list[Any] | None = None


class ResponseTextDoneEvent(ResponseStreamEvent):
    """``response.output_text.done``: the whole text of one part."""

    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    text: str | None = None


class ResponseRefusalDeltaEvent(_DeltaEvent):
    """``response.refusal.delta``."""


class ResponseRefusalDoneEvent(ResponseStreamEvent):
    """``response.refusal.done``."""

    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    refusal: str | None = None


class ResponseFunctionCallArgumentsDeltaEvent(_DeltaEvent):
    """``response.function_call_arguments.delta``: a piece of a call's JSON arguments."""


class ResponseFunctionCallArgumentsDoneEvent(ResponseStreamEvent):
    """``response.function_call_arguments.done``: the call's whole arguments."""

    item_id: str | None = None
    output_index: int | None = None
    name: str | None = None
    arguments: str | None = None


class ResponseReasoningTextDeltaEvent(_DeltaEvent):
    """``response.reasoning_text.delta``: a piece of the model's reasoning."""


class ResponseReasoningTextDoneEvent(ResponseStreamEvent):
    """``response.reasoning_text.done``."""

    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    text: str | None = None


class ResponseReasoningSummaryTextDeltaEvent(_DeltaEvent):
    """``response.reasoning_summary_text.delta``."""

    summary_index: int | None = None


class ResponseReasoningSummaryTextDoneEvent(ResponseStreamEvent):
    """``response.reasoning_summary_text.done``."""

    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    text: str | None = None


#: Event ``type`` -> its model; any other type is a plain :class:`ResponseStreamEvent`.
EVENT_TYPES: dict[str, type[ResponseStreamEvent]] = {
    "response.created": ResponseCreatedEvent,
    "response.in_progress": ResponseInProgressEvent,
    "response.queued": ResponseQueuedEvent,
    "response.completed": ResponseCompletedEvent,
    "response.incomplete": ResponseIncompleteEvent,
    "response.failed": ResponseFailedEvent,
    "response.output_item.added": ResponseOutputItemAddedEvent,
    "response.output_item.done": ResponseOutputItemDoneEvent,
    "response.content_part.added": ResponseContentPartAddedEvent,
    "response.content_part.done": ResponseContentPartDoneEvent,
    "response.output_text.delta": ResponseTextDeltaEvent,
    "response.output_text.done": ResponseTextDoneEvent,
    "response.refusal.delta": ResponseRefusalDeltaEvent,
    "response.refusal.done": ResponseRefusalDoneEvent,
    "response.function_call_arguments.delta": ResponseFunctionCallArgumentsDeltaEvent,
    "response.function_call_arguments.done": ResponseFunctionCallArgumentsDoneEvent,
    "response.reasoning_text.delta": ResponseReasoningTextDeltaEvent,
    "response.reasoning_text.done": ResponseReasoningTextDoneEvent,
    "response.reasoning_summary_text.delta": ResponseReasoningSummaryTextDeltaEvent,
    "response.reasoning_summary_text.done": ResponseReasoningSummaryTextDoneEvent,
}
