"""Binary task inputs: bytes, a path, a URL, a file object or a PIL image, with their type.

Everything is read and checked here, before any request: an unreadable file, an image
that is not an image or an audio type no provider takes fails with a clear error. The
content type is detected from the bytes (then the file name), never assumed.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from infermux.errors import InvalidInputError
from infermux.media import sniff_content_type

__all__ = ["BinaryInput", "BinaryKind", "input_url", "load_binary"]

BinaryKind = Literal["image", "audio", "video", "file"]

_ACCEPTED: dict[str, tuple[str, ...]] = {
    "image": ("image/",),
    "audio": ("audio/", "video/webm", "video/mp4", "video/ogg"),
    "video": ("video/",),
    "file": ("",),
}
_EXAMPLES = {
    "image": "PNG, JPEG, GIF, WEBP, BMP or TIFF",
    "audio": "FLAC, WAV, MP3, OGG, WEBM or M4A",
    "video": "MP4, WEBM or MOV",
    "file": "any file",
}


@dataclass(frozen=True, slots=True)
class BinaryInput:
    """An input ready to send: bytes with their content type, or a URL left for the provider.

    ``content`` is None only for a URL the caller gave; the core downloads it (through the
    client's session, without any key) when the provider cannot fetch URLs itself.
    """

    content: bytes | None = field(repr=False)
    content_type: str
    url: str | None = None
    filename: str | None = None

    def require_content(self) -> bytes:
        if self.content is None:
            raise InvalidInputError(f"{self.url} has not been downloaded")
        return self.content

    def as_base64(self) -> str:
        return base64.b64encode(self.require_content()).decode("ascii")

    def as_data_url(self) -> str:
        return f"data:{self.content_type};base64,{self.as_base64()}"

    def url_or_data_url(self) -> str:
        """The caller's URL when there is one, else the bytes as a data URL."""
        return self.url if self.url is not None and self.content is None else self.as_data_url()

    def __repr__(self) -> str:
        size = "url" if self.content is None else f"{len(self.content)} bytes"
        return f"BinaryInput({self.content_type}, {size}, url={self.url!r})"


def _check_type(content_type: str, kind: BinaryKind, what: str) -> str:
    if not any(content_type.startswith(prefix) for prefix in _ACCEPTED[kind]):
        raise InvalidInputError(
            f"{what} is not a supported {kind} (detected {content_type}); expected "
            f"{_EXAMPLES[kind]}."
        )
    return content_type


def _from_bytes(
    content: bytes, kind: BinaryKind, what: str, name: str | None = None
) -> BinaryInput:
    if not content:
        raise InvalidInputError(f"{what} is empty")
    guessed = mimetypes.guess_type(name)[0] if name else None
    content_type = sniff_content_type(content, guessed)
    return BinaryInput(content, _check_type(content_type, kind, what), filename=name)


def _from_pil(image: Any) -> BinaryInput:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return BinaryInput(buffer.getvalue(), "image/png")


def _from_data_url(value: str, kind: BinaryKind, name: str) -> BinaryInput:
    header, _, data = value.partition(",")
    if ";base64" not in header:
        raise InvalidInputError(f"{name}: only base64 data URLs are supported")
    try:
        content = base64.b64decode(data, validate=True)
    except ValueError:
        raise InvalidInputError(f"{name}: the data URL holds invalid base64") from None
    return _from_bytes(content, kind, name)


def _from_path(path: Path, kind: BinaryKind, name: str) -> BinaryInput:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{name}: file not found: {path}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{name}: {path} is a directory, not a file") from None
    except OSError as exc:
        raise InvalidInputError(f"{name}: cannot read {path}: {exc.strerror or exc}") from None
    return _from_bytes(content, kind, f"{name} ({path})", path.name)


def load_binary(value: Any, kind: BinaryKind, name: str = "input") -> BinaryInput:
    """Read ``value`` (bytes, path, URL, data URL, file object or PIL image) into a BinaryInput."""
    if isinstance(value, BinaryInput):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return _from_bytes(bytes(value), kind, name)
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            guessed = mimetypes.guess_type(urlsplit(value).path)[0]
            content_type = guessed or f"{kind}/*"
            if guessed:
                _check_type(guessed, kind, f"{name} ({value})")
            return BinaryInput(None, content_type, url=value)
        if value.startswith("data:"):
            return _from_data_url(value, kind, name)
        return _from_path(Path(value), kind, name)
    if isinstance(value, os.PathLike):
        return _from_path(Path(os.fspath(value)), kind, name)
    read = getattr(value, "read", None)
    if callable(read):
        try:
            content = read()
        except (OSError, ValueError) as exc:  # ValueError: a closed file
            raise InvalidInputError(f"{name}: cannot read the file object: {exc}") from None
        if not isinstance(content, bytes):
            raise InvalidInputError(f"{name}: open the file in binary mode ('rb')")
        filename = getattr(value, "name", None)
        return _from_bytes(content, kind, name, filename if isinstance(filename, str) else None)
    if hasattr(value, "save") and hasattr(value, "mode") and kind == "image":
        return _from_pil(value)
    raise InvalidInputError(
        f"{name} must be bytes, a file path, a URL, a file object opened in 'rb' mode"
        f"{' or a PIL image' if kind == 'image' else ''}; got {type(value).__name__}"
    )


def input_url(value: Any, name: str, default_type: str, provider: str) -> str:
    """An input as providers that take URLs want it: the caller's URL, else a data URL.

    Helpers get a :class:`BinaryInput` from the client; raw bytes (as the conformance suite
    passes them) and URL strings are accepted too.
    """
    if isinstance(value, BinaryInput):
        return value.url_or_data_url()
    if isinstance(value, bytes | bytearray) and value:
        content = bytes(value)
        return BinaryInput(content, sniff_content_type(content, default_type)).as_data_url()
    if isinstance(value, str) and value.startswith(("https://", "http://", "data:")):
        return value
    raise InvalidInputError(f"{provider}: {name} must be bytes, a file or a URL, not {value!r:.80}")
