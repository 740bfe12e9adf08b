"""Input rows: an OpenAI Batch line or an infermux-native line, to a :class:`BatchRequest`.

Pure: no I/O. Two formats are accepted, line by line (they may be mixed):

- OpenAI's Batch format, so existing files work unchanged::

      {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions",
       "body": {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}}

  The ``url`` picks the task (see :data:`OPENAI_URL_TASKS`).

- infermux's own, naming any task of any provider::

      {"custom_id": "r2", "task": "text-classification", "inputs": "I love it",
       "parameters": {"top_k": 2}, "provider": "hf-inference", "model": "distilbert/..."}

A row's *request hash* is a digest of what would be sent (task, inputs, parameters,
provider, model, the OpenAI url), never of its ``custom_id``: resume uses it to tell an
answered row from one whose content changed since, and a row without ``custom_id`` gets
one derived from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infermux.errors import InvalidInputError

__all__ = [
    "OPENAI_URL_TASKS",
    "BatchInputError",
    "BatchRequest",
    "parse_line",
    "parse_row",
    "request_hash",
]

#: OpenAI Batch ``url`` -> infermux task.
OPENAI_URL_TASKS: dict[str, str] = {
    "/v1/chat/completions": "conversational",
    "/v1/embeddings": "feature-extraction",
    "/v1/completions": "text-generation",
    "/v1/images/generations": "text-to-image",
}

_NATIVE_KEYS = frozenset({"custom_id", "task", "inputs", "parameters", "provider", "model"})
_OPENAI_KEYS = frozenset({"custom_id", "method", "url", "body"})


class BatchInputError(InvalidInputError):
    """A batch input line is malformed; names the line and what a valid one looks like.

    Raised before any request is sent: the whole input is checked first.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(where + message)
        self.line = line


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """One row to run: which task, with what, on which provider and model."""

    custom_id: str
    task: str
    inputs: Any
    parameters: Mapping[str, Any] = field(default_factory=dict)
    provider: str | None = None
    model: str | None = None
    #: The OpenAI Batch ``url`` when the row came in that format (shapes the output body).
    url: str | None = None
    #: Digest of the request's content (not of ``custom_id``): see the module docstring.
    request_hash: str = ""
    #: 1-based line number in the input file, when there is one.
    line: int | None = None


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_hash(
    task: str,
    inputs: Any,
    parameters: Mapping[str, Any],
    provider: str | None,
    model: str | None,
    url: str | None,
) -> str:
    """A stable digest (32 hex digits) of what a row sends."""
    content = {
        "task": task,
        "inputs": inputs,
        "parameters": dict(parameters),
        "provider": provider,
        "model": model,
        "url": url,
    }
    return hashlib.sha256(_canonical(content)).hexdigest()[:32]


def _custom_id(row: Mapping[str, Any], line: int | None) -> str | None:
    value = row.get("custom_id")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise BatchInputError(f"custom_id must be a non-empty string, got {value!r}", line=line)
    return value


def _openai_row(
    row: Mapping[str, Any], line: int | None
) -> tuple[str, Any, dict[str, Any], str | None, str]:
    unknown = sorted(set(row) - _OPENAI_KEYS)
    if unknown:
        raise BatchInputError(
            f"unknown keys {unknown} in an OpenAI Batch line; it has custom_id, method, "
            "url and body",
            line=line,
        )
    url = row.get("url")
    method = row.get("method", "POST")
    if method != "POST":
        raise BatchInputError(f"method must be POST, got {method!r}", line=line)
    task = OPENAI_URL_TASKS.get(url) if isinstance(url, str) else None
    if task is None:
        raise BatchInputError(
            f"url {url!r} is not one infermux maps to a task; use one of "
            f"{', '.join(OPENAI_URL_TASKS)}, or an infermux line with a 'task'",
            line=line,
        )
    body = row.get("body")
    if not isinstance(body, Mapping):
        raise BatchInputError(f"body must be a JSON object, got {body!r:.80}", line=line)
    if body.get("stream"):
        raise BatchInputError("stream=true cannot be batched: drop it from the body", line=line)
    main = {
        "conversational": "messages",
        "feature-extraction": "input",
        "text-generation": "prompt",
        "text-to-image": "prompt",
    }[task]
    if main not in body:
        raise BatchInputError(f"the body of a {url} line needs {main!r}", line=line)
    parameters = {k: v for k, v in body.items() if k not in (main, "model", "stream")}
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise BatchInputError(f"body.model must be a string, got {model!r}", line=line)
    return task, body[main], parameters, model, url  # type: ignore[return-value]


def _native_row(
    row: Mapping[str, Any], line: int | None
) -> tuple[str, Any, dict[str, Any], str | None, str | None]:
    unknown = sorted(set(row) - _NATIVE_KEYS)
    if unknown:
        raise BatchInputError(
            f"unknown keys {unknown}; an infermux line has custom_id, task, inputs, "
            "parameters, provider and model (or use OpenAI's custom_id, method, url, body)",
            line=line,
        )
    task = row.get("task")
    if not isinstance(task, str) or not task:
        raise BatchInputError(f"task must be a task name string, got {task!r}", line=line)
    if "inputs" not in row:
        raise BatchInputError("an infermux line needs 'inputs'", line=line)
    parameters = row.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise BatchInputError(f"parameters must be a JSON object, got {parameters!r}", line=line)
    provider = row.get("provider")
    model = row.get("model")
    for name, value in (("provider", provider), ("model", model)):
        if value is not None and not isinstance(value, str):
            raise BatchInputError(f"{name} must be a string, got {value!r}", line=line)
    return task, row["inputs"], dict(parameters), provider, model


def parse_row(
    row: Any,
    *,
    line: int | None = None,
    provider: str | None = None,
    model: str | None = None,
) -> BatchRequest:
    """Validate one row (a dict in either format) into a :class:`BatchRequest`.

    ``provider`` and ``model`` are the defaults for rows that do not name their own.
    Raises :class:`BatchInputError` naming what is wrong.
    """
    if not isinstance(row, Mapping):
        raise BatchInputError(
            f"a batch line must be a JSON object, got {type(row).__name__}", line=line
        )
    custom_id = _custom_id(row, line)
    row_provider: str | None = None
    url: str | None = None
    if "task" in row or "inputs" in row:
        task, inputs, parameters, row_provider, row_model = _native_row(row, line)
    elif "url" in row or "body" in row:
        task, inputs, parameters, row_model, url = _openai_row(row, line)
    else:
        raise BatchInputError(
            "a batch line needs either OpenAI's url and body, or infermux's task and inputs",
            line=line,
        )
    effective_provider = row_provider or provider
    effective_model = row_model or model
    digest = request_hash(task, inputs, parameters, effective_provider, effective_model, url)
    return BatchRequest(
        custom_id=custom_id if custom_id is not None else f"req-{digest[:20]}",
        task=task,
        inputs=inputs,
        parameters=parameters,
        provider=effective_provider,
        model=effective_model,
        url=url,
        request_hash=digest,
        line=line,
    )


def parse_line(
    text: str | bytes,
    *,
    line: int | None = None,
    provider: str | None = None,
    model: str | None = None,
) -> BatchRequest | None:
    """Parse one JSONL line; None for a blank line."""
    if not text.strip():
        return None
    try:
        row = json.loads(text)
    except ValueError as exc:
        raise BatchInputError(f"not valid JSON ({exc})", line=line) from None
    return parse_row(row, line=line, provider=provider, model=model)
