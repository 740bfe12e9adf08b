"""Task names (the Hugging Face pipeline tags, plus ``conversational`` for chat) and the
shape of a provider id. A leaf: config parsing, the registry and helpers all read it."""

from __future__ import annotations

import re

__all__ = [
    "KNOWN_TASKS",
    "OPENAI_COMPATIBLE_TASKS",
    "PROVIDER_ID",
    "STREAMING_TASKS",
    "check_task_name",
]

#: A provider id: lowercase letters, digits and ``-`` (``"together"``, ``"my-gateway"``).
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

#: The tasks an OpenAI-compatible endpoint serves (``infermux.helpers.openai.OPENAI_HELPERS``
#: has a helper for each).
OPENAI_COMPATIBLE_TASKS: frozenset[str] = frozenset(
    {
        "automatic-speech-recognition",
        "conversational",
        "feature-extraction",
        "responses",
        "text-generation",
        "text-to-image",
    }
)

#: Every task a helper may register for.
KNOWN_TASKS: frozenset[str] = frozenset(
    {
        "audio-classification",
        "audio-to-audio",
        "automatic-speech-recognition",
        "conversational",
        "depth-estimation",
        "document-question-answering",
        "feature-extraction",
        "fill-mask",
        "image-classification",
        "image-segmentation",
        "image-text-to-text",
        "image-to-image",
        "image-to-text",
        "image-to-video",
        "object-detection",
        "question-answering",
        # Not a pipeline tag: OpenAI's Responses API (client.responses.create).
        "responses",
        "sentence-similarity",
        "summarization",
        "table-question-answering",
        "tabular-classification",
        "tabular-regression",
        "text-classification",
        "text-generation",
        "text-to-audio",
        "text-to-image",
        "text-to-speech",
        "text-to-video",
        "token-classification",
        "translation",
        "video-classification",
        "visual-question-answering",
        "zero-shot-classification",
        "zero-shot-image-classification",
        "zero-shot-object-detection",
    }
)

#: Tasks whose outputs may arrive as a server-sent event stream.
STREAMING_TASKS: frozenset[str] = frozenset({"conversational", "responses", "text-generation"})


def check_task_name(task: object) -> str | None:
    """Return why ``task`` is not a valid task name, or None if it is."""
    if not isinstance(task, str):
        return f"task must be a string, got {type(task).__name__}"
    if task not in KNOWN_TASKS:
        return f"unknown task {task!r}; known tasks: {', '.join(sorted(KNOWN_TASKS))}"
    return None
