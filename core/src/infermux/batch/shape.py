"""Results and failures to output rows (OpenAI's Batch output format plus ``infermux``).

Pure except for :func:`save_media`, which writes a binary output to the media directory.

A row::

    {"id": "batch_req_…", "custom_id": "r1",
     "response": {"status_code": 200, "request_id": "…", "body": {…}},
     "error": null,
     "infermux": {"provider": "…", "model": "…", "task": "…", "attempts": 1,
                  "latency": 0.41, "usage": {…}, "request_hash": "…"}}

A failed row has ``"error": {"code": "server_error", "message": "…"}`` and, when the
provider answered, its status code and body under ``response``.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infermux.batch.rows import BatchRequest
from infermux.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    HelperError,
    InfermuxError,
    InvalidInputError,
    JobCancelledError,
    JobError,
    JobTimeoutError,
    MissingAPIKeyError,
    ModelLoadingError,
    ModelMappingError,
    NotFoundError,
    ProviderHTTPError,
    RateLimitError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    StreamError,
    TransportError,
    UnknownProviderError,
    UnsupportedTaskError,
)
from infermux.media import MediaOutput

__all__ = ["ERROR_CODES", "error_code", "error_row", "result_body", "success_row", "usage_of"]

#: Exception class -> the ``error.code`` of its row; the first match wins (subclasses first).
ERROR_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (BadRequestError, "bad_request"),
    (AuthenticationError, "authentication"),
    (NotFoundError, "not_found"),
    (RateLimitError, "rate_limited"),
    (ModelLoadingError, "model_loading"),
    (ServerError, "server_error"),
    (ProviderHTTPError, "http_error"),
    (RequestTimeoutError, "timeout"),
    (TransportError, "transport_error"),
    (ResponseFormatError, "response_format"),
    (InvalidInputError, "invalid_input"),
    (ModelMappingError, "model_mapping"),
    (UnknownProviderError, "unknown_provider"),
    (MissingAPIKeyError, "missing_api_key"),
    (UnsupportedTaskError, "unsupported_task"),
    (ConfigurationError, "configuration"),
    (JobTimeoutError, "job_timeout"),
    (JobCancelledError, "job_cancelled"),
    (JobError, "job_failed"),
    (HelperError, "helper_error"),
    (StreamError, "stream_error"),
    (InfermuxError, "error"),
)


def error_code(exc: BaseException) -> str:
    """The typed code of a failure; ``internal_error`` for anything not an InfermuxError."""
    for kind, code in ERROR_CODES:
        if isinstance(exc, kind):
            return code
    return "internal_error"


def _row_id(request: BatchRequest) -> str:
    return f"batch_req_{request.request_hash[:24]}"


def _meta(
    request: BatchRequest,
    *,
    provider: str | None,
    model: str | None,
    attempts: int,
    latency: float,
    usage: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "provider": provider,
        "model": model,
        "task": request.task,
        "attempts": attempts,
        "latency": round(latency, 6),
        "usage": dict(usage) if usage else None,
        "request_hash": request.request_hash,
    }


def success_row(
    request: BatchRequest,
    body: Any,
    *,
    status_code: int,
    request_id: str | None,
    provider: str | None,
    model: str | None,
    attempts: int,
    latency: float,
    usage: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "id": _row_id(request),
        "custom_id": request.custom_id,
        "response": {"status_code": status_code, "request_id": request_id, "body": body},
        "error": None,
        "infermux": _meta(
            request,
            provider=provider,
            model=model,
            attempts=attempts,
            latency=latency,
            usage=usage,
        ),
    }


def error_row(
    request: BatchRequest,
    exc: BaseException,
    *,
    provider: str | None = None,
    model: str | None = None,
    attempts: int = 0,
    latency: float = 0.0,
) -> dict[str, Any]:
    response = None
    if isinstance(exc, ProviderHTTPError):
        response = {
            "status_code": exc.status_code,
            "request_id": exc.request_id,
            "body": exc.body if exc.body is not None else {"error": exc.provider_message},
        }
        provider = provider or exc.provider
    message = str(exc) if isinstance(exc, InfermuxError) else f"{type(exc).__name__}: {exc}"
    return {
        "id": _row_id(request),
        "custom_id": request.custom_id,
        "response": response,
        "error": {"code": error_code(exc), "message": message},
        "infermux": _meta(
            request, provider=provider, model=model, attempts=attempts, latency=latency, usage=None
        ),
    }


def usage_of(result: Any) -> dict[str, int] | None:
    """``usage`` of a result (chat), as plain numbers; None when the result has none."""
    usage = getattr(result, "usage", None)
    if usage is None:
        return None
    if hasattr(usage, "model_dump"):
        usage = usage.model_dump(exclude_none=True)
    if not isinstance(usage, Mapping):
        return None
    return {k: int(v) for k, v in usage.items() if isinstance(v, int | float) and v is not None}


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _write_atomically(path: Path, content: bytes) -> None:
    """A reader (or a resumed run) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)


def save_media(output: MediaOutput, request: BatchRequest, media_dir: Path, index: int) -> str:
    """Write ``output`` under ``media_dir`` (atomically: a reader never sees half a file)."""
    stem = _UNSAFE.sub("_", request.custom_id)[:80] or "row"
    suffix = f"-{index}" if index else ""
    path = media_dir / f"{stem}-{request.request_hash[:8]}{suffix}{output.extension}"
    _write_atomically(path, output.content)
    return str(path)


def _media(output: MediaOutput, request: BatchRequest, media_dir: Path | None, index: int) -> Any:
    # A depth map's raw values (DepthMap.predicted_depth) are data, not part of the image:
    # inline with the base64 image, or a JSON file beside the saved one.
    depth = getattr(output, "predicted_depth", None)
    if media_dir is None:
        inline = {
            "b64": base64.b64encode(output.content).decode("ascii"),
            "content_type": output.content_type,
        }
        if depth is not None:
            inline["predicted_depth"] = depth
        return inline
    path = save_media(output, request, media_dir, index)
    saved: dict[str, Any] = {"path": path, "content_type": output.content_type}
    if depth is not None:
        image = Path(path)
        depth_path = image.with_name(f"{image.stem}.depth.json")  # beside it, same stem
        _write_atomically(depth_path, json.dumps(depth, separators=(",", ":")).encode())
        saved["predicted_depth_path"] = str(depth_path)
    return saved


def jsonable(value: Any, request: BatchRequest, media_dir: Path | None, index: int = 0) -> Any:
    """A task output as JSON values; binary outputs saved to ``media_dir`` (or base64)."""
    if isinstance(value, MediaOutput):
        return _media(value, request, media_dir, index)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list | tuple):
        return [jsonable(v, request, media_dir, i) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, request, media_dir, index) for k, v in value.items()}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def result_body(result: Any, request: BatchRequest, media_dir: Path | None) -> Any:
    """The ``response.body`` of a row: OpenAI's shape for OpenAI-format rows."""
    body = jsonable(result, request, media_dir)
    model = request.model
    if request.url == "/v1/embeddings":
        vectors = body if isinstance(body, list) else [body]
        if vectors and not isinstance(vectors[0], list):
            vectors = [vectors]  # one text: one vector
        return {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
            ],
            "model": model,
        }
    if request.url == "/v1/completions" and isinstance(body, Mapping):
        details = body.get("details") or {}
        return {
            "object": "text_completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "text": body.get("generated_text", ""),
                    "finish_reason": details.get("finish_reason"),
                }
            ],
        }
    if request.url == "/v1/images/generations":
        images = body if isinstance(body, list) else [body]
        return {"data": images}
    return body
