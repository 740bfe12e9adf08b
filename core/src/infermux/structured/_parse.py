"""Structured output you can use: the model's JSON validated into the pydantic model asked
for (``response_format=Model`` for chat, ``text_format=Model`` for responses), as
openai-python's ``parse`` helpers do.

A refusal, or an answer without text (only tool calls), parses to None. Text that is not
valid JSON for the model raises :class:`~infermux.errors.StructuredOutputError` naming
every field that failed, with the raw text kept on the error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from infermux.errors import StructuredOutputError
from infermux.types import (
    ChatCompletionOutput,
    ChatCompletionOutputComplete,
    ChatCompletionOutputMessage,
)

if TYPE_CHECKING:
    from infermux.responses.types import Response

__all__ = [
    "ParsedChatCompletionOutput",
    "ParsedChatCompletionOutputComplete",
    "ParsedChatCompletionOutputMessage",
    "parse_chat",
    "parse_model",
    "parse_response",
]

M = TypeVar("M", bound=BaseModel)


class ParsedChatCompletionOutputMessage(ChatCompletionOutputMessage, Generic[M]):
    """A chat message with ``parsed``: the answer validated into your model."""

    parsed: M | None = None


class ParsedChatCompletionOutputComplete(ChatCompletionOutputComplete, Generic[M]):
    message: ParsedChatCompletionOutputMessage[M]


class ParsedChatCompletionOutput(ChatCompletionOutput, Generic[M]):
    """What ``chat_completion(..., response_format=Model)`` returns: every choice's
    ``message.parsed`` is a ``Model`` instance (None for a refusal or a tool call)."""

    choices: list[ParsedChatCompletionOutputComplete[M]]  # type: ignore[assignment]


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(the whole answer)"


def parse_model(model: type[M], text: str | None, provider: str | None, task: str) -> M | None:
    """``text`` validated into ``model``; None for no text. Raises StructuredOutputError."""
    if text is None or not text.strip():
        return None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = [(_location(e["loc"]), e["msg"]) for e in exc.errors()]
        listed = "; ".join(f"{where}: {problem}" for where, problem in errors[:10])
        raise StructuredOutputError(
            f"{provider or 'the provider'} answered {task} with JSON that does not validate "
            f"as {model.__name__} ({len(errors)} problem(s): {listed}). Answer: {text[:300]!r}",
            errors=errors,
            text=text,
            provider=provider,
            task=task,
        ) from None


def parse_chat(output: ChatCompletionOutput, model: type[M]) -> ParsedChatCompletionOutput[M]:
    """A chat answer with each choice's message parsed into ``model``."""
    info = output.response_info
    provider = getattr(info, "provider", None)
    data = output.model_dump()
    for choice, raw in zip(output.choices or [], data.get("choices") or [], strict=False):
        message = choice.message
        if message is None or raw.get("message") is None:
            continue
        refused = getattr(message, "refusal", None)
        raw["message"]["parsed"] = (
            None if refused else parse_model(model, message.content, provider, "chat completion")
        )
    parsed = ParsedChatCompletionOutput[model].model_validate(data)  # type: ignore[valid-type]
    parsed._set_response_info(info)
    return parsed


def parse_response(response: Response, model: type[M]) -> Response:
    """Set ``response.output_parsed`` from its ``output_text``; returns the response."""
    provider = getattr(response.response_info, "provider", None)
    response._set_output_parsed(parse_model(model, response.output_text, provider, "responses"))
    return response


def parsed_value(output: Any) -> Any:
    """``message.parsed`` of the first choice, or ``output_parsed`` (for the CLI and docs)."""
    parsed = getattr(output, "output_parsed", None)
    if parsed is not None:
        return parsed
    choices = getattr(output, "choices", None) or []
    return getattr(getattr(choices[0], "message", None), "parsed", None) if choices else None
