"""Images and video: generation, transformation, classification, detection (closed and
zero-shot), segmentation, depth estimation, captioning, question answering over images and
documents, and video classification."""

from __future__ import annotations

from typing import Any

from infermux.helpers.base import Call, LazyType, Payload, Response
from infermux.helpers.hf.common import HFBinaryTaskHelper, HFTaskHelper, binary_input
from infermux.inputs import BinaryInput, BinaryKind
from infermux.media import DepthMap, ImageOutput, VideoOutput, sniff_content_type

__all__ = [
    "HFDepthEstimationHelper",
    "HFDocumentQuestionAnsweringHelper",
    "HFImageClassificationHelper",
    "HFImageSegmentationHelper",
    "HFImageToImageHelper",
    "HFImageToTextHelper",
    "HFImageToVideoHelper",
    "HFObjectDetectionHelper",
    "HFTextToImageHelper",
    "HFTextToVideoHelper",
    "HFVideoClassificationHelper",
    "HFVisualQuestionAnsweringHelper",
    "HFZeroShotImageClassificationHelper",
    "HFZeroShotObjectDetectionHelper",
]

#: What diffusers' video pipelines take (the task specs' names).
_VIDEO_PARAMETERS = frozenset(
    {"guidance_scale", "negative_prompt", "num_frames", "num_inference_steps", "seed"}
)


class HFTextToImageHelper(HFTaskHelper):
    """diffusers pipelines; the answer is the image itself (JPEG or PNG bytes)."""

    task = "text-to-image"
    output_type = ImageOutput
    supported_parameters = frozenset(
        {
            "guidance_scale",
            "height",
            "negative_prompt",
            "num_inference_steps",
            "scheduler",
            "seed",
            "width",
        }
    )

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(ImageOutput, response)


class HFImageToImageHelper(HFBinaryTaskHelper):
    """An image in (raw, or base64 with a prompt and options), the new image's bytes out."""

    task = "image-to-image"
    output_type = ImageOutput
    supported_parameters = frozenset(
        {"prompt", "negative_prompt", "num_inference_steps", "guidance_scale", "target_size"}
    )

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(ImageOutput, response)


class HFTextToVideoHelper(HFTaskHelper):
    """A prompt in, the video itself (usually MP4 bytes) out."""

    task = "text-to-video"
    output_type = VideoOutput
    supported_parameters = _VIDEO_PARAMETERS

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(VideoOutput, response)


class HFImageToVideoHelper(HFBinaryTaskHelper):
    """An image in (raw, or base64 with a prompt and options), the video's bytes out."""

    task = "image-to-video"
    output_type = VideoOutput
    supported_parameters = _VIDEO_PARAMETERS | {"prompt", "target_size"}

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(VideoOutput, response)


class HFImageClassificationHelper(HFBinaryTaskHelper):
    task = "image-classification"
    output_type = list
    supported_parameters = frozenset({"function_to_apply", "top_k"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ImageClassificationOutputElement  # pydantic: on first use

        return self.elements(ImageClassificationOutputElement, response)


class HFImageSegmentationHelper(HFBinaryTaskHelper):
    """Segments with a label, a score and a mask (a base64 PNG)."""

    task = "image-segmentation"
    output_type = list
    supported_parameters = frozenset(
        {"mask_threshold", "overlap_mask_area_threshold", "subtask", "threshold"}
    )

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ImageSegmentationOutputElement

        return self.elements(ImageSegmentationOutputElement, response, allow_empty=True)


class HFObjectDetectionHelper(HFBinaryTaskHelper):
    task = "object-detection"
    output_type = list
    supported_parameters = frozenset({"threshold"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ObjectDetectionOutputElement

        return self.elements(ObjectDetectionOutputElement, response, allow_empty=True)


class HFImageToTextHelper(HFBinaryTaskHelper):
    """Captioning / OCR; the pipeline answers ``[{"generated_text"}]``."""

    task = "image-to-text"
    output_type = LazyType("ImageToTextOutput")
    supported_parameters = frozenset()

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ImageToTextOutput

        return self.one(ImageToTextOutput, self.json_first(response), "generated_text")


class HFZeroShotImageClassificationHelper(HFBinaryTaskHelper):
    """Always JSON: the labels travel in ``parameters`` next to the base64 image."""

    task = "zero-shot-image-classification"
    output_type = list
    supported_parameters = frozenset({"candidate_labels", "hypothesis_template"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ZeroShotImageClassificationOutputElement

        return self.elements(ZeroShotImageClassificationOutputElement, response)


class HFZeroShotObjectDetectionHelper(HFBinaryTaskHelper):
    """Always JSON: the candidate labels travel in ``parameters`` next to the base64 image.
    Boxes with a label and a score come back; an image showing none of the labels gives an
    empty list (an answer, as for object detection)."""

    task = "zero-shot-object-detection"
    output_type = list
    supported_parameters = frozenset({"candidate_labels"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ZeroShotObjectDetectionOutputElement

        return self.elements(ZeroShotObjectDetectionOutputElement, response, allow_empty=True)


def _depth_rows(values: Any) -> list[list[float]] | None:
    """``predicted_depth`` as rows of floats, or None if it is not a depth map.

    A 2-D list of numbers with rows of one length; a 3-D list holding one map (older
    ``transformers`` keep the batch axis) is unwrapped.
    """
    one_map = isinstance(values, list) and len(values) == 1 and isinstance(values[0], list)
    if one_map and values[0] and isinstance(values[0][0], list):
        values = values[0]
    if not isinstance(values, list) or not values:
        return None
    rows: list[list[float]] = []
    for row in values:
        if not isinstance(row, list) or not row or (rows and len(row) != len(rows[0])):
            return None
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in row):
            return None
        rows.append([float(v) for v in row])
    return rows


class HFDepthEstimationHelper(HFBinaryTaskHelper):
    """An image in; ``{"predicted_depth": [[...]], "depth": <base64 PNG>}`` back (the
    pipeline's raw prediction and the map scaled into a grayscale image), returned as one
    :class:`~infermux.media.DepthMap`. A server answering with the depth image's bytes
    alone (a custom handler) gives a DepthMap without ``predicted_depth``."""

    task = "depth-estimation"
    output_type = DepthMap
    supported_parameters = frozenset()

    def parse_response(self, response: Response, call: Call) -> Any:
        if sniff_content_type(response.content, response.content_type).startswith("image/"):
            return self.media(DepthMap, response)
        body = self.json_first(response)
        if not isinstance(body, dict) or not isinstance(body.get("depth"), str):
            raise self.unexpected(body, missing="'depth' (the depth map as a base64 image)")
        values = body.get("predicted_depth")
        rows = _depth_rows(values) if values is not None else None
        if values is not None and rows is None:
            self.fail("'predicted_depth' as rows of numbers of one length", values)
        from infermux.helpers.media_outputs import media_from_base64, media_output

        encoded: str = body["depth"]
        decode = media_output if encoded.startswith("data:") else media_from_base64
        image: ImageOutput = decode(encoded, ImageOutput, provider=self.provider, task=self.task)
        if not image.content_type.startswith("image/"):
            self.fail("'depth' as a base64 image", encoded[:50])
        return DepthMap(
            image.content, image.content_type, provider=self.provider, predicted_depth=rows
        )


class HFVideoClassificationHelper(HFBinaryTaskHelper):
    """A clip in (the raw MP4, WEBM or MOV file; base64 in JSON with parameters), labels
    with scores back, best first."""

    task = "video-classification"
    input_kind: BinaryKind = "video"
    output_type = list
    supported_parameters = frozenset(
        {"frame_sampling_rate", "function_to_apply", "num_frames", "top_k"}
    )

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import VideoClassificationOutputElement

        return self.elements(VideoClassificationOutputElement, response)


def _image_and_question(helper: HFTaskHelper, call: Call) -> tuple[BinaryInput, str]:
    inputs = call.inputs
    if not isinstance(inputs, dict) or not isinstance(inputs.get("question"), str):
        helper.fail_input("{'image': <image>, 'question': '...'}", inputs)
    image = binary_input(inputs.get("image"), "image", "image", helper.provider)
    return image, inputs["question"]


class HFVisualQuestionAnsweringHelper(HFTaskHelper):
    """The body Hugging Face's client sends: the base64 image as ``inputs`` *and* as
    ``image``, the question at the top level; answers with scores, best first."""

    task = "visual-question-answering"
    output_type = list
    supported_parameters = frozenset({"top_k"})

    def prepare_payload(self, call: Call) -> Payload:
        image, question = _image_and_question(self, call)
        encoded = image.as_base64()
        return {
            "inputs": encoded,
            "parameters": dict(call.parameters),
            "question": question,
            "image": encoded,
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import VisualQuestionAnsweringOutputElement

        return self.elements(VisualQuestionAnsweringOutputElement, response)


class HFDocumentQuestionAnsweringHelper(HFTaskHelper):
    """``{"inputs": {"question", "image": <base64>}, "parameters": {...}}``."""

    task = "document-question-answering"
    output_type = list
    supported_parameters = frozenset(
        {
            "doc_stride",
            "handle_impossible_answer",
            "lang",
            "max_answer_len",
            "max_question_len",
            "max_seq_len",
            "top_k",
            "word_boxes",
        }
    )

    def prepare_payload(self, call: Call) -> Payload:
        image, question = _image_and_question(self, call)
        return {
            "inputs": {"question": question, "image": image.as_base64()},
            "parameters": dict(call.parameters),
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import DocumentQuestionAnsweringOutputElement

        return self.answers(DocumentQuestionAnsweringOutputElement, response.json())
