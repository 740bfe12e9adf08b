"""Error responses as typed errors, keys redacted, and plugin bugs contained."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from infermux.auth import (
    Credential,
)
from infermux.errors import (
    HelperError,
    InfermuxError,
    ProviderHTTPError,
    RedirectNotFollowedError,
    ResponseFormatError,
    StreamError,
    error_class_for_status,
)
from infermux.helpers.base import (
    Response,
    SSEEvent,
    TaskProviderHelper,
)
from infermux.provenance import request_id_of
from infermux.secret_patterns import key_pattern

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


@lru_cache(maxsize=64)
def _pattern(credential: Credential | None) -> re.Pattern[str] | None:
    if credential is None or not credential.key:
        return None
    return key_pattern(credential.key, credential.scheme.prefix)


def _redact(text: str, credential: Credential | None) -> str:
    pattern = _pattern(credential)
    return text if pattern is None else pattern.sub("<redacted>", text)


def quotes_key(text: str, credential: Credential | None) -> bool:
    """Whether ``text`` holds the credential's key in any spelling :func:`key_pattern` knows."""
    pattern = _pattern(credential)
    return pattern is not None and pattern.search(text) is not None


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
    if not quotes_key(f"{exc.args!r}{vars(exc)!r}", credential):
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


def redirect_error(
    response: Response, provider: str, credential: Credential | None, *, keyed: bool
) -> RedirectNotFollowedError:
    """The typed error for a 3xx answer that was not followed."""
    location = response.headers.get("location")
    return RedirectNotFollowedError(
        location=_redact(location, credential)[:300] if location else None,
        keyed=keyed,
        provider=provider,
        status_code=response.status_code,
        request_id=request_id_of(response.headers),
        body=_redact_body(_decode_body(response), credential),
        url=response.url,
    )


def not_a_stream_error(
    response: Response, provider: str, task: str, credential: Credential | None
) -> ResponseFormatError:
    """A streaming request answered with something other than an event stream (a JSON
    body, an HTML page): an error, never a stream that ends with no chunks."""
    body = _decode_body(response)
    said = _generic_message(body) or (response.text.strip()[:200] if response.content else "")
    what = response.content_type or "no content type"
    return ResponseFormatError(
        _redact(
            f"{provider} answered a streaming {task!r} request with HTTP "
            f"{response.status_code} {what} instead of an event stream (text/event-stream)"
            + (f": {said[:200]!r}" if said else " and an empty body"),
            credential,
        ),
        provider=provider,
        task=task,
    )


def name_model(exc: BaseException, model: str, hub_model: str | None = None) -> None:
    """Add the model to an error raised for a call (which names the provider already), in
    place: ``together returned HTTP 400: ... (model 'x')``. Sets ``exc.model``."""
    if getattr(exc, "model", None) is not None or not exc.args or not isinstance(exc.args[0], str):
        return
    shown = repr(model) if not hub_model or hub_model == model else f"{hub_model!r} as {model!r}"
    try:
        exc.model = model  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - an exception class with __slots__
        return
    text: str = exc.args[0]
    if model in text:
        return
    # Appended, so a message still starts with what the provider said.
    text = f"{text} (model {shown})"
    exc.args = (text, *exc.args[1:])


def _redacting(
    parse: Callable[[SSEEvent], Any], credential: Credential | None
) -> Callable[[SSEEvent], Any]:
    """Wrap a stream parser so an error event echoing the key never shows it."""
    if credential is None or not credential.key:
        return parse

    def parse_redacted(event: SSEEvent) -> Any:
        try:
            return parse(event)
        except StreamError as exc:
            if not quotes_key(f"{exc} {exc.event!r}", credential):
                raise
            message = _redact(exc.provider_message, credential)
            event_body = json.loads(_redact(json.dumps(exc.event, default=str), credential))
            raise type(exc)(message, provider=exc.provider, event=event_body) from None

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
        if quotes_key(f"{exc} {exc.args!r}", credential):
            raise error from None  # the original quotes the key (from an echoing body)
        raise error from exc
