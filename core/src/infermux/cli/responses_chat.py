"""``infermux chat --responses``: the same chat, sent through the Responses API."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infermux.client.sync_client import InferenceClient

__all__ = ["send_responses"]

logger = logging.getLogger("infermux.cli")


def send_responses(
    client: InferenceClient, messages: list[dict[str, Any]], options: dict[str, Any]
) -> str:
    """Send the conversation to ``client.responses.create``; print the reply as its
    ``response.output_text.delta`` events arrive; return its text. A system message
    becomes ``instructions``; ``max_tokens`` becomes ``max_output_tokens``."""
    from infermux.responses.types import ResponseTextDeltaEvent

    system = [m["content"] for m in messages if m["role"] == "system"]
    turns = [m for m in messages if m["role"] != "system"]
    # One user message goes as plain text, the Responses API's simplest input.
    single = len(turns) == 1 and turns[0]["role"] == "user" and isinstance(turns[0]["content"], str)
    kwargs: dict[str, Any] = {
        "model": options.get("model"),
        "input": turns[0]["content"] if single else turns,
    }
    if system:
        kwargs["instructions"] = "\n\n".join(system)
    if options.get("max_tokens") is not None:
        kwargs["max_output_tokens"] = options["max_tokens"]
    if options.get("temperature") is not None:
        kwargs["temperature"] = options["temperature"]
    out = sys.stdout
    if not options.get("stream", True):
        result = client.responses.create(**kwargs, stream=False)
        text: str = result.output_text
        out.write(text + "\n")
        out.flush()
        logger.info("answered by model %s", result.model)
        return text
    parts: list[str] = []
    with client.responses.create(**kwargs, stream=True) as stream:
        for event in stream:
            if isinstance(event, ResponseTextDeltaEvent) and event.delta:
                parts.append(event.delta)
                out.write(event.delta)
                out.flush()
    out.write("\n")
    out.flush()
    logger.info("answered by %s", stream.provider)
    return "".join(parts)
