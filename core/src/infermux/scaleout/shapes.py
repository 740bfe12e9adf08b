"""What a callable reads from each record (a batch row for the runner) and what it adds.

- :class:`RowShape`: the batch runner's own row format (OpenAI Batch ``custom_id``,
  ``method``, ``url``, ``body``, or infermux's ``custom_id``, ``task``, ``inputs``,
  ``parameters``, ``provider``, ``model``); adds ``response`` (the answer's body as JSON),
  ``status_code`` and ``infermux`` (provider, model, attempts, latency, usage as JSON);
- :class:`ChatShape`: a ``prompt`` (or ``messages``) column; adds ``response`` (the text);
- :class:`EmbeddingsShape`: a ``text`` column; adds ``embedding`` (a list of floats);
- :class:`TextToImageShape`: a ``prompt`` column; adds ``image`` (the bytes, or with a
  media directory the file's path).

Every shape adds ``error_code`` and ``error_message`` (None on success): a failed row is a
row with those set, never an exception that aborts the dataset. Pure: no I/O.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from infermux.errors import InvalidInputError

__all__ = ["ChatShape", "EmbeddingsShape", "RowShape", "Shape", "TextToImageShape"]

_ROW_KEYS = (
    "custom_id",
    "method",
    "url",
    "body",
    "task",
    "inputs",
    "parameters",
    "provider",
    "model",
)


def _error_columns(outputs: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    codes, messages = [], []
    for out in outputs:
        error = out.get("error")
        codes.append(error["code"] if error else None)
        messages.append(error["message"] if error else None)
    return {"error_code": codes, "error_message": messages}


def _check_column(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"{what} must be a column name (a non-empty string), got {name!r}")
    return name


class Shape:
    """The base: ``rows`` builds the runner's rows, ``columns`` the added columns."""

    #: Names of the columns this shape adds (for a Dask ``meta``).
    output_columns: tuple[str, ...] = ("error_code", "error_message")

    def __init__(self, id_column: str = "custom_id") -> None:
        self.id_column = _check_column(id_column, "id_column")

    def _id(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.id_column)
        return {} if value is None else {"custom_id": str(value)}

    def rows(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def columns(self, outputs: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        return _error_columns(outputs)


class RowShape(Shape):
    """The batch runner's row format, column by column (``body`` and ``parameters`` may be
    JSON strings, as they are when a JSONL file is read with ``read_text``)."""

    output_columns = ("response", "status_code", "infermux", "error_code", "error_message")

    def rows(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for record in records:
            row = {k: record[k] for k in _ROW_KEYS if record.get(k) is not None}
            row.update(self._id(record))
            for key in ("body", "parameters"):
                if isinstance(row.get(key), str):
                    # Not JSON: left as it is, and the row parser names what is wrong.
                    with contextlib.suppress(ValueError):
                        row[key] = json.loads(row[key])
            out.append(row)
        return out

    def columns(self, outputs: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        responses, statuses, metas = [], [], []
        for out in outputs:
            response = out.get("response") or {}
            body = response.get("body")
            responses.append(None if body is None else json.dumps(body, ensure_ascii=False))
            statuses.append(response.get("status_code"))
            metas.append(json.dumps(out.get("infermux"), ensure_ascii=False))
        return {
            "response": responses,
            "status_code": statuses,
            "infermux": metas,
            **_error_columns(outputs),
        }


class _TaskShape(Shape):
    task = ""

    def __init__(
        self,
        column: str,
        *,
        id_column: str = "custom_id",
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(id_column)
        self.column = _check_column(column, "the input column")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise InvalidInputError(f"parameters must be a dict, got {type(parameters).__name__}")
        self.parameters = dict(parameters or {})

    def inputs(self, record: Mapping[str, Any]) -> Any:
        if self.column not in record:
            raise InvalidInputError(
                f"the batch has no column {self.column!r} (it has {', '.join(sorted(record))})"
            )
        return record[self.column]

    def rows(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "task": self.task,
                "inputs": self.inputs(r),
                "parameters": self.parameters,
                **self._id(r),
            }
            for r in records
        ]


class ChatShape(_TaskShape):
    """Chat: a prompt per row (``messages`` rows may hold a list of messages or its JSON)."""

    task = "conversational"
    output_columns = ("response", "error_code", "error_message")

    def __init__(
        self,
        column: str = "prompt",
        *,
        system_prompt: str | None = None,
        id_column: str = "custom_id",
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(column, id_column=id_column, parameters=parameters)
        self.system_prompt = system_prompt

    def inputs(self, record: Mapping[str, Any]) -> Any:
        value = super().inputs(record)
        if isinstance(value, str) and value.lstrip().startswith("["):
            # A JSON list of messages (a text that only starts with "[" stays a prompt).
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        messages = [{"role": "user", "content": value}] if isinstance(value, str) else value
        if self.system_prompt is not None and isinstance(messages, list):
            messages = [{"role": "system", "content": self.system_prompt}, *messages]
        return messages

    def columns(self, outputs: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        texts = []
        for out in outputs:
            body = (out.get("response") or {}).get("body") if not out.get("error") else None
            try:
                texts.append(body["choices"][0]["message"]["content"] if body else None)
            except (KeyError, IndexError, TypeError):
                texts.append(None)
        return {"response": texts, **_error_columns(outputs)}


class EmbeddingsShape(_TaskShape):
    """Embeddings: one text per row, one vector back."""

    task = "feature-extraction"
    output_columns = ("embedding", "error_code", "error_message")

    def columns(self, outputs: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        vectors: list[Any] = []
        for out in outputs:
            body = (out.get("response") or {}).get("body") if not out.get("error") else None
            # One text gives one vector; some providers wrap it in a list of one.
            while isinstance(body, list) and len(body) == 1 and isinstance(body[0], list):
                body = body[0]
            vectors.append(body)
        return {"embedding": vectors, **_error_columns(outputs)}


class TextToImageShape(_TaskShape):
    """Text to image: one prompt per row; the image's bytes back (or its path)."""

    task = "text-to-image"
    output_columns = ("image", "error_code", "error_message")

    def columns(self, outputs: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        images: list[Any] = []
        for out in outputs:
            body = (out.get("response") or {}).get("body") if not out.get("error") else None
            if isinstance(body, list):
                body = body[0] if body else None
            if isinstance(body, Mapping) and "path" in body:
                images.append(body["path"])
            elif isinstance(body, Mapping) and "b64" in body:
                images.append(base64.b64decode(body["b64"]))
            else:
                images.append(None)
        return {"image": images, **_error_columns(outputs)}
