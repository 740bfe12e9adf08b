"""Task name -> client method, found by name so tasks added to the client work unchanged.

``text-to-image`` calls ``InferenceClient.text_to_image``; ``conversational`` calls
``chat_completion``. The method's signature says what its main input is (text, JSON such
as messages or a table, or a binary file) and which parameters ``--param`` may set.
"""

from __future__ import annotations

import difflib
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infermux.cli.errors import CLIError

__all__ = ["TaskMethod", "available_tasks", "method_name", "resolve_task"]

#: Method names that differ from ``task.replace("-", "_")``.
_SPECIAL = {"conversational": "chat_completion"}

#: Parameters the CLI sets itself, or that a command line cannot express.
_RESERVED = frozenset({"self", "model", "on_progress", "cancel"})


def method_name(task: str) -> str:
    """``text-to-image`` -> ``text_to_image``; ``conversational`` -> ``chat_completion``."""
    return _SPECIAL.get(task, task.replace("-", "_"))


def _client_class() -> type:
    from infermux.client.sync_client import InferenceClient

    return InferenceClient


def _known_tasks() -> frozenset[str]:
    from infermux.tasks import KNOWN_TASKS

    return KNOWN_TASKS


def available_tasks() -> list[str]:
    """Tasks the client has a method for."""
    client = _client_class()
    return sorted(t for t in _known_tasks() if callable(getattr(client, method_name(t), None)))


def _annotation(parameter: inspect.Parameter) -> str:
    annotation = parameter.annotation
    if annotation is inspect.Parameter.empty:
        return "Any"
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "Any")


def _is_binary(annotation: str) -> bool:
    # ImageInput, AudioInput ...: bytes, a path, a URL or a file object.
    return annotation.endswith("Input") or "bytes" in annotation


def _is_plain_text(annotation: str) -> bool:
    return annotation.replace(" ", "") in {"str", "str|None", "Optional[str]"}


def decode_value(text: str, annotation: str = "Any") -> Any:
    """A ``--param`` value: JSON when it parses (``42``, ``true``, ``[1, 2]``), else the text.

    Parameters typed as plain strings keep their text, so ``--param question=42`` stays
    ``"42"``.
    """
    if _is_plain_text(annotation):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True, slots=True)
class TaskMethod:
    """A client method and what its arguments look like."""

    task: str
    name: str
    input_name: str
    input_annotation: str
    parameters: Mapping[str, str]  # name -> annotation, for --param

    @property
    def binary_input(self) -> bool:
        return _is_binary(self.input_annotation)

    def bind(self, client: Any) -> Callable[..., Any]:
        method: Callable[..., Any] = getattr(client, self.name)
        return method

    def main_input(self, text: str) -> Any:
        """The main input from text: messages for chat, JSON for structured inputs."""
        if self.task == "conversational":
            decoded = decode_value(text)
            if isinstance(decoded, list):
                return decoded
            return [{"role": "user", "content": text}]
        if self.binary_input or _is_plain_text(self.input_annotation):
            return text  # binary inputs also take a path or a URL
        decoded = decode_value(text)
        return decoded if isinstance(decoded, list | dict) else text

    def keyword_arguments(self, params: list[tuple[str, str]]) -> dict[str, Any]:
        """``--param`` pairs as keyword arguments; unknown names are an error."""
        kwargs: dict[str, Any] = {}
        for key, raw in params:
            if key not in self.parameters:
                accepted = ", ".join(sorted(self.parameters)) or "(none)"
                hint = (
                    f" ({key!r} is the main input: pass it as TEXT, --input or --input-file)"
                    if key == self.input_name
                    else ""
                )
                raise CLIError(
                    f"{self.task} takes no parameter {key!r}{hint}. Parameters: {accepted}"
                )
            kwargs[key] = decode_value(raw, self.parameters[key])
        return kwargs


def _unknown_task(task: str) -> CLIError:
    tasks = available_tasks()
    close = difflib.get_close_matches(task, [*tasks, "chat-completion"], n=1)
    suggestion = ""
    if close:
        name = "conversational" if close[0] == "chat-completion" else close[0]
        suggestion = f" Did you mean {name!r}?"
    return CLIError(f"unknown task {task!r}.{suggestion} Tasks: {', '.join(tasks)}")


def resolve_task(task: str) -> TaskMethod:
    """The client method for ``task`` (``text_to_image`` is accepted for ``text-to-image``)."""
    task = task.strip().lower().replace("_", "-")
    method = getattr(_client_class(), method_name(task), None)
    if task not in _known_tasks() or not callable(method):
        raise _unknown_task(task)
    parameters = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.name not in _RESERVED and p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    if not parameters:
        raise CLIError(f"task {task!r}: the client method {method_name(task)} takes no input")
    first, rest = parameters[0], parameters[1:]
    return TaskMethod(
        task=task,
        name=method_name(task),
        input_name=first.name,
        input_annotation=_annotation(first),
        parameters={p.name: _annotation(p) for p in rest},
    )
