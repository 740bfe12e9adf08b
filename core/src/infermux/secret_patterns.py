"""What a credential looks like, for the checks that keep keys out of recorded traffic.

One definition for the conformance kit (``infermux.testing.conformance``), the cassette
hygiene test and ``scripts/import_recordings.py``:

- :data:`SECRET_PATTERNS`: credential-shaped strings by kind. The ``Bearer`` and ``Key``
  forms need 16+ token characters with a digit in them, so prose such as
  "Key characteristics" or ``Bearer realm="..."`` does not count.
- :data:`KEY_SHAPED`: text shaped like a key even inside a longer word (a Hub listing's
  "multitask-text-..." holds "sk-text-..."). Not a credential, but what naive secret
  scanners flag; :func:`scrub_key_shaped` replaces it at the same length, so a recorded
  body's Content-Length and the JSON around it stay valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["KEY_SHAPED", "SECRET_PATTERNS", "find_secrets", "scrub_key_shaped"]

SECRET_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "Hugging Face token": re.compile(r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}"),
    "Replicate token": re.compile(r"(?<![A-Za-z0-9])r8_[A-Za-z0-9]{20,}"),
    "OpenAI-style key": re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}"),
    "Groq key": re.compile(r"(?<![A-Za-z0-9])gsk_[A-Za-z0-9]{20,}"),
    "Bearer credential": re.compile(r"(?i)\bbearer\s+(?=[\w.~+/:-]*\d)[\w.~+/:-]{16,}"),
    "Key credential": re.compile(r"(?i)\bkey\s+(?=[\w.~+/:-]*\d)[\w.~+/:-]{16,}"),
}

KEY_SHAPED = re.compile(r"(?:sk-|hf_|r8_|gsk_)[A-Za-z0-9_-]{16,}")


def find_secrets(text: str) -> list[str]:
    """The kinds of credential found in ``text`` (keys of :data:`SECRET_PATTERNS`)."""
    return [label for label, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def scrub_key_shaped(text: str) -> str:
    """``text`` with key-shaped runs replaced by filler of the same length."""
    return KEY_SHAPED.sub(lambda match: "scrubbed".ljust(len(match.group(0)), "x"), text)
