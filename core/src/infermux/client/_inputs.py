"""Input validation shared by both clients. Everything here runs before any request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infermux.errors import InvalidInputError

__all__ = ["check_messages", "check_params", "check_text", "check_texts", "clean"]

#: What binary inputs accept: bytes, a path, a URL (or data URL), a file object opened in
#: binary mode, or (images) a PIL image; see :func:`infermux.inputs.load_binary`.
ImageInput = Any
AudioInput = Any
VideoInput = Any

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")

# Parameter name -> (accepted types, description for the error message).
_NUMBER = ((int, float), "a number")
_INT = ((int,), "an integer")
_BOOL = ((bool,), "a bool")
_STR = ((str,), "a string")
_STR_LIST = ((list, str), "a string or a list of strings")
_DICT = ((dict,), "a dict")
_LIST = ((list,), "a list")

PARAMETER_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "aggregation_strategy": _STR,
    "align_to_words": _BOOL,
    "best_of": _INT,
    "candidate_labels": _LIST,
    "clean_up_tokenization_spaces": _BOOL,
    "decoder_input_details": _BOOL,
    "details": _BOOL,
    "dimensions": _INT,
    "do_sample": _BOOL,
    "doc_stride": _INT,
    "encoding_format": _STR,
    "frequency_penalty": _NUMBER,
    "frame_sampling_rate": _INT,
    "function_to_apply": _STR,
    "generate_parameters": _DICT,
    "generation_parameters": _DICT,
    "grammar": _DICT,
    "guidance_scale": _NUMBER,
    "handle_impossible_answer": _BOOL,
    "height": _INT,
    "hypothesis_template": _STR,
    "ignore_labels": _LIST,
    "lang": _STR,
    "logit_bias": _DICT,
    "logprobs": _BOOL,
    "mask_threshold": _NUMBER,
    "max_answer_len": _INT,
    "max_new_tokens": _INT,
    "max_question_len": _INT,
    "max_seq_len": _INT,
    "max_tokens": _INT,
    "max_completion_tokens": _INT,
    "metadata": _DICT,
    "modalities": _LIST,
    "audio": _DICT,
    "prediction": _DICT,
    "parallel_tool_calls": _BOOL,
    "reasoning_effort": _STR,
    "service_tier": _STR,
    "store": _BOOL,
    "user": _STR,
    "prompt_cache_key": _STR,
    "safety_identifier": _STR,
    "verbosity": _STR,
    "web_search_options": _DICT,
    "multi_label": _BOOL,
    "n": _INT,
    "negative_prompt": _STR,
    "normalize": _BOOL,
    "num_frames": _INT,
    "num_inference_steps": _INT,
    "overlap_mask_area_threshold": _NUMBER,
    "padding": _STR,
    "presence_penalty": _NUMBER,
    "prompt": _STR,
    "prompt_name": _STR,
    "repetition_penalty": _NUMBER,
    "response_format": _DICT,
    "return_full_text": _BOOL,
    "return_timestamps": _BOOL,
    "scheduler": _STR,
    "seed": _INT,
    "sequential": _BOOL,
    "src_lang": _STR,
    "stop": _STR_LIST,
    "stream_options": _DICT,
    "stride": _INT,
    "subtask": _STR,
    "target_size": _DICT,
    "targets": _LIST,
    "temperature": _NUMBER,
    "tgt_lang": _STR,
    "threshold": _NUMBER,
    "tool_choice": ((str, dict), "'auto', 'none', 'required' or a dict naming a tool"),
    "tool_prompt": _STR,
    "tools": _LIST,
    "top_k": _INT,
    "top_logprobs": _INT,
    "top_n_tokens": _INT,
    "top_p": _NUMBER,
    "truncate": ((bool, int), "a bool or an int"),
    "truncation": ((str, bool), "a truncation strategy (a string) or a bool"),
    "truncation_direction": _STR,
    "typical_p": _NUMBER,
    "watermark": _BOOL,
    "width": _INT,
    "word_boxes": _LIST,
}


def as_dict(value: Any) -> Any:
    """A copy of a mapping parameter; anything else passes through for check_params to
    report with the parameter's name."""
    return dict(value) if isinstance(value, Mapping) else value


def clean(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop parameters left unset (None) and type-check the rest."""
    result = {name: value for name, value in params.items() if value is not None}
    check_params(result)
    return result


def check_params(params: Mapping[str, Any]) -> None:
    for name, value in params.items():
        spec = PARAMETER_TYPES.get(name)
        if spec is None:
            continue
        kinds, what = spec
        # bool is an int subclass: accept it only where a bool is expected.
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            raise InvalidInputError(
                f"Parameter {name!r} must be {what}, got {type(value).__name__}: {value!r}"
            )
        if (
            name == "stop"
            and isinstance(value, list)
            and not all(isinstance(v, str) for v in value)
        ):
            raise InvalidInputError("Parameter 'stop' must be a string or a list of strings")


def check_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(f"{name} must not be empty")
    return value


def check_texts(name: str, value: Any) -> str | list[str]:
    if isinstance(value, list | tuple):
        if not value:
            raise InvalidInputError(f"{name} must not be an empty list")
        return [check_text(f"{name}[{i}]", item) for i, item in enumerate(value)]
    return check_text(name, value)


def _as_dict(message: Any, index: int) -> dict[str, Any]:
    if isinstance(message, Mapping):
        return dict(message)
    dump = getattr(message, "model_dump", None)
    if callable(dump):  # a pydantic message object, e.g. from a previous response
        dumped = dump(exclude_none=True)
        if isinstance(dumped, dict):
            return dumped
    raise InvalidInputError(
        f"messages[{index}] must be a dict like {{'role': 'user', 'content': '...'}}, "
        f"got {type(message).__name__}"
    )


def check_messages(messages: Any) -> list[dict[str, Any]]:
    """Validate chat messages; returns them as plain dicts."""
    if isinstance(messages, str) or not isinstance(messages, list | tuple):
        raise InvalidInputError(
            "messages must be a list of dicts like [{'role': 'user', 'content': 'Hello'}], "
            f"got {type(messages).__name__}"
        )
    if not messages:
        raise InvalidInputError("messages must contain at least one message")
    result = []
    for index, message in enumerate(messages):
        item = _as_dict(message, index)
        role = item.get("role")
        if role not in _ROLES:
            raise InvalidInputError(
                f"messages[{index}]['role'] must be one of {', '.join(_ROLES)}, got {role!r}"
            )
        content = item.get("content")
        if content is None and role != "assistant":
            raise InvalidInputError(f"messages[{index}] ({role}) needs a 'content'")
        if content is not None and not isinstance(content, str | list):
            raise InvalidInputError(
                f"messages[{index}]['content'] must be a string or a list of content parts, "
                f"got {type(content).__name__}"
            )
        if isinstance(content, list):
            from infermux.client._content import inline_images

            item["content"] = inline_images(content, f"messages[{index}]['content']")
        result.append(item)
    return result


def check_model(model: Any) -> str | None:
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidInputError(f"model must be a non-empty string, got {model!r}")
    return model


def check_stream(stream: Any) -> bool:
    if not isinstance(stream, bool):
        raise InvalidInputError(f"stream must be True or False, got {stream!r}")
    return stream


def check_extra_body(extra_body: Any) -> dict[str, Any]:
    if extra_body is None:
        return {}
    if not isinstance(extra_body, Mapping):
        raise InvalidInputError(f"extra_body must be a dict, got {type(extra_body).__name__}")
    return dict(extra_body)


def check_tools(tools: Any) -> list[dict[str, Any]] | None:
    """Tools in the OpenAI shape: ``{"type": "function", "function": {"name": ..., ...}}``."""
    if tools is None:
        return None
    if not isinstance(tools, list | tuple):
        raise InvalidInputError(f"tools must be a list of tool dicts, got {type(tools).__name__}")
    result = []
    for index, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("function"), Mapping):
            raise InvalidInputError(
                f"tools[{index}] must be {{'type': 'function', 'function': {{'name': ..., "
                f"'parameters': {{...}}}}}}, got {tool!r}"
            )
        if not isinstance(tool["function"].get("name"), str):
            raise InvalidInputError(f"tools[{index}]['function'] needs a 'name' string")
        result.append(dict(tool))
    return result


def response_format(value: Any) -> dict[str, Any] | None:
    """Accept a dict, or a pydantic model class turned into a strict JSON schema."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return dict(value)
    schema = getattr(value, "model_json_schema", None)
    if isinstance(value, type) and callable(schema):
        return {
            "type": "json_schema",
            "json_schema": {"name": value.__name__, "schema": schema(), "strict": True},
        }
    raise InvalidInputError(
        "response_format must be a dict (e.g. {'type': 'json_object'}) or a pydantic model "
        f"class, got {type(value).__name__}"
    )


def task_request(
    task: str,
    inputs: Any,
    *,
    model: Any,
    parameters: Mapping[str, Any],
    extra_body: Any = None,
    stream: Any = False,
    **options: Any,
) -> Any:
    """Validate the common arguments and build the engine's TaskRequest."""
    from infermux.engine import TaskRequest

    return TaskRequest(
        task=task,
        inputs=inputs,
        parameters=clean(parameters),
        model=check_model(model),
        stream=check_stream(stream),
        extra_body=check_extra_body(extra_body),
        **options,
    )


def check_labels(name: str, labels: Any) -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, list | tuple) or not labels:
        raise InvalidInputError(f"{name} must be a non-empty list of strings, got {labels!r}")
    return [check_text(f"{name}[{i}]", label) for i, label in enumerate(labels)]


def check_table(name: str, table: Any) -> dict[str, list[str]]:
    """A table as ``{column: [cell, ...]}`` with columns of equal length."""
    if not isinstance(table, Mapping) or not table:
        raise InvalidInputError(f"{name} must be a dict of column name -> list of cells")
    lengths = set()
    for column, cells in table.items():
        if not isinstance(cells, list | tuple):
            raise InvalidInputError(f"{name}[{column!r}] must be a list of cells")
        lengths.add(len(cells))
    if len(lengths) > 1:
        raise InvalidInputError(f"{name}: every column needs the same number of cells")
    return {str(column): list(cells) for column, cells in table.items()}


def custom_request(
    method: str,
    path: str,
    json_body: Any,
    content: bytes | None,
    content_type: str | None,
    headers: Mapping[str, str] | None,
    *,
    stream: bool = False,
) -> Any:
    """The HTTPRequest of ``client.request()`` / ``stream_request()``."""
    from infermux.helpers.base import BinaryPayload, HTTPRequest

    if not isinstance(path, str) or not path:
        raise InvalidInputError("path must be a non-empty string such as '/v1/rerank'")
    if json_body is not None and content is not None:
        raise InvalidInputError("pass json= or content=, not both")
    payload: Any = json_body
    if content is not None:
        if not isinstance(content, bytes):
            raise InvalidInputError("content must be bytes")
        payload = BinaryPayload(content, content_type or "application/octet-stream")
    return HTTPRequest(method.upper(), path, dict(headers or {}), payload, stream=stream)


def decode_custom(response: Any) -> Any:
    """JSON when the answer is JSON, else the raw bytes."""
    if "json" in response.content_type:
        return response.json()
    return response.content


def check_batch_size(value: Any) -> int | None:
    """``batch_size``: None (the provider's limit) or a positive integer."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInputError(f"batch_size must be an integer >= 1, got {value!r}")
    return value
