"""The OpenAI-style spelling: ``client.chat.completions.create(model=..., messages=...)``.

Every parameter of OpenAI's chat completions API is an argument here (``chat_completion``
keeps the Hugging Face task spec's names). Written out for both clients; both run through
the client's ``_chat``, as ``chat_completion`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from infermux import structured, types
from infermux.client import _inputs
from infermux.errors import InvalidInputError
from infermux.streaming import AsyncStream, Stream

if TYPE_CHECKING:  # pydantic loads with the first answer, not with the client
    from pydantic import BaseModel

__all__ = ["AsyncChat", "Chat", "openai_parameters"]

M = TypeVar("M", bound="BaseModel")

#: OpenAI's parameters, in the task spec's names where the spec has them.
_NAMES = (
    "audio",
    "frequency_penalty",
    "function_call",
    "functions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "metadata",
    "modalities",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "prompt_cache_key",
    "reasoning_effort",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream_options",
    "temperature",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "user",
    "verbosity",
    "web_search_options",
    "top_k",
    "repetition_penalty",
    "tool_prompt",
)
#: Mappings copied (a caller's dict is never mutated).
_MAPPINGS = (
    "audio",
    "logit_bias",
    "metadata",
    "prediction",
    "stream_options",
    "web_search_options",
    "tool_choice",
)


def openai_parameters(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The task parameters of a ``create()`` call's arguments (``locals()``)."""
    if arguments["functions"] is not None or arguments["function_call"] is not None:
        raise InvalidInputError(
            "functions= and function_call= are OpenAI's deprecated spelling: pass tools=["
            "{'type': 'function', 'function': {...}}] and tool_choice= instead"
        )
    parameters = {
        name: arguments[name] for name in _NAMES if name not in ("functions", "function_call")
    }
    for name in _MAPPINGS:
        parameters[name] = _inputs.as_dict(parameters[name])
    if parameters["modalities"] is not None:
        parameters["modalities"] = list(parameters["modalities"])
    parameters["tools"] = _inputs.check_tools(parameters["tools"])
    parameters["response_format"] = _inputs.response_format(arguments["response_format"])
    # The spec (and most providers) call it max_tokens; OpenAI deprecates that name for
    # max_completion_tokens. One value, sent under the name each provider takes.
    completion = parameters.pop("max_completion_tokens")
    if completion is not None:
        if parameters["max_tokens"] is not None and parameters["max_tokens"] != completion:
            raise InvalidInputError(
                "max_tokens and max_completion_tokens are the same limit: pass one of them"
            )
        parameters["max_tokens"] = completion
    return parameters


class _Completions:
    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    @overload
    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[True],
        response_format: type[M],
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatStream[M]: ...

    @overload
    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[True],
        response_format: Mapping[str, Any] | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Stream[types.ChatCompletionStreamOutput]: ...

    @overload
    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[False] = False,
        response_format: type[M],
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatCompletionOutput[M]: ...

    @overload
    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[False] = False,
        response_format: Mapping[str, Any] | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ChatCompletionOutput: ...

    @overload
    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: bool = False,
        response_format: type[M],
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatCompletionOutput[M] | structured.ParsedChatStream[M]: ...

    @overload
    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: bool = False,
        response_format: Mapping[str, Any] | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ChatCompletionOutput | Stream[types.ChatCompletionStreamOutput]: ...

    def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: bool = False,
        response_format: Mapping[str, Any] | type | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> (
        types.ChatCompletionOutput
        | Stream[types.ChatCompletionStreamOutput]
        | structured.ParsedChatStream[Any]
    ):
        """OpenAI's ``chat.completions.create``: every parameter of OpenAI's chat
        completions API. ``max_completion_tokens`` is ``max_tokens``; the others go to the
        provider under their OpenAI names, and a provider that cannot honour one refuses it
        before sending (pass provider-specific options through ``extra_body``).
        ``functions``/``function_call`` (deprecated by OpenAI) are refused: use ``tools``."""
        parameters = openai_parameters(locals())
        return self._client._chat(
            messages, model, stream, parameters, response_format, extra_body, extra_headers
        )


class _AsyncCompletions:
    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    @overload
    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[True],
        response_format: type[M],
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.AsyncParsedChatStream[M]: ...

    @overload
    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[True],
        response_format: Mapping[str, Any] | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncStream[types.ChatCompletionStreamOutput]: ...

    @overload
    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[False] = False,
        response_format: type[M],
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatCompletionOutput[M]: ...

    @overload
    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: Literal[False] = False,
        response_format: Mapping[str, Any] | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ChatCompletionOutput: ...

    @overload
    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: bool = False,
        response_format: type[M],
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatCompletionOutput[M] | structured.AsyncParsedChatStream[M]: ...

    @overload
    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: bool = False,
        response_format: Mapping[str, Any] | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ChatCompletionOutput | AsyncStream[types.ChatCompletionStreamOutput]: ...

    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any] | Any],
        model: str | None = None,
        stream: bool = False,
        response_format: Mapping[str, Any] | type | None = None,
        audio: Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        function_call: str | Mapping[str, Any] | None = None,
        functions: Sequence[Mapping[str, Any]] | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        metadata: Mapping[str, str] | None = None,
        modalities: Sequence[str] | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        prediction: Mapping[str, Any] | None = None,
        presence_penalty: float | None = None,
        prompt_cache_key: str | None = None,
        reasoning_effort: str | None = None,
        safety_identifier: str | None = None,
        seed: int | None = None,
        service_tier: str | None = None,
        stop: str | list[str] | None = None,
        store: bool | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
        verbosity: str | None = None,
        web_search_options: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        tool_prompt: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> (
        types.ChatCompletionOutput
        | AsyncStream[types.ChatCompletionStreamOutput]
        | structured.AsyncParsedChatStream[Any]
    ):
        """OpenAI's ``chat.completions.create``: every parameter of OpenAI's chat
        completions API. ``max_completion_tokens`` is ``max_tokens``; the others go to the
        provider under their OpenAI names, and a provider that cannot honour one refuses it
        before sending (pass provider-specific options through ``extra_body``).
        ``functions``/``function_call`` (deprecated by OpenAI) are refused: use ``tools``."""
        parameters = openai_parameters(locals())
        return await self._client._chat(
            messages, model, stream, parameters, response_format, extra_body, extra_headers
        )


class Chat:
    """``client.chat``: holds ``completions``."""

    __slots__ = ("completions",)

    def __init__(self, client: Any) -> None:
        self.completions = _Completions(client)


class AsyncChat:
    """``async_client.chat``: holds ``completions``."""

    __slots__ = ("completions",)

    def __init__(self, client: Any) -> None:
        self.completions = _AsyncCompletions(client)
