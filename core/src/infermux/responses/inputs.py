"""Validation of ``responses.create()`` arguments, before any request is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infermux.errors import InvalidInputError

__all__ = ["check_input", "check_tools", "text_format"]

_MESSAGE_ROLES = ("user", "assistant", "system", "developer")
#: Input item types other than messages (they carry their own fields; passed through).
_ITEM_TYPES = (
    "message",
    "function_call",
    "function_call_output",
    "reasoning",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "item_reference",
)


def _as_dict(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # an item of a previous Response (a pydantic model)
        dumped = dump(exclude_none=True)
        if isinstance(dumped, dict):
            return dumped
    raise InvalidInputError(
        f"{where} must be a dict like {{'role': 'user', 'content': '...'}} or an item of a "
        f"previous response, got {type(value).__name__}"
    )


def _content_part(part: Any, where: str) -> Any:
    from infermux.client._content import inline_image

    if isinstance(part, Mapping) and part.get("type") == "input_image":
        value = part.get("image_url")
        if value is not None and not isinstance(value, str):
            return {**part, "image_url": inline_image(value, f"{where}['image_url']")}
    if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
        raise InvalidInputError(
            f"{where} must be a content part such as {{'type': 'input_text', 'text': '...'}} "
            f"or {{'type': 'input_image', 'image_url': ...}}, got {part!r}"
        )
    return dict(part)


def check_input(value: Any) -> str | list[dict[str, Any]]:
    """``input``: a non-empty string, or a list of items (messages with a role, function
    call outputs, items of a previous response)."""
    if isinstance(value, str):
        if not value.strip():
            raise InvalidInputError("input must not be empty")
        return value
    if not isinstance(value, list | tuple):
        raise InvalidInputError(
            "input must be a string or a list of items like [{'role': 'user', 'content': "
            f"'Hello'}}], got {type(value).__name__}"
        )
    if not value:
        raise InvalidInputError("input must contain at least one item")
    items = []
    for index, raw in enumerate(value):
        where = f"input[{index}]"
        item = _as_dict(raw, where)
        kind = item.get("type", "message")
        if kind not in _ITEM_TYPES:
            raise InvalidInputError(
                f"{where}['type'] must be one of {', '.join(_ITEM_TYPES)}, got {kind!r}"
            )
        if kind == "message":
            role = item.get("role")
            if role not in _MESSAGE_ROLES:
                raise InvalidInputError(
                    f"{where}['role'] must be one of {', '.join(_MESSAGE_ROLES)}, got {role!r}"
                )
            content = item.get("content")
            if isinstance(content, list | tuple):
                item["content"] = [
                    _content_part(part, f"{where}['content'][{i}]")
                    for i, part in enumerate(content)
                ]
            elif not isinstance(content, str):
                raise InvalidInputError(
                    f"{where}['content'] must be a string or a list of content parts, "
                    f"got {type(content).__name__}"
                )
        elif kind == "function_call_output" and not (
            isinstance(item.get("call_id"), str) and isinstance(item.get("output"), str)
        ):
            raise InvalidInputError(
                f"{where} (function_call_output) needs 'call_id' and 'output' strings"
            )
        items.append(item)
    return items


def check_tools(tools: Any) -> list[dict[str, Any]] | None:
    """Tools in the Responses shape (``{"type": "function", "name": ..., "parameters":
    ...}``, ``{"type": "mcp", ...}`` ...). Chat-shaped function tools (``{"type":
    "function", "function": {...}}``) are flattened into that shape."""
    if tools is None:
        return None
    if not isinstance(tools, list | tuple):
        raise InvalidInputError(f"tools must be a list of tool dicts, got {type(tools).__name__}")
    result = []
    for index, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("type"), str):
            raise InvalidInputError(
                f"tools[{index}] must be a dict with a 'type' ('function', 'mcp' ...), got {tool!r}"
            )
        entry = dict(tool)
        if entry["type"] == "function":
            nested = entry.pop("function", None)
            if isinstance(nested, Mapping):
                entry = {**dict(nested), **entry}
            if not isinstance(entry.get("name"), str):
                raise InvalidInputError(f"tools[{index}] (a function) needs a 'name' string")
        result.append(entry)
    return result


def text_format(model: Any) -> dict[str, Any]:
    """``text={"format": ...}`` asking for JSON matching a pydantic model's schema."""
    schema = getattr(model, "model_json_schema", None)
    if not (isinstance(model, type) and callable(schema)):
        raise InvalidInputError(
            f"text_format must be a pydantic model class, got {type(model).__name__}"
        )
    return {
        "format": {
            "type": "json_schema",
            "name": model.__name__,
            "schema": schema(),
            "strict": True,
        }
    }
