"""Images and video: generation, transformation, classification, detection (closed and
zero-shot), segmentation, depth estimation, captioning, question answering over images and
documents, and video classification (the core's task API helpers on the model's route)."""

from __future__ import annotations

from infermux.helpers.hf import (
    HFDepthEstimationHelper,
    HFDocumentQuestionAnsweringHelper,
    HFImageClassificationHelper,
    HFImageSegmentationHelper,
    HFImageToImageHelper,
    HFImageToTextHelper,
    HFObjectDetectionHelper,
    HFTextToImageHelper,
    HFVideoClassificationHelper,
    HFVisualQuestionAnsweringHelper,
    HFZeroShotImageClassificationHelper,
    HFZeroShotObjectDetectionHelper,
)
from infermux_hf_inference._common import HFInferenceBase

__all__ = [
    "HFInferenceDepthEstimation",
    "HFInferenceDocumentQuestionAnswering",
    "HFInferenceImageClassification",
    "HFInferenceImageSegmentation",
    "HFInferenceImageToImage",
    "HFInferenceImageToText",
    "HFInferenceObjectDetection",
    "HFInferenceTextToImage",
    "HFInferenceVideoClassification",
    "HFInferenceVisualQuestionAnswering",
    "HFInferenceZeroShotImageClassification",
    "HFInferenceZeroShotObjectDetection",
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


class HFInferenceZeroShotObjectDetection(HFInferenceBase, HFZeroShotObjectDetectionHelper):
    """Always JSON: the labels travel in ``parameters``; boxes for the labels found."""


class HFInferenceDepthEstimation(HFInferenceBase, HFDepthEstimationHelper):
    """The depth map as a base64 PNG with the raw prediction, returned as a DepthMap."""


class HFInferenceVideoClassification(HFInferenceBase, HFVideoClassificationHelper):
    """Labels with scores for a video clip."""
