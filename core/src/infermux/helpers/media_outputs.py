"""Generated media as a task output: decoded from a data URL or base64, or downloaded
without any key.

Providers hand back generated images, audio and video in three ways: inline as base64
(``b64_json``), as a ``data:`` URL, or as a link to their storage or CDN. Each plugin used
to decode and download them itself; these functions do it once:

- :func:`media_output` turns a ``data:`` URL into the output at once, and an ``http(s)``
  URL into a :class:`~infermux.helpers.base.FollowUp` that downloads it. The download is
  sent with ``authenticate=False``: the provider's key never goes to the media host, even
  where the core would allow it there (a CDN under the provider's own domain), and
  redirects to signed storage are followed. Anything else (``file:``, ``ftp:``, a bare
  path) is refused as a :class:`~infermux.errors.ResponseFormatError`, never fetched.
- :func:`media_from_base64` decodes inline base64.

Sizes are bounded by the client's caps, not here: a download is read by the transport
under ``max_media_bytes`` (image, audio, video and octet-stream answers) or
``max_response_bytes`` (anything else), and stops at the cap with
:class:`~infermux.errors.ResponseTooLargeError`; a data URL or base64 string arrived inside
a JSON body, which was read under ``max_response_bytes``. The content type comes from the
bytes first (:func:`~infermux.media.sniff_content_type`): providers label PNGs as JPEGs.
An empty file is a :class:`~infermux.errors.ResponseFormatError`, not an empty image.

Sans-I/O like every helper: nothing here opens a connection.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from infermux.errors import ResponseFormatError
from infermux.helpers.base import FollowUp, HTTPRequest, Response
from infermux.media import MediaOutput, sniff_content_type

__all__ = ["decode_data_url", "media_from_base64", "media_output"]

_REMOTE = ("https://", "http://")
_OCTET = "application/octet-stream"


def _problem(provider: str, task: str, message: str) -> ResponseFormatError:
    from infermux.helpers.problems import unexpected_answer

    return unexpected_answer(provider, task, problem=message, show_body=False)


def _b64decode(data: str, *, strict: bool, provider: str, task: str, what: str) -> bytes:
    try:
        return base64.b64decode(data, validate=strict)
    except (binascii.Error, ValueError):
        raise _problem(provider, task, f"{what} that is not valid base64") from None


def decode_data_url(url: str, *, provider: str = "", task: str = "") -> tuple[bytes, str | None]:
    """The bytes of a ``data:[<type>][;base64],<data>`` URL and its declared type (or None).

    Percent-encoded (non-base64) data URLs are decoded too. Invalid base64 is a
    :class:`~infermux.errors.ResponseFormatError` naming ``provider`` and ``task``.
    """
    if not url.startswith("data:") or "," not in url:
        raise _problem(provider, task, f"output {url[:40]!r}... that is not a data URL")
    header, _, data = url.partition(",")
    media_type, *flags = header[len("data:") :].split(";")
    if "base64" in flags:
        content = _b64decode(data, strict=False, provider=provider, task=task, what="data URL")
    else:
        from urllib.parse import unquote_to_bytes

        content = unquote_to_bytes(data)
    return content, media_type.strip() or None


def _build(
    output: type[MediaOutput],
    content: bytes,
    hint: str | None,
    *,
    url: str | None,
    provider: str,
    task: str,
    convert: Callable[[MediaOutput], Any] | None,
) -> Any:
    if not content:
        where = f" from {url}" if url else ""
        raise _problem(provider, task, f"empty {output.__name__}{where}")
    media = output(content, sniff_content_type(content, hint), url=url, provider=provider)
    return convert(media) if convert else media


def media_output(
    url: str,
    output: type[MediaOutput],
    *,
    provider: str,
    task: str = "",
    declared: str | None = None,
    convert: Callable[[MediaOutput], Any] | None = None,
) -> Any:
    """The media at ``url`` as ``output`` (:class:`~infermux.ImageOutput`, ...).

    A ``data:`` URL is decoded now; an ``http(s)`` URL becomes a follow-up that downloads
    it **without any key** (the core follows redirects for it). ``declared``: the type the
    provider's JSON names, used when neither the bytes nor the download's own
    Content-Type say. ``convert`` post-processes the output (e.g. into a list of one).

    Example::

        media_output("data:image/png;base64,iVBORw0KGgo=", ImageOutput, provider="acme")
        # ImageOutput(content_type='image/png', size=8, provider='acme')
        media_output("https://cdn.acme.example/1.png", ImageOutput, provider="acme")
        # FollowUp(request=HTTPRequest('GET', 'https://cdn...', authenticate=False), ...)
    """
    if not isinstance(url, str):
        raise _problem(provider, task, f"media output that is not a URL: {type(url).__name__}")
    if url.startswith("data:"):
        content, data_type = decode_data_url(url, provider=provider, task=task)
        hint = data_type if data_type and data_type != _OCTET else declared
        return _build(
            output, content, hint, url=None, provider=provider, task=task, convert=convert
        )
    if not url.lower().startswith(_REMOTE):
        raise _problem(provider, task, f"media output at {url[:200]!r}: not an http(s) URL")

    def downloaded(response: Response) -> Any:
        served = response.content_type
        hint = served if served and served != _OCTET else declared
        return _build(
            output, response.content, hint, url=url, provider=provider, task=task, convert=convert
        )

    return FollowUp(HTTPRequest("GET", url, authenticate=False), downloaded)


def media_from_base64(
    data: str,
    output: type[MediaOutput],
    *,
    provider: str,
    task: str = "",
    declared: str | None = None,
    strict: bool = False,
    convert: Callable[[MediaOutput], Any] | None = None,
) -> Any:
    """Inline base64 media (``b64_json``, ``blob`` ...) as ``output``. ``strict`` refuses
    characters outside the base64 alphabet instead of skipping them."""
    if not isinstance(data, str):
        raise _problem(provider, task, f"base64 media that is not a string: {type(data).__name__}")
    content = _b64decode(data, strict=strict, provider=provider, task=task, what="media")
    return _build(
        output, content, declared, url=None, provider=provider, task=task, convert=convert
    )
