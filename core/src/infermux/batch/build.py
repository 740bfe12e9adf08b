"""A :class:`BatchRequest` to the engine's ``TaskRequest``, through the client's own methods.

The client's task methods validate their arguments and build a ``TaskRequest``; they are
the one place that knows each task's main input and parameters. Rather than copy that
knowledge, a row is turned into a call of the method of its task on a *capturing* client
whose ``_run`` returns the request instead of running it. Pure: nothing is sent.

Also here: the token estimate a row is charged before it is sent (corrected from the
answer's ``usage`` afterwards).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from infermux.batch.rows import BatchRequest
from infermux.client.sync_client import InferenceClient
from infermux.engine import TaskRequest
from infermux.errors import InvalidInputError

__all__ = ["build_task_request", "estimate_tokens"]

#: Method names that differ from ``task.replace("-", "_")``.
_SPECIAL_METHODS = {"conversational": "chat_completion"}
#: Parameters a batch row cannot set: the row names its model itself; no callbacks.
_RESERVED = frozenset({"self", "model", "stream", "on_progress", "cancel"})


class _CapturingClient(InferenceClient):
    """The sync client's task methods, minus the sending: ``_run`` returns the request."""

    def __init__(self) -> None:  # no engine, no HTTP client: nothing here may send
        pass

    def _run(self, request: TaskRequest) -> Any:
        return request


_CAPTURE = _CapturingClient()


@cache
def _signature(task: str) -> tuple[str, frozenset[str]]:
    """The task method's name and the keyword parameters a row may set."""
    name = _SPECIAL_METHODS.get(task, task.replace("-", "_"))
    method = getattr(InferenceClient, name, None)
    if method is None or name.startswith("_"):
        from infermux.tasks import KNOWN_TASKS

        raise InvalidInputError(
            f"task {task!r} has no client method; known tasks: {', '.join(sorted(KNOWN_TASKS))}"
        )
    parameters = list(inspect.signature(method).parameters.values())
    keywords = frozenset(p.name for p in parameters[2:] if p.name not in _RESERVED)
    return name, keywords


def _openai_arguments(request: BatchRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """OpenAI body fields -> the task method's keywords, and the rest as ``extra_body``."""
    _, keywords = _signature(request.task)
    params = dict(request.parameters)
    kwargs: dict[str, Any] = {}
    if request.task == "text-generation":  # /v1/completions names differ from the HF spec
        if "max_tokens" in params:
            kwargs["max_new_tokens"] = params.pop("max_tokens")
        if isinstance(params.get("stop"), str):
            params["stop"] = [params["stop"]]
    elif request.task == "text-to-image":
        size = params.pop("size", None)
        if isinstance(size, str) and "x" in size:
            width, _, height = size.partition("x")
            if width.isdigit() and height.isdigit():
                kwargs["width"], kwargs["height"] = int(width), int(height)
        params.pop("response_format", None)  # the output is bytes either way
    elif request.task == "feature-extraction" and params.get("encoding_format") == "float":
        params.pop("encoding_format")  # the default; floats is what infermux returns
    extra: dict[str, Any] = {}
    for key, value in params.items():
        if key in keywords and key != "extra_body":
            kwargs[key] = value
        else:
            extra[key] = value
    return kwargs, extra


def build_task_request(request: BatchRequest) -> TaskRequest:
    """Validate a row's inputs and parameters as the client would; raise InvalidInputError."""
    name, keywords = _signature(request.task)
    if request.url is not None:
        kwargs, extra = _openai_arguments(request)
        if extra:
            kwargs["extra_body"] = {**extra, **kwargs.get("extra_body", {})}
    else:
        unknown = sorted(set(request.parameters) - keywords)
        if unknown:
            raise InvalidInputError(
                f"{request.task} has no parameter {', '.join(map(repr, unknown))}; it takes "
                f"{', '.join(sorted(keywords))} (provider-specific options go in "
                "parameters.extra_body)"
            )
        kwargs = dict(request.parameters)
    method = getattr(_CAPTURE, name)
    task_request: TaskRequest = method(request.inputs, model=request.model, **kwargs)
    if request.provider is not None:
        task_request = replace(task_request, provider=request.provider)
    return task_request


def _text_length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return sum(_text_length(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_text_length(v) for v in value)
    return 0


def estimate_tokens(request: BatchRequest) -> int:
    """Tokens a row will use, before it is sent: about 4 characters per prompt token, plus
    the completion budget it asks for (``max_tokens`` / ``max_new_tokens``, times ``n``).

    The same rule as OpenAI's parallel-request cookbook script; it over-counts completions
    that stop early, and the limiter is corrected from the answer's ``usage`` afterwards.
    """
    prompt = _text_length(request.inputs)
    if request.task == "conversational":
        prompt += 4 * _count(request.inputs)  # per-message overhead of the chat format
    params = request.parameters
    completion = params.get("max_tokens") or params.get("max_new_tokens") or 0
    n = params.get("n") or 1
    if not isinstance(completion, int) or not isinstance(n, int):
        completion, n = 0, 1
    return max(1, (prompt + 3) // 4 + completion * max(1, n))


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 1


def canonical_json(value: Any) -> str:
    """Compact JSON (for hashing and for the output line)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
