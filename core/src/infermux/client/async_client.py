"""The asynchronous client. GENERATED from sync_client.py by
scripts/generate_async_client.py: do not edit by hand."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from infermux.client import _inputs
from infermux.client._base import AsyncClientBase, build_engine
from infermux.client._chat_alias import AsyncChat
from infermux.engine import CancelToken, JobProgress, TaskRequest
from infermux.registry.store import ProviderRegistry

if TYPE_CHECKING:
    import httpx2
    from infermux.media import ImageOutput
    from infermux.streaming import AsyncStream
    from infermux.types import (
        ChatCompletionOutput,
        ChatCompletionStreamOutput,
        TextClassificationOutputElement,
        TextGenerationOutput,
        TextGenerationStreamOutput,
    )

__all__ = ["AsyncInferenceClient"]


class AsyncInferenceClient(AsyncClientBase):
    """Call any hosted inference provider through its installed plugin.

    Example::

        from infermux import AsyncInferenceClient

        client = AsyncInferenceClient(provider="together", api_key="...")
        out = await client.chat_completion(
            [{"role": "user", "content": "Hello!"}], model="meta-llama/Meta-Llama-3-8B-Instruct"
        )
        print(out.choices[0].message.content)

    Args:
        provider: a provider id (``"together"``, ``"hf-inference"`` ...), or ``"auto"`` to
            pick among the providers the Hub maps the model to.
        model: the default model for calls that do not name one.
        api_key: a provider key (sent direct) or a Hugging Face token (routed through the
            Hugging Face router). ``token`` is an alias. Defaults to the provider's
            environment variable, then ``HF_TOKEN``.
        base_url: override the provider's direct API root.
        routing: ``"auto"`` (by key), ``"direct"`` or ``"router"``.
        timeout: read timeout per request in seconds (connect: 10 s).
        max_retries: retries on connection errors, 408, 429 and 5xx (0 turns them off).
        headers: extra headers sent with every request.
        http_client: an ``httpx2.AsyncClient`` every request goes through (not closed by us).
        poll_interval, job_timeout: how often and how long asynchronous jobs are polled.
        model_mappings: ``{provider: {hub_model_id: provider_model_id}}`` overrides.
        provider_preference: order of providers tried by ``provider="auto"``.
        failover: with ``provider="auto"``, try the next provider on retryable errors.
        hub_lookup: set False to never ask the Hub for model mappings.
        wait_for_model: wait for a loading model (503 with ``estimated_time``).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        provider: str | None = None,
        api_key: str | None = None,
        token: str | None = None,
        base_url: str | None = None,
        routing: str = "auto",
        timeout: float | None = 120.0,
        max_retries: int = 2,
        headers: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        router_url: str | None = None,
        hub_url: str | None = None,
        poll_interval: float = 1.0,
        job_timeout: float = 600.0,
        model_mappings: Mapping[str, Mapping[str, str]] | None = None,
        provider_preference: Sequence[str] | None = None,
        failover: bool = True,
        hub_lookup: bool = True,
        wait_for_model: bool = True,
        registry: ProviderRegistry | None = None,
    ) -> None:
        engine = build_engine(
            provider=provider,
            model=model,
            api_key=api_key,
            token=token,
            base_url=base_url,
            routing=routing,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            router_url=router_url,
            hub_url=hub_url,
            poll_interval=poll_interval,
            job_timeout=job_timeout,
            model_mappings=model_mappings,
            provider_preference=provider_preference,
            failover=failover,
            hub_lookup=hub_lookup,
            wait_for_model=wait_for_model,
            registry=registry,
        )
        super().__init__(engine, http_client)
        #: OpenAI-style alias: ``client.chat.completions.create(model=..., messages=...)``.
        self.chat = AsyncChat(self)

    async def chat_completion(
        self,
        messages: Sequence[Mapping[str, Any] | Any],
        *,
        model: str | None = None,
        stream: bool = False,
        frequency_penalty: float | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        response_format: Mapping[str, Any] | type | None = None,
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ChatCompletionOutput | AsyncStream[ChatCompletionStreamOutput]:
        """Chat with a model; ``stream=True`` returns an iterator of typed chunks.

        Example::

            async for chunk in await client.chat_completion(messages, model=..., stream=True):
                print(chunk.choices[0].delta.content or "", end="")
        """
        parameters = _inputs.clean(
            {
                "frequency_penalty": frequency_penalty,
                "logit_bias": dict(logit_bias) if logit_bias is not None else None,
                "logprobs": logprobs,
                "max_tokens": max_tokens,
                "n": n,
                "presence_penalty": presence_penalty,
                "response_format": _inputs.response_format(response_format),
                "seed": seed,
                "stop": stop,
                "stream_options": dict(stream_options) if stream_options is not None else None,
                "temperature": temperature,
                "tool_choice": dict(tool_choice)
                if isinstance(tool_choice, Mapping)
                else tool_choice,
                "tool_prompt": tool_prompt,
                "tools": _inputs.check_tools(tools),
                "top_logprobs": top_logprobs,
                "top_p": top_p,
            }
        )
        request = TaskRequest(
            task="conversational",
            inputs=_inputs.check_messages(messages),
            parameters=parameters,
            model=_inputs.check_model(model),
            stream=_inputs.check_stream(stream),
            extra_body=_inputs.check_extra_body(extra_body),
        )
        return await self._run(request)  # type: ignore[no-any-return]

    async def text_generation(
        self,
        prompt: str,
        *,
        model: str | None = None,
        stream: bool = False,
        details: bool | None = None,
        best_of: int | None = None,
        decoder_input_details: bool | None = None,
        do_sample: bool | None = None,
        frequency_penalty: float | None = None,
        grammar: Mapping[str, Any] | None = None,
        max_new_tokens: int | None = None,
        repetition_penalty: float | None = None,
        return_full_text: bool | None = None,
        seed: int | None = None,
        stop: list[str] | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_n_tokens: int | None = None,
        top_p: float | None = None,
        truncate: int | None = None,
        typical_p: float | None = None,
        watermark: bool | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TextGenerationOutput | AsyncStream[TextGenerationStreamOutput]:
        """Continue a prompt (TGI-style text generation, or an OpenAI-style completion)."""
        parameters = _inputs.clean(
            {
                "best_of": best_of,
                "decoder_input_details": decoder_input_details,
                "details": details,
                "do_sample": do_sample,
                "frequency_penalty": frequency_penalty,
                "grammar": dict(grammar) if grammar is not None else None,
                "max_new_tokens": max_new_tokens,
                "repetition_penalty": repetition_penalty,
                "return_full_text": return_full_text,
                "seed": seed,
                "stop": stop,
                "temperature": temperature,
                "top_k": top_k,
                "top_n_tokens": top_n_tokens,
                "top_p": top_p,
                "truncate": truncate,
                "typical_p": typical_p,
                "watermark": watermark,
            }
        )
        request = TaskRequest(
            task="text-generation",
            inputs=_inputs.check_text("prompt", prompt),
            parameters=parameters,
            model=_inputs.check_model(model),
            stream=_inputs.check_stream(stream),
            extra_body=_inputs.check_extra_body(extra_body),
        )
        return await self._run(request)  # type: ignore[no-any-return]

    async def feature_extraction(
        self,
        text: str | Sequence[str],
        *,
        model: str | None = None,
        normalize: bool | None = None,
        prompt_name: str | None = None,
        truncate: bool | None = None,
        truncation_direction: str | None = None,
        dimensions: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[list[float]]:
        """Embed one text or a list of texts; returns one vector per text."""
        parameters = _inputs.clean(
            {
                "normalize": normalize,
                "prompt_name": prompt_name,
                "truncate": truncate,
                "truncation_direction": truncation_direction,
                "dimensions": dimensions,
            }
        )
        request = TaskRequest(
            task="feature-extraction",
            inputs=_inputs.check_texts("text", text),
            parameters=parameters,
            model=_inputs.check_model(model),
            extra_body=_inputs.check_extra_body(extra_body),
        )
        return await self._run(request)  # type: ignore[no-any-return]

    async def text_to_image(
        self,
        prompt: str,
        *,
        model: str | None = None,
        negative_prompt: str | None = None,
        height: int | None = None,
        width: int | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        scheduler: str | None = None,
        seed: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> ImageOutput:
        """Generate an image; returns an :class:`~infermux.media.ImageOutput` (``.save(path)``)."""
        parameters = _inputs.clean(
            {
                "negative_prompt": negative_prompt,
                "height": height,
                "width": width,
                "num_inference_steps": num_inference_steps,
                "guidance_scale": guidance_scale,
                "scheduler": scheduler,
                "seed": seed,
            }
        )
        request = TaskRequest(
            task="text-to-image",
            inputs=_inputs.check_text("prompt", prompt),
            parameters=parameters,
            model=_inputs.check_model(model),
            extra_body=_inputs.check_extra_body(extra_body),
            on_progress=on_progress,
            cancel=cancel,
        )
        return await self._run(request)  # type: ignore[no-any-return]

    async def text_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[TextClassificationOutputElement]:
        """Classify a text; returns labels with scores, best first."""
        parameters = _inputs.clean({"function_to_apply": function_to_apply, "top_k": top_k})
        request = TaskRequest(
            task="text-classification",
            inputs=_inputs.check_text("text", text),
            parameters=parameters,
            model=_inputs.check_model(model),
            extra_body=_inputs.check_extra_body(extra_body),
        )
        return await self._run(request)  # type: ignore[no-any-return]
