"""Where a result came from (provider, model, routing, request id), attached to every result.

(Named ``provenance`` so the module never shadows the ``infermux.response_info`` function.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["ResponseInfo", "ResultList", "attach_response_info", "response_info"]

T = TypeVar("T")

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "inference-id",
    "x-inference-id",
    "x-amzn-requestid",
    "cf-ray",
)


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The provider's id for a request, from the first header that carries one."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """Where a result came from: provider, model id sent, routing, request id, compute type."""

    provider: str
    model: str
    routing: str
    request_id: str | None = None
    status_code: int | None = None
    compute_type: str | None = None

    @classmethod
    def from_headers(
        cls, provider: str, model: str, routing: str, status_code: int, headers: Mapping[str, str]
    ) -> ResponseInfo:
        return cls(
            provider=provider,
            model=model,
            routing=routing,
            request_id=request_id_of(headers),
            status_code=status_code,
            compute_type=headers.get("x-compute-type"),
        )


class ResultList(list[T]):
    """A list output (labels, vectors ...) that also carries its :class:`ResponseInfo`."""

    response_info: ResponseInfo | None = None


def attach_response_info(result: Any, info: ResponseInfo) -> Any:
    """Attach ``info`` to a result: pydantic outputs, media outputs and lists."""
    # Models first: the common case, and is_dataclass() on a pydantic model is a failed
    # class-attribute lookup through pydantic's metaclass (slow).
    setter = getattr(result, "_set_response_info", None)
    if callable(setter):
        setter(info)
        return result
    if isinstance(result, list):
        wrapped: ResultList[Any] = ResultList(result)
        wrapped.response_info = info
        return wrapped
    if dataclasses.is_dataclass(result) and hasattr(result, "response_info"):
        object.__setattr__(result, "response_info", info)  # frozen dataclass, set once here
    return result


def response_info(result: Any) -> ResponseInfo | None:
    """The :class:`ResponseInfo` of any result the client returned (None if it has none)."""
    value = getattr(result, "response_info", None)
    return value if isinstance(value, ResponseInfo) else None
