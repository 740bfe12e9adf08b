"""Images and video: generation, transformation, classification, detection, segmentation,
captioning and question answering over images and documents."""

from __future__ import annotations

from typing import Any

from infermux.helpers.base import Call, LazyType, Payload, Response
from infermux.helpers.hf.common import HFBinaryTaskHelper, HFTaskHelper, binary_input
from infermux.inputs import BinaryInput
from infermux.media import ImageOutput, VideoOutput

__all__ = [
    "HFDocumentQuestionAnsweringHelper",
    "HFImageClassificationHelper",
    "HFImageSegmentationHelper",
    "HFImageToImageHelper",
    "HFImageToTextHelper",
    "HFImageToVideoHelper",
    "HFObjectDetectionHelper",
    "HFTextToImageHelper",
    "HFTextToVideoHelper",
    "HFVisualQuestionAnsweringHelper",
    "HFZeroShotImageClassificationHelper",
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
