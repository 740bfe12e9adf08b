"""Images: generation, transformation, classification, detection, segmentation, captioning
and question answering over images and documents (the core's task API helpers on the
model's route)."""

from __future__ import annotations

from infermux.helpers.hf import (
    HFDocumentQuestionAnsweringHelper,
    HFImageClassificationHelper,
    HFImageSegmentationHelper,
    HFImageToImageHelper,
    HFImageToTextHelper,
    HFObjectDetectionHelper,
    HFTextToImageHelper,
    HFVisualQuestionAnsweringHelper,
    HFZeroShotImageClassificationHelper,
)
from infermux_hf_inference._common import HFInferenceBase

__all__ = [
    "HFInferenceDocumentQuestionAnswering",
    "HFInferenceImageClassification",
    "HFInferenceImageSegmentation",
    "HFInferenceImageToImage",
    "HFInferenceImageToText",
    "HFInferenceObjectDetection",
    "HFInferenceTextToImage",
    "HFInferenceVisualQuestionAnswering",
    "HFInferenceZeroShotImageClassification",
]


class HFInferenceTextToImage(HFInferenceBase, HFTextToImageHelper):
    """diffusers pipelines; the answer is the image itself (JPEG or PNG bytes)."""

    paid_per_call = True  # billed by compute time, which a resend would spend again


class HFInferenceImageToImage(HFInferenceBase, HFImageToImageHelper):
    """An image in (raw, or base64 with a prompt and options), the new image's bytes out."""

    paid_per_call = True  # billed by compute time, which a resend would spend again


class HFInferenceImageClassification(HFInferenceBase, HFImageClassificationHelper):
    """Labels with scores for an image."""


class HFInferenceImageSegmentation(HFInferenceBase, HFImageSegmentationHelper):
    """Segments with a label, a score and a mask (a base64 PNG)."""


class HFInferenceObjectDetection(HFInferenceBase, HFObjectDetectionHelper):
    """Boxes with labels and scores; an image with none gives an empty list."""


class HFInferenceImageToText(HFInferenceBase, HFImageToTextHelper):
    """Captioning / OCR."""


class HFInferenceZeroShotImageClassification(HFInferenceBase, HFZeroShotImageClassificationHelper):
    """Always JSON: the labels travel in ``parameters`` next to the base64 image."""


class HFInferenceVisualQuestionAnswering(HFInferenceBase, HFVisualQuestionAnsweringHelper):
    """Answers with scores about an image, best first."""


class HFInferenceDocumentQuestionAnswering(HFInferenceBase, HFDocumentQuestionAnsweringHelper):
    """Answers about a document image."""
