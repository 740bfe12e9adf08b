"""Text and NLP task methods of the asynchronous client.

GENERATED from sync_text_tasks.py by scripts/generate_async_client.py: do not edit
by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from infermux import structured, types
from infermux.client import _inputs
from infermux.client._base import AsyncClientBase
from infermux.errors import InvalidInputError
from infermux.streaming import AsyncStream

if TYPE_CHECKING:  # pydantic loads with the first answer, not with the client
    from pydantic import BaseModel

__all__ = ["AsyncTextTasks"]

#: A pydantic model passed as ``response_format``: the answer is parsed into it.
M = TypeVar("M", bound="BaseModel")


class AsyncTextTasks(AsyncClientBase):
    """Chat, generation, embeddings and the classic NLP tasks."""

    @overload
    async def chat_completion(
        self,
        messages: Sequence[Mapping[str, Any] | Any],
        *,
        model: str | None = None,
        stream: Literal[True],
        frequency_penalty: float | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        response_format: type[M],
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.AsyncParsedChatStream[M]: ...

    @overload
    async def chat_completion(
        self,
        messages: Sequence[Mapping[str, Any] | Any],
        *,
        model: str | None = None,
        stream: Literal[True],
        frequency_penalty: float | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        response_format: Mapping[str, Any] | None = None,
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncStream[types.ChatCompletionStreamOutput]: ...

    @overload
    async def chat_completion(
        self,
        messages: Sequence[Mapping[str, Any] | Any],
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        frequency_penalty: float | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        response_format: type[M],
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatCompletionOutput[M]: ...

    @overload
    async def chat_completion(
        self,
        messages: Sequence[Mapping[str, Any] | Any],
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        frequency_penalty: float | None = None,
        logit_bias: Mapping[str, float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        response_format: Mapping[str, Any] | None = None,
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ChatCompletionOutput: ...

    @overload
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
        response_format: type[M],
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedChatCompletionOutput[M] | structured.AsyncParsedChatStream[M]: ...

    @overload
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
        response_format: Mapping[str, Any] | None = None,
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream_options: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        tool_prompt: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ChatCompletionOutput | AsyncStream[types.ChatCompletionStreamOutput]: ...

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
        top_k: int | None = None,
        repetition_penalty: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> (
        types.ChatCompletionOutput
        | AsyncStream[types.ChatCompletionStreamOutput]
        | structured.AsyncParsedChatStream[Any]
    ):
        """Chat with a model; ``stream=True`` returns an iterator of typed chunks.

        ``response_format=Model`` (a pydantic model class) asks for JSON matching it and
        sets ``message.parsed``; with ``stream=True`` the chunks stream as usual and
        ``stream.collect()`` returns the answer with ``message.parsed``.

        Example::

            async for chunk in await client.chat_completion(messages, model=..., stream=True):
                print(chunk.choices[0].delta.content or "", end="")
        """
        parameters = {
            "frequency_penalty": frequency_penalty,
            "logit_bias": _inputs.as_dict(logit_bias),
            "logprobs": logprobs,
            "max_tokens": max_tokens,
            "n": n,
            "presence_penalty": presence_penalty,
            "response_format": _inputs.response_format(response_format),
            "seed": seed,
            "stop": stop,
            "stream_options": _inputs.as_dict(stream_options),
            "temperature": temperature,
            "tool_choice": dict(tool_choice) if isinstance(tool_choice, Mapping) else tool_choice,
            "tool_prompt": tool_prompt,
            "tools": _inputs.check_tools(tools),
            "top_logprobs": top_logprobs,
            "top_p": top_p,
            # Not in the OpenAI API, but common sampling options: providers that honour them
            # declare so; the others refuse them before sending.
            "top_k": top_k,
            "repetition_penalty": repetition_penalty,
        }
        return await self._chat(messages, model, stream, parameters, response_format, extra_body)

    async def _chat(
        self,
        messages: Any,
        model: str | None,
        stream: bool,
        parameters: dict[str, Any],
        response_format: Any,
        extra_body: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Run a chat call (``chat_completion`` and ``chat.completions.create``)."""
        messages = _inputs.check_messages(messages)
        output = await self._run(
            _inputs.task_request(
                "conversational",
                messages,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                stream=stream,
                headers=dict(headers or {}),
            )
        )
        if isinstance(response_format, type):
            # A pydantic model asked for: message.parsed is the answer validated into it
            # (for a stream, in what its collect() returns; the chunks stream as usual).
            if stream:
                return structured.parse_chat_stream(output, response_format)
            return structured.parse_chat(output, response_format)
        return output

    @overload
    async def text_generation(
        self,
        prompt: str,
        *,
        model: str | None = None,
        stream: Literal[True],
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
    ) -> AsyncStream[types.TextGenerationStreamOutput]: ...

    @overload
    async def text_generation(
        self,
        prompt: str,
        *,
        model: str | None = None,
        stream: Literal[False] = False,
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
    ) -> types.TextGenerationOutput: ...

    @overload
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
    ) -> types.TextGenerationOutput | AsyncStream[types.TextGenerationStreamOutput]: ...

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
    ) -> types.TextGenerationOutput | AsyncStream[types.TextGenerationStreamOutput]:
        """Continue a prompt (TGI-style text generation, or an OpenAI-style completion)."""
        parameters = {
            "best_of": best_of,
            "decoder_input_details": decoder_input_details,
            "details": details,
            "do_sample": do_sample,
            "frequency_penalty": frequency_penalty,
            "grammar": _inputs.as_dict(grammar),
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
        prompt = _inputs.check_text("prompt", prompt)
        return await self._run(
            _inputs.task_request(
                "text-generation",
                prompt,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                stream=stream,
            )
        )

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
    ) -> list[Any]:
        """Embed one text or a list of texts; returns one vector per text (token-level
        models return one vector per token)."""
        parameters = {
            "normalize": normalize,
            "prompt_name": prompt_name,
            "truncate": truncate,
            "truncation_direction": truncation_direction,
            "dimensions": dimensions,
        }
        inputs = _inputs.check_texts("text", text)
        return await self._run(
            _inputs.task_request(
                "feature-extraction",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def sentence_similarity(
        self,
        sentence: str,
        other_sentences: Sequence[str],
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[float]:
        """Similarity of ``sentence`` to each of ``other_sentences``."""
        inputs = {
            "source_sentence": _inputs.check_text("sentence", sentence),
            "sentences": _inputs.check_labels("other_sentences", other_sentences),
        }
        return await self._run(
            _inputs.task_request(
                "sentence-similarity", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    async def text_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.TextClassificationOutputElement]:
        """Classify a text; returns labels with scores, best first."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        text = _inputs.check_text("text", text)
        return await self._run(
            _inputs.task_request(
                "text-classification",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def token_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        aggregation_strategy: str | None = None,
        ignore_labels: list[str] | None = None,
        stride: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.TokenClassificationOutputElement]:
        """Label the tokens of a text (named entities and the like)."""
        parameters = {
            "aggregation_strategy": aggregation_strategy,
            "ignore_labels": ignore_labels,
            "stride": stride,
        }
        text = _inputs.check_text("text", text)
        return await self._run(
            _inputs.task_request(
                "token-classification",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def zero_shot_classification(
        self,
        text: str,
        candidate_labels: Sequence[str],
        *,
        model: str | None = None,
        multi_label: bool | None = None,
        hypothesis_template: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.ZeroShotClassificationOutputElement]:
        """Score a text against labels you choose."""
        parameters = {
            "candidate_labels": _inputs.check_labels("candidate_labels", candidate_labels),
            "multi_label": multi_label,
            "hypothesis_template": hypothesis_template,
        }
        text = _inputs.check_text("text", text)
        return await self._run(
            _inputs.task_request(
                "zero-shot-classification",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def fill_mask(
        self,
        text: str,
        *,
        model: str | None = None,
        targets: list[str] | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.FillMaskOutputElement]:
        """Fill the mask token of a text; candidates with scores."""
        text = _inputs.check_text("text", text)
        return await self._run(
            _inputs.task_request(
                "fill-mask",
                text,
                model=model,
                parameters={"targets": targets, "top_k": top_k},
                extra_body=extra_body,
            )
        )

    async def question_answering(
        self,
        question: str,
        context: str,
        *,
        model: str | None = None,
        align_to_words: bool | None = None,
        doc_stride: int | None = None,
        handle_impossible_answer: bool | None = None,
        max_answer_len: int | None = None,
        max_question_len: int | None = None,
        max_seq_len: int | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.QuestionAnsweringOutputElement | list[types.QuestionAnsweringOutputElement]:
        """Extract the answer to ``question`` from ``context``."""
        parameters = {
            "align_to_words": align_to_words,
            "doc_stride": doc_stride,
            "handle_impossible_answer": handle_impossible_answer,
            "max_answer_len": max_answer_len,
            "max_question_len": max_question_len,
            "max_seq_len": max_seq_len,
            "top_k": top_k,
        }
        inputs = {
            "question": _inputs.check_text("question", question),
            "context": _inputs.check_text("context", context),
        }
        return await self._run(
            _inputs.task_request(
                "question-answering",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def table_question_answering(
        self,
        table: Mapping[str, Sequence[str]],
        query: str,
        *,
        model: str | None = None,
        padding: str | None = None,
        sequential: bool | None = None,
        truncation: bool | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.TableQuestionAnsweringOutputElement:
        """Answer a question about a table given as ``{column: [cells]}``."""
        parameters = {"padding": padding, "sequential": sequential, "truncation": truncation}
        inputs = {
            "table": _inputs.check_table("table", table),
            "query": _inputs.check_text("query", query),
        }
        return await self._run(
            _inputs.task_request(
                "table-question-answering",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def summarization(
        self,
        text: str,
        *,
        model: str | None = None,
        clean_up_tokenization_spaces: bool | None = None,
        generate_parameters: Mapping[str, Any] | None = None,
        truncation: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.SummarizationOutput:
        """Summarise a text."""
        parameters = {
            "clean_up_tokenization_spaces": clean_up_tokenization_spaces,
            "generate_parameters": _inputs.as_dict(generate_parameters),
            "truncation": truncation,
        }
        text = _inputs.check_text("text", text)
        return await self._run(
            _inputs.task_request(
                "summarization", text, model=model, parameters=parameters, extra_body=extra_body
            )
        )

    async def translation(
        self,
        text: str,
        *,
        model: str | None = None,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        clean_up_tokenization_spaces: bool | None = None,
        generate_parameters: Mapping[str, Any] | None = None,
        truncation: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.TranslationOutput:
        """Translate a text; multilingual models need ``src_lang`` and ``tgt_lang`` together."""
        if (src_lang is None) != (tgt_lang is None):
            raise InvalidInputError("translation needs both src_lang and tgt_lang, or neither")
        parameters = {
            "src_lang": src_lang,
            "tgt_lang": tgt_lang,
            "clean_up_tokenization_spaces": clean_up_tokenization_spaces,
            "generate_parameters": _inputs.as_dict(generate_parameters),
            "truncation": truncation,
        }
        text = _inputs.check_text("text", text)
        return await self._run(
            _inputs.task_request(
                "translation", text, model=model, parameters=parameters, extra_body=extra_body
            )
        )

    async def tabular_classification(
        self,
        table: Mapping[str, Sequence[str]],
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Classify each row of a table given as ``{column: [cells]}``."""
        inputs = {"data": _inputs.check_table("table", table)}
        return await self._run(
            _inputs.task_request(
                "tabular-classification", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    async def tabular_regression(
        self,
        table: Mapping[str, Sequence[str]],
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[float]:
        """Predict a number for each row of a table given as ``{column: [cells]}``."""
        inputs = {"data": _inputs.check_table("table", table)}
        return await self._run(
            _inputs.task_request(
                "tabular-regression", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )
