"""Images inside message content parts: bytes, paths, file objects and PIL images become
data URLs, as binary task inputs already do; URLs and data URLs pass unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["inline_image", "inline_images"]


def inline_image(value: Any, where: str) -> str:
    """A URL for an image content part: an http(s) or data URL as given, anything else
    (bytes, a path, a file object, a PIL image) read and encoded as a data URL."""
    if isinstance(value, str) and value.startswith(("http://", "https://", "data:")):
        return value
    from infermux.inputs import load_binary

    return load_binary(value, "image", where).url_or_data_url()


def inline_images(content: list[Any], where: str) -> list[Any]:
    """Chat content parts with every ``image_url`` part's URL made sendable."""
    parts = []
    for index, part in enumerate(content):
        if isinstance(part, Mapping) and part.get("type") == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            if url is not None and not (
                isinstance(url, str) and url.startswith(("http://", "https://", "data:"))
            ):
                inlined = inline_image(url, f"{where}[{index}]['image_url']")
                nested = (
                    {**image, "url": inlined} if isinstance(image, Mapping) else {"url": inlined}
                )
                part = {**part, "image_url": nested}
        parts.append(part)
    return parts
