"""Turn response bodies into typed outputs; any shape problem becomes ResponseFormatError."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from infermux.errors import ResponseFormatError
from infermux.helpers.problems import safe_excerpt

if TYPE_CHECKING:  # pydantic loads with the first model, not at plugin discovery
    from pydantic import BaseModel, TypeAdapter, ValidationError

__all__ = ["validate_list", "validate_object", "validate_output"]

M = TypeVar("M", bound="BaseModel")


def _problem(exc: ValidationError, provider: str, task: str, sample: Any) -> ResponseFormatError:
    first = exc.errors()[0]
    # Name the field: "choices.0.message" (a required field of the task spec that is
    # missing, or a value of the wrong type), so the answer's defect is plain.
    where = ".".join(str(part) for part in first.get("loc", ()))
    field = f"field {where!r}: " if where else ""
    return ResponseFormatError(
        f"{provider} returned a {task} body of an unexpected shape "
        f"({exc.error_count()} problem(s), first: {field}{first['msg']}): {safe_excerpt(sample)}",
        provider=provider,
        task=task,
        field=where or None,
    )


def validate_output(model: type[M], content: bytes | str, provider: str, task: str) -> M:
    """Validate JSON text into ``model`` in one pass (no intermediate dict)."""
    try:
        return model.model_validate_json(content)
    except ValueError as exc:  # pydantic's ValidationError is one; imported only on failure
        from pydantic import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        raise _problem(exc, provider, task, content) from None


def validate_object(model: type[M], data: Any, provider: str, task: str) -> M:
    """Validate decoded JSON (e.g. a dict assembled from a provider's answer) into ``model``."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _problem(exc, provider, task, data) from None


@cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    from pydantic import TypeAdapter

    return TypeAdapter(list[model])  # type: ignore[valid-type]


def validate_list(model: type[M], data: Any, provider: str, task: str) -> list[M]:
    """Validate decoded JSON into ``list[model]``."""
    from pydantic import ValidationError

    try:
        return _list_adapter(model).validate_python(data)
    except ValidationError as exc:
        raise _problem(exc, provider, task, data) from None
