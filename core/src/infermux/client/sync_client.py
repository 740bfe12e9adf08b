"""The synchronous client. ``async_client.py`` is generated from this file:
run ``python scripts/generate_async_client.py`` after editing it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from infermux.chunking import ChunkingSettings, EmbeddedChunk, Strategy, chunk_text
from infermux.client import _inputs
from infermux.client._base import SyncClientBase, build_engine
from infermux.client._chat_alias import Chat
from infermux.errors import InvalidInputError, ResponseFormatError
from infermux.hub import (
    HubModel,
    ModelStatus,
    list_models_query,
    model_status_path,
    parse_models,
    parse_status,
)
from infermux.inputs import load_binary
from infermux.mapping import ProviderMappingEntry
from infermux.registry.store import ProviderRegistry
from infermux.transport.retry import RetryPolicy

if TYPE_CHECKING:
    import httpx2

    from infermux.engine import CancelToken, JobProgress
    from infermux.media import AudioOutput, ImageOutput, VideoOutput
    from infermux.streaming import Stream
    from infermux.types import (
        AudioClassificationOutputElement,
        AutomaticSpeechRecognitionOutput,
        ChatCompletionOutput,
        ChatCompletionStreamOutput,
        DocumentQuestionAnsweringOutputElement,
        FillMaskOutputElement,
        ImageClassificationOutputElement,
        ImageSegmentationOutputElement,
        ImageToTextOutput,
        ObjectDetectionOutputElement,
        QuestionAnsweringOutputElement,
        SummarizationOutput,
        TableQuestionAnsweringOutputElement,
        TextClassificationOutputElement,
        TextGenerationOutput,
        TextGenerationStreamOutput,
        TokenClassificationOutputElement,
        TranslationOutput,
        VisualQuestionAnsweringOutputElement,
        ZeroShotClassificationOutputElement,
        ZeroShotImageClassificationOutputElement,
    )

#: Binary inputs accept bytes, a path, a URL (or data URL), a file object opened in
#: binary mode, or (images) a PIL image; see :func:`infermux.inputs.load_binary`.
ImageInput = Any
AudioInput = Any

__all__ = ["InferenceClient"]


class InferenceClient(SyncClientBase):
    """Call any hosted inference provider through its installed plugin.

    Example::

        from infermux import InferenceClient

        client = InferenceClient(provider="together", api_key="...")
        out = client.chat_completion(
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
        http_client: an ``httpx2.Client`` every request goes through (not closed by us).
        poll_interval, job_timeout: how often and how long asynchronous jobs are polled.
        model_mappings: ``{provider: {hub_model_id: provider_model_id}}`` overrides.
        provider_preference: order of providers tried by ``provider="auto"``.
        failover: with ``provider="auto"``, try the next provider on retryable errors.
        hub_lookup: set False to never ask the Hub for model mappings.
        wait_for_model: wait for a loading model (503 with ``estimated_time``).
        retry: full control of retries and waits (a :class:`~infermux.RetryPolicy`);
            ``max_retries`` is ignored when it is given.
        use_cache: Hugging Face serverless only: False asks for a fresh answer.
        model_aliases: ``{provider: {task: {"small": model_id, ...}}}`` overrides.
        bill_to: an organisation billed for routed calls (``X-HF-Bill-To``); no effect direct.
        requests_per_minute: a client-side budget, one number or ``{provider: rpm}``;
            providers may declare a default (hf-inference: 3,000).
        max_concurrency: at most this many requests in flight for this client.
        mapping_ttl: seconds a Hub model mapping stays cached (default 300).
        registry: a provider registry other than the process-wide one (tests, isolation).
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
        http_client: httpx2.Client | None = None,
        router_url: str | None = None,
        hub_url: str | None = None,
        poll_interval: float = 1.0,
        job_timeout: float = 600.0,
        model_mappings: Mapping[str, Mapping[str, str]] | None = None,
        provider_preference: Sequence[str] | None = None,
        failover: bool = True,
        hub_lookup: bool = True,
        wait_for_model: bool = True,
        retry: RetryPolicy | None = None,
        use_cache: bool | None = None,
        model_aliases: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
        bill_to: str | None = None,
        requests_per_minute: float | Mapping[str, float] | None = None,
        max_concurrency: int | None = None,
        mapping_ttl: float = 300.0,
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
            retry=retry,
            use_cache=use_cache,
            model_aliases=model_aliases,
            bill_to=bill_to,
            requests_per_minute=requests_per_minute,
            mapping_ttl=mapping_ttl,
            registry=registry,
        )
        super().__init__(engine, http_client, max_concurrency)
        #: OpenAI-style alias: ``client.chat.completions.create(model=..., messages=...)``.
        self.chat = Chat(self)

    def chat_completion(
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
    ) -> ChatCompletionOutput | Stream[ChatCompletionStreamOutput]:
        """Chat with a model; ``stream=True`` returns an iterator of typed chunks.

        Example::

            for chunk in client.chat_completion(messages, model=..., stream=True):
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
        messages = _inputs.check_messages(messages)
        return self._run(
            _inputs.task_request(
                "conversational",
                messages,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                stream=stream,
            )
        )

    def text_generation(
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
    ) -> TextGenerationOutput | Stream[TextGenerationStreamOutput]:
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
        return self._run(
            _inputs.task_request(
                "text-generation",
                prompt,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                stream=stream,
            )
        )

    def feature_extraction(
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
        return self._run(
            _inputs.task_request(
                "feature-extraction",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def sentence_similarity(
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
        return self._run(
            _inputs.task_request(
                "sentence-similarity", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    def text_to_image(
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
        parameters = {
            "negative_prompt": negative_prompt,
            "height": height,
            "width": width,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            "scheduler": scheduler,
            "seed": seed,
        }
        prompt = _inputs.check_text("prompt", prompt)
        return self._run(
            _inputs.task_request(
                "text-to-image",
                prompt,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    def image_to_image(
        self,
        image: ImageInput,
        prompt: str | None = None,
        *,
        model: str | None = None,
        negative_prompt: str | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        target_size: Mapping[str, int] | None = None,
        seed: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> ImageOutput:
        """Transform an image, optionally guided by a prompt."""
        parameters = {
            "prompt": _inputs.check_text("prompt", prompt) if prompt is not None else None,
            "negative_prompt": negative_prompt,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            "target_size": _inputs.as_dict(target_size),
            "seed": seed,
        }
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "image-to-image",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    def text_to_video(
        self,
        prompt: str,
        *,
        model: str | None = None,
        negative_prompt: str | None = None,
        num_frames: int | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        seed: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> VideoOutput:
        """Generate a video (usually an asynchronous job, polled by the client)."""
        parameters = {
            "negative_prompt": negative_prompt,
            "num_frames": num_frames,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            "seed": seed,
        }
        prompt = _inputs.check_text("prompt", prompt)
        return self._run(
            _inputs.task_request(
                "text-to-video",
                prompt,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    def image_to_video(
        self,
        image: ImageInput,
        prompt: str | None = None,
        *,
        model: str | None = None,
        negative_prompt: str | None = None,
        num_frames: int | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        target_size: Mapping[str, int] | None = None,
        seed: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> VideoOutput:
        """Animate an image into a video, optionally guided by a prompt."""
        parameters = {
            "prompt": _inputs.check_text("prompt", prompt) if prompt is not None else None,
            "negative_prompt": negative_prompt,
            "num_frames": num_frames,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            "target_size": _inputs.as_dict(target_size),
            "seed": seed,
        }
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "image-to-video",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    def automatic_speech_recognition(
        self,
        audio: AudioInput,
        *,
        model: str | None = None,
        return_timestamps: bool | None = None,
        generation_parameters: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> AutomaticSpeechRecognitionOutput:
        """Transcribe speech; ``audio`` is bytes, a path, a URL or a file object."""
        parameters = {
            "return_timestamps": return_timestamps,
            "generation_parameters": _inputs.as_dict(generation_parameters),
        }
        inputs = load_binary(audio, "audio", "audio")
        return self._run(
            _inputs.task_request(
                "automatic-speech-recognition",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    def text_to_speech(
        self,
        text: str,
        *,
        model: str | None = None,
        generation_parameters: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> AudioOutput:
        """Synthesise speech; returns an :class:`~infermux.media.AudioOutput`."""
        parameters = {
            "generation_parameters": _inputs.as_dict(generation_parameters),
        }
        text = _inputs.check_text("text", text)
        return self._run(
            _inputs.task_request(
                "text-to-speech",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    def audio_classification(
        self,
        audio: AudioInput,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[AudioClassificationOutputElement]:
        """Classify an audio clip; labels with scores, best first."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        inputs = load_binary(audio, "audio", "audio")
        return self._run(
            _inputs.task_request(
                "audio-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def audio_to_audio(
        self,
        audio: AudioInput,
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[AudioOutput]:
        """Separate or enhance audio; one :class:`AudioOutput` (with ``label``) per source."""
        inputs = load_binary(audio, "audio", "audio")
        return self._run(
            _inputs.task_request(
                "audio-to-audio", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    def image_classification(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[ImageClassificationOutputElement]:
        """Classify an image; labels with scores, best first."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "image-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def image_segmentation(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        mask_threshold: float | None = None,
        overlap_mask_area_threshold: float | None = None,
        subtask: str | None = None,
        threshold: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[ImageSegmentationOutputElement]:
        """Segment an image; each segment has a label, a score and a mask (base64 PNG)."""
        parameters = {
            "mask_threshold": mask_threshold,
            "overlap_mask_area_threshold": overlap_mask_area_threshold,
            "subtask": subtask,
            "threshold": threshold,
        }
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "image-segmentation",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def image_to_text(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ImageToTextOutput:
        """Caption an image (or read its text, for OCR models)."""
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "image-to-text", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    def object_detection(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        threshold: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[ObjectDetectionOutputElement]:
        """Detect objects; each has a label, a score and a bounding box."""
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "object-detection",
                inputs,
                model=model,
                parameters={"threshold": threshold},
                extra_body=extra_body,
            )
        )

    def zero_shot_image_classification(
        self,
        image: ImageInput,
        candidate_labels: Sequence[str],
        *,
        model: str | None = None,
        hypothesis_template: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[ZeroShotImageClassificationOutputElement]:
        """Score an image against labels you choose."""
        parameters = {
            "candidate_labels": _inputs.check_labels("candidate_labels", candidate_labels),
            "hypothesis_template": hypothesis_template,
        }
        inputs = load_binary(image, "image", "image")
        return self._run(
            _inputs.task_request(
                "zero-shot-image-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def visual_question_answering(
        self,
        image: ImageInput,
        question: str,
        *,
        model: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[VisualQuestionAnsweringOutputElement]:
        """Answer a question about an image."""
        inputs = {
            "image": load_binary(image, "image", "image"),
            "question": _inputs.check_text("question", question),
        }
        return self._run(
            _inputs.task_request(
                "visual-question-answering",
                inputs,
                model=model,
                parameters={"top_k": top_k},
                extra_body=extra_body,
            )
        )

    def document_question_answering(
        self,
        image: ImageInput,
        question: str,
        *,
        model: str | None = None,
        doc_stride: int | None = None,
        handle_impossible_answer: bool | None = None,
        lang: str | None = None,
        max_answer_len: int | None = None,
        max_question_len: int | None = None,
        max_seq_len: int | None = None,
        top_k: int | None = None,
        word_boxes: list[Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[DocumentQuestionAnsweringOutputElement]:
        """Answer a question about a document image."""
        parameters = {
            "doc_stride": doc_stride,
            "handle_impossible_answer": handle_impossible_answer,
            "lang": lang,
            "max_answer_len": max_answer_len,
            "max_question_len": max_question_len,
            "max_seq_len": max_seq_len,
            "top_k": top_k,
            "word_boxes": word_boxes,
        }
        inputs = {
            "image": load_binary(image, "image", "image"),
            "question": _inputs.check_text("question", question),
        }
        return self._run(
            _inputs.task_request(
                "document-question-answering",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def text_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[TextClassificationOutputElement]:
        """Classify a text; returns labels with scores, best first."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        text = _inputs.check_text("text", text)
        return self._run(
            _inputs.task_request(
                "text-classification",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def token_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        aggregation_strategy: str | None = None,
        ignore_labels: list[str] | None = None,
        stride: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[TokenClassificationOutputElement]:
        """Label the tokens of a text (named entities and the like)."""
        parameters = {
            "aggregation_strategy": aggregation_strategy,
            "ignore_labels": ignore_labels,
            "stride": stride,
        }
        text = _inputs.check_text("text", text)
        return self._run(
            _inputs.task_request(
                "token-classification",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def zero_shot_classification(
        self,
        text: str,
        candidate_labels: Sequence[str],
        *,
        model: str | None = None,
        multi_label: bool | None = None,
        hypothesis_template: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[ZeroShotClassificationOutputElement]:
        """Score a text against labels you choose."""
        parameters = {
            "candidate_labels": _inputs.check_labels("candidate_labels", candidate_labels),
            "multi_label": multi_label,
            "hypothesis_template": hypothesis_template,
        }
        text = _inputs.check_text("text", text)
        return self._run(
            _inputs.task_request(
                "zero-shot-classification",
                text,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def fill_mask(
        self,
        text: str,
        *,
        model: str | None = None,
        targets: list[str] | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[FillMaskOutputElement]:
        """Fill the mask token of a text; candidates with scores."""
        text = _inputs.check_text("text", text)
        return self._run(
            _inputs.task_request(
                "fill-mask",
                text,
                model=model,
                parameters={"targets": targets, "top_k": top_k},
                extra_body=extra_body,
            )
        )

    def question_answering(
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
    ) -> QuestionAnsweringOutputElement | list[QuestionAnsweringOutputElement]:
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
        return self._run(
            _inputs.task_request(
                "question-answering",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def table_question_answering(
        self,
        table: Mapping[str, Sequence[str]],
        query: str,
        *,
        model: str | None = None,
        padding: str | None = None,
        sequential: bool | None = None,
        truncation: bool | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TableQuestionAnsweringOutputElement:
        """Answer a question about a table given as ``{column: [cells]}``."""
        parameters = {"padding": padding, "sequential": sequential, "truncation": truncation}
        inputs = {
            "table": _inputs.check_table("table", table),
            "query": _inputs.check_text("query", query),
        }
        return self._run(
            _inputs.task_request(
                "table-question-answering",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    def summarization(
        self,
        text: str,
        *,
        model: str | None = None,
        clean_up_tokenization_spaces: bool | None = None,
        generate_parameters: Mapping[str, Any] | None = None,
        truncation: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SummarizationOutput:
        """Summarise a text."""
        parameters = {
            "clean_up_tokenization_spaces": clean_up_tokenization_spaces,
            "generate_parameters": _inputs.as_dict(generate_parameters),
            "truncation": truncation,
        }
        text = _inputs.check_text("text", text)
        return self._run(
            _inputs.task_request(
                "summarization", text, model=model, parameters=parameters, extra_body=extra_body
            )
        )

    def translation(
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
    ) -> TranslationOutput:
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
        return self._run(
            _inputs.task_request(
                "translation", text, model=model, parameters=parameters, extra_body=extra_body
            )
        )

    def tabular_classification(
        self,
        table: Mapping[str, Sequence[str]],
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Classify each row of a table given as ``{column: [cells]}``."""
        inputs = {"data": _inputs.check_table("table", table)}
        return self._run(
            _inputs.task_request(
                "tabular-classification", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    def tabular_regression(
        self,
        table: Mapping[str, Sequence[str]],
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[float]:
        """Predict a number for each row of a table given as ``{column: [cells]}``."""
        inputs = {"data": _inputs.check_table("table", table)}
        return self._run(
            _inputs.task_request(
                "tabular-regression", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    # -- beyond the task methods ---------------------------------------------------------

    def embed_chunks(
        self,
        text: str,
        *,
        model: str | None = None,
        strategy: Strategy = "sentence",
        max_chunk_size: int = 250,
        overlap: int | None = None,
        sentence_overlap: int | None = None,
    ) -> list[EmbeddedChunk]:
        """Embed a long text chunk by chunk; one vector per chunk, with its offsets.

        Strategies and limits follow the Elasticsearch inference chunking settings: see
        :mod:`infermux.chunking`.
        """
        settings = ChunkingSettings(strategy, max_chunk_size, overlap, sentence_overlap)
        chunks = chunk_text(_inputs.check_text("text", text), settings)
        vectors = self.feature_extraction([chunk.text for chunk in chunks], model=model)
        if len(vectors) != len(chunks):
            raise ResponseFormatError(
                f"{len(chunks)} chunks were sent but {len(vectors)} embeddings came back"
            )
        return [
            EmbeddedChunk(chunk.text, chunk.start, chunk.end, vector)
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]

    def request(
        self,
        path: str,
        *,
        provider: str | None = None,
        method: str = "POST",
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call a route of a provider directly, still with its routing, auth and retries.

        ``path`` is appended to the provider's base URL (direct or routed). Returns the JSON
        body decoded, or the raw bytes when the answer is not JSON.
        """
        http_request = _inputs.custom_request(method, path, json, content, content_type, headers)
        response = self._drive(self.engine.custom(provider, http_request))
        return _inputs.decode_custom(response)

    def stream_request(
        self,
        path: str,
        *,
        provider: str | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Stream[Any]:
        """Like :meth:`request` for a server-sent event stream: yields each event's data
        (decoded from JSON when it is JSON)."""
        http_request = _inputs.custom_request("POST", path, json, None, None, headers, stream=True)
        return self._run_effects(self.engine.custom(provider, http_request))

    def list_models(
        self,
        *,
        provider: str | Sequence[str] | None = None,
        task: str | None = None,
        search: str | None = None,
        limit: int = 100,
    ) -> list[HubModel]:
        """Models the Hub lists as served by ``provider`` (one, several, or all), for ``task``."""
        providers = [provider] if isinstance(provider, str) else list(provider or [])
        query = list_models_query(providers, task, limit, search)
        return parse_models(self._drive(self.engine.hub("/api/models", query)))

    def model_status(self, model: str) -> ModelStatus:
        """Whether ``model`` is warm, and the providers serving it."""
        model = _inputs.check_text("model", model)
        query = {"expand[]": ["inference", "inferenceProviderMapping"]}
        return parse_status(model, self._drive(self.engine.hub(model_status_path(model), query)))

    def provider_mapping(self, model: str) -> list[ProviderMappingEntry]:
        """The providers the Hub maps ``model`` to, with their own model ids."""
        status = self.model_status(model)
        return status.providers

    def list_router_models(self) -> list[dict[str, Any]]:
        """The Hugging Face router's OpenAI-style model listing (``GET /v1/models``)."""
        body = self._drive(self.engine.router_get("/v1/models"))
        return list(body.get("data", [])) if isinstance(body, dict) else []
