"""Audio: speech recognition, classification, source separation, speech synthesis and audio
generation (the core's task API helpers on the model's route)."""

from __future__ import annotations

from infermux.helpers.hf import (
    HFAudioClassificationHelper,
    HFAudioToAudioHelper,
    HFAutomaticSpeechRecognitionHelper,
    HFTextToAudioHelper,
    HFTextToSpeechHelper,
)
from infermux_hf_inference._common import HFInferenceBase

__all__ = [
    "HFInferenceAudioClassification",
    "HFInferenceAudioToAudio",
    "HFInferenceAutomaticSpeechRecognition",
    "HFInferenceTextToAudio",
    "HFInferenceTextToSpeech",
]


class HFInferenceAutomaticSpeechRecognition(HFInferenceBase, HFAutomaticSpeechRecognitionHelper):
    """The audio file as the body, in its own format (FLAC, WAV, MP3 ...); ``{"text"}`` back."""


class HFInferenceAudioClassification(HFInferenceBase, HFAudioClassificationHelper):
    """Labels with scores for an audio clip."""


class HFInferenceAudioToAudio(HFInferenceBase, HFAudioToAudioHelper):
    """Source separation / enhancement: one labelled audio output per source."""


class HFInferenceTextToSpeech(HFInferenceBase, HFTextToSpeechHelper):
    """The answer is the audio itself (FLAC or WAV bytes)."""

    paid_per_call = True  # billed by compute time, which a resend would spend again


class HFInferenceTextToAudio(HFInferenceBase, HFTextToAudioHelper):
    """Music or sound from a prompt; the answer is the audio itself."""

    paid_per_call = True  # a generation billed by compute time, as text-to-speech
