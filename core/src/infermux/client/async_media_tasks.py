"""Image, video and audio task methods of the asynchronous client.

GENERATED from sync_media_tasks.py by scripts/generate_async_client.py: do not edit
by hand."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infermux import types
from infermux.client import _inputs
from infermux.client._base import AsyncClientBase
from infermux.client._inputs import AudioInput, ImageInput, VideoInput
from infermux.engine import CancelToken, JobProgress
from infermux.inputs import load_binary
from infermux.media import AudioOutput, DepthMap, ImageOutput, VideoOutput

__all__ = ["AsyncMediaTasks"]


class AsyncMediaTasks(AsyncClientBase):
    """Generation and understanding of images, video and audio."""

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
        return await self._run(
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

    async def image_to_image(
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
        return await self._run(
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

    async def text_to_video(
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
        return await self._run(
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

    async def image_to_video(
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
        return await self._run(
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

    async def automatic_speech_recognition(
        self,
        audio: AudioInput,
        *,
        model: str | None = None,
        return_timestamps: bool | None = None,
        generation_parameters: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> types.AutomaticSpeechRecognitionOutput:
        """Transcribe speech; ``audio`` is bytes, a path, a URL or a file object."""
        parameters = {
            "return_timestamps": return_timestamps,
            "generation_parameters": _inputs.as_dict(generation_parameters),
        }
        inputs = load_binary(audio, "audio", "audio")
        return await self._run(
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

    async def text_to_speech(
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
        return await self._run(
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

    async def text_to_audio(
        self,
        prompt: str,
        *,
        model: str | None = None,
        generation_parameters: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> AudioOutput:
        """Generate music or sound from a prompt; returns an :class:`~infermux.media.AudioOutput`
        (speech from a text is :meth:`text_to_speech`)."""
        parameters = {
            "generation_parameters": _inputs.as_dict(generation_parameters),
        }
        prompt = _inputs.check_text("prompt", prompt)
        return await self._run(
            _inputs.task_request(
                "text-to-audio",
                prompt,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
                on_progress=on_progress,
                cancel=cancel,
            )
        )

    async def audio_classification(
        self,
        audio: AudioInput,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.AudioClassificationOutputElement]:
        """Classify an audio clip; labels with scores, best first."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        inputs = load_binary(audio, "audio", "audio")
        return await self._run(
            _inputs.task_request(
                "audio-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def audio_to_audio(
        self,
        audio: AudioInput,
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[AudioOutput]:
        """Separate or enhance audio; one :class:`AudioOutput` (with ``label``) per source."""
        inputs = load_binary(audio, "audio", "audio")
        return await self._run(
            _inputs.task_request(
                "audio-to-audio", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    async def image_classification(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.ImageClassificationOutputElement]:
        """Classify an image; labels with scores, best first."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "image-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def image_segmentation(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        mask_threshold: float | None = None,
        overlap_mask_area_threshold: float | None = None,
        subtask: str | None = None,
        threshold: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.ImageSegmentationOutputElement]:
        """Segment an image; each segment has a label, a score and a mask (base64 PNG)."""
        parameters = {
            "mask_threshold": mask_threshold,
            "overlap_mask_area_threshold": overlap_mask_area_threshold,
            "subtask": subtask,
            "threshold": threshold,
        }
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "image-segmentation",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def image_to_text(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> types.ImageToTextOutput:
        """Caption an image (or read its text, for OCR models)."""
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "image-to-text", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    async def object_detection(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        threshold: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.ObjectDetectionOutputElement]:
        """Detect objects; each has a label, a score and a bounding box."""
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "object-detection",
                inputs,
                model=model,
                parameters={"threshold": threshold},
                extra_body=extra_body,
            )
        )

    async def zero_shot_image_classification(
        self,
        image: ImageInput,
        candidate_labels: Sequence[str],
        *,
        model: str | None = None,
        hypothesis_template: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.ZeroShotImageClassificationOutputElement]:
        """Score an image against labels you choose."""
        parameters = {
            "candidate_labels": _inputs.check_labels("candidate_labels", candidate_labels),
            "hypothesis_template": hypothesis_template,
        }
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "zero-shot-image-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def zero_shot_object_detection(
        self,
        image: ImageInput,
        candidate_labels: Sequence[str],
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.ZeroShotObjectDetectionOutputElement]:
        """Find the objects of labels you choose; each has a label, a score and a box (an
        empty list when the image shows none of them)."""
        parameters = {
            "candidate_labels": _inputs.check_labels("candidate_labels", candidate_labels),
        }
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "zero-shot-object-detection",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def depth_estimation(
        self,
        image: ImageInput,
        *,
        model: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DepthMap:
        """Estimate depth; returns a :class:`~infermux.media.DepthMap`: the map as an image
        (``.save(path)``), the raw values in ``predicted_depth`` where the provider sends them."""
        inputs = load_binary(image, "image", "image")
        return await self._run(
            _inputs.task_request(
                "depth-estimation", inputs, model=model, parameters={}, extra_body=extra_body
            )
        )

    async def video_classification(
        self,
        video: VideoInput,
        *,
        model: str | None = None,
        function_to_apply: str | None = None,
        num_frames: int | None = None,
        frame_sampling_rate: int | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.VideoClassificationOutputElement]:
        """Classify a video clip (MP4, WEBM or MOV); labels with scores, best first."""
        parameters = {
            "function_to_apply": function_to_apply,
            "num_frames": num_frames,
            "frame_sampling_rate": frame_sampling_rate,
            "top_k": top_k,
        }
        inputs = load_binary(video, "video", "video")
        return await self._run(
            _inputs.task_request(
                "video-classification",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )

    async def visual_question_answering(
        self,
        image: ImageInput,
        question: str,
        *,
        model: str | None = None,
        top_k: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[types.VisualQuestionAnsweringOutputElement]:
        """Answer a question about an image."""
        inputs = {
            "image": load_binary(image, "image", "image"),
            "question": _inputs.check_text("question", question),
        }
        return await self._run(
            _inputs.task_request(
                "visual-question-answering",
                inputs,
                model=model,
                parameters={"top_k": top_k},
                extra_body=extra_body,
            )
        )

    async def document_question_answering(
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
    ) -> list[types.DocumentQuestionAnsweringOutputElement]:
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
        return await self._run(
            _inputs.task_request(
                "document-question-answering",
                inputs,
                model=model,
                parameters=parameters,
                extra_body=extra_body,
            )
        )
