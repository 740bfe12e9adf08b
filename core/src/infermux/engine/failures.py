"""Error responses as typed errors, keys redacted, and plugin bugs contained."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from infermux.auth import (
    Credential,
)
from infermux.errors import (
    HelperError,
    InfermuxError,
    ProviderHTTPError,
    StreamError,
    error_class_for_status,
)
from infermux.helpers.base import (
    Response,
    SSEEvent,
    TaskProviderHelper,
)
from infermux.provenance import request_id_of

logger = logging.getLogger("infermux")


#: The most of a non-JSON error body an error keeps (the transport reads at most 16 KiB).
BODY_EXCERPT_CHARS = 2000


def _decode_body(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text[:BODY_EXCERPT_CHARS]


def _generic_message(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("error", "message", "detail", "error_message", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):
                nested = _generic_message(value)
                if nested:
                    return nested
            if isinstance(value, list) and value:
                return "; ".join(
                    str(item.get("msg", item)) if isinstance(item, dict) else str(item)
                    for item in value
                )
    if isinstance(body, str) and body.strip():
        text = body.strip()
        return text if len(text) <= 500 else text[:500] + "..."
    return None


def _redact(text: str, credential: Credential | None) -> str:
    if credential is not None and credential.key and credential.key in text:
        return text.replace(credential.key, "<redacted>")
    return text


def _redact_body(body: Any, credential: Credential | None) -> Any:
    """A decoded error body with the key redacted wherever it is quoted (a 401 echoing the
    header it got): the error's ``body`` attribute is as safe to log as its message."""
    if credential is None or not credential.key:
        return body
    if isinstance(body, str):
        return _redact(body, credential)
    if isinstance(body, dict):
        return {_redact_body(k, credential): _redact_body(v, credential) for k, v in body.items()}
    if isinstance(body, list):
        return [_redact_body(item, credential) for item in body]
    return body


def _redact_error(exc: BaseException, credential: Credential | None) -> None:
    """Redact the key, in place, wherever an error a helper raised quotes it (a snippet of a
    body echoing it): in its message and in its attributes (``event``, ``body`` ...)."""
    if credential is None or not credential.key:
        return
    if credential.key not in f"{exc.args!r}{vars(exc)!r}":
        return
    exc.args = tuple(_redact_body(arg, credential) for arg in exc.args)
    for name, value in vars(exc).items():
        setattr(exc, name, _redact_body(value, credential))


def http_error(
    response: Response,
    provider: str,
    helper: TaskProviderHelper | None,
    credential: Credential | None,
    *,
    loading: bool = False,
) -> ProviderHTTPError:
    """Build the typed error for an error response."""
    body = _decode_body(response)
    message = None
    if helper is not None:
        try:
            message = helper.error_message(body)
        except Exception:  # a helper bug must not hide the provider's status and message
            logger.debug("%r.error_message failed", helper, exc_info=True)
        if not isinstance(message, str):
            message = None
    message = message or _generic_message(body)
    message = _redact(message or f"HTTP {response.status_code}", credential)
    cls = error_class_for_status(response.status_code, loading=loading)
    return cls(
        provider=provider,
        status_code=response.status_code,
        provider_message=message,
        request_id=request_id_of(response.headers),
        body=_redact_body(body, credential),
        url=response.url,
    )


def _redacting(
    parse: Callable[[SSEEvent], Any], credential: Credential | None
) -> Callable[[SSEEvent], Any]:
    """Wrap a stream parser so an error event echoing the key never shows it."""
    if credential is None or not credential.key:
        return parse
    key = credential.key

    def parse_redacted(event: SSEEvent) -> Any:
        try:
            return parse(event)
        except StreamError as exc:
            if key not in str(exc) and key not in repr(exc.event):
                raise
            message = exc.provider_message.replace(key, "<redacted>")
            event_body = json.loads(json.dumps(exc.event, default=str).replace(key, "<redacted>"))
            raise StreamError(message, provider=exc.provider, event=event_body) from None

    return parse_redacted


T = TypeVar("T")


def _guarded(
    helper: TaskProviderHelper,
    stage: str,
    credential: Credential | None,
    origin: Callable[[], str | None],
    function: Callable[..., T],
    *args: Any,
) -> T:
    """Run one step of a helper's code (plugin code, outside the core's control).

    Infermux errors the helper raises on purpose pass through. Anything else (a
    ``KeyError`` on an unexpected body, a ``ZeroDivisionError``) is a bug in the plugin:
    it becomes a :class:`HelperError` naming the provider, the helper class and the
    distribution, with the original as ``__cause__``, so a crashing plugin neither surfaces
    as a bare built-in exception nor hides which plugin is at fault.
    """
    try:
        return function(*args)
    except InfermuxError as exc:
        _redact_error(exc, credential)
        raise
    except Exception as exc:
        cls = type(helper)
        name = f"{cls.__module__}.{cls.__qualname__}"
        where = origin()
        detail = _redact(f"{type(exc).__name__}: {exc}", credential)
        error = HelperError(
            f"{name} (provider {helper.provider!r}"
            f"{f', from {where}' if where else ''}) raised {detail} in {stage}. This is a "
            "bug in the provider plugin; please report it to its authors.",
            provider=helper.provider,
            helper=name,
            stage=stage,
            origin=where,
        )
        text = f"{exc} {exc.args!r}"
        if credential is not None and credential.key and credential.key in text:
            raise error from None  # the original quotes the key (from an echoing body)
        raise error from exc
