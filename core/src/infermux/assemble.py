"""Fold streamed chunks into the output a non-streamed call would have returned.

Chat deltas are concatenated per choice; tool calls arrive as fragments keyed by their
``index`` (the id and name once, the JSON arguments in pieces) and are joined here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infermux.helpers.parsing import validate_object
from infermux.types import (
    ChatCompletionOutput,
    ChatCompletionStreamOutput,
    TextGenerationOutput,
    TextGenerationStreamOutput,
)

__all__ = ["assemble", "assemble_chat", "assemble_text_generation"]


def _choice(choices: dict[int, dict[str, Any]], index: int) -> dict[str, Any]:
    return choices.setdefault(
        index,
        {"index": index, "message": {"role": "assistant", "content": ""}, "finish_reason": None},
    )


def assemble_chat(chunks: Iterable[ChatCompletionStreamOutput]) -> ChatCompletionOutput:
    """Join chat stream chunks into one :class:`ChatCompletionOutput`."""
    head: dict[str, Any] = {}
    choices: dict[int, dict[str, Any]] = {}
    tool_calls: dict[tuple[int, int], dict[str, Any]] = {}
    usage: Any = None
    for chunk in chunks:
        if not head:
            head = {"id": chunk.id, "created": chunk.created, "model": chunk.model}
        usage = chunk.usage or usage
        for streamed in chunk.choices or []:
            index = streamed.index or 0
            choice = _choice(choices, index)
            choice["finish_reason"] = streamed.finish_reason or choice["finish_reason"]
            delta = streamed.delta
            message = choice["message"]
            if delta.role:
                message["role"] = delta.role
            if delta.content:
                message["content"] += delta.content
            for fragment in delta.tool_calls or []:
                call = tool_calls.setdefault(
                    (index, fragment.index or 0),
                    {"id": None, "type": "function", "function": {"name": None, "arguments": ""}},
                )
                call["id"] = fragment.id or call["id"]
                call["type"] = fragment.type or call["type"]
                if fragment.function is not None:
                    call["function"]["name"] = fragment.function.name or call["function"]["name"]
                    call["function"]["arguments"] += fragment.function.arguments or ""
    for (index, _), call in sorted(tool_calls.items()):
        _choice(choices, index)["message"].setdefault("tool_calls", []).append(call)
    for choice in choices.values():
        if not choice["message"]["content"] and "tool_calls" in choice["message"]:
            choice["message"]["content"] = None
    # Validated like an answer: chunks that do not assemble into a valid output (a tool
    # call whose id never came) are a ResponseFormatError naming the field, not a crash.
    return validate_object(
        ChatCompletionOutput,
        {
            **head,
            "object": "chat.completion",
            "choices": [choices[i] for i in sorted(choices)],
            "usage": usage.model_dump() if usage is not None else None,
        },
        "stream",
        "conversational",
    )


def assemble_text_generation(chunks: Iterable[TextGenerationStreamOutput]) -> TextGenerationOutput:
    """Join text-generation stream chunks into one :class:`TextGenerationOutput`."""
    text = ""
    final: str | None = None
    details: Any = None
    for chunk in chunks:
        if chunk.token is not None and not chunk.token.special:
            text += chunk.token.text or ""
        if chunk.generated_text:
            final = chunk.generated_text
        details = chunk.details or details
    return TextGenerationOutput(
        generated_text=final if final is not None else text,
        details=details.model_dump() if details is not None else None,
    )


def assemble(items: list[Any]) -> Any:
    """Assemble chat or text-generation chunks, or Responses events; other streams come
    back as the list."""
    if items and type(items[0]).__module__ == "infermux.responses.types":
        from infermux.responses.assemble import assemble_response
        from infermux.responses.types import ResponseStreamEvent

        if all(isinstance(item, ResponseStreamEvent) for item in items):
            return assemble_response(items)
    if items and all(isinstance(item, ChatCompletionStreamOutput) for item in items):
        return assemble_chat(items)
    if items and all(isinstance(item, TextGenerationStreamOutput) for item in items):
        return assemble_text_generation(items)
    return items
