"""What a credential looks like, for the checks that keep keys out of recorded traffic.

One definition for the conformance kit (``infermux.testing.conformance``), the cassette
hygiene test and ``scripts/import_recordings.py``:

- :data:`SECRET_PATTERNS`: credential-shaped strings by kind. The ``Bearer`` and ``Key``
  forms need 16+ token characters with a digit in them, so prose such as
  "Key characteristics" or ``Bearer realm="..."`` does not count.
- :func:`key_pattern`: every spelling of one known key a server may echo (any letter case,
  base64 alone, after its header prefix or as Basic credentials); used by the engine for
  errors and by the CLI for everything it prints.
- :data:`KEY_SHAPED`: text shaped like a key even inside a longer word (a Hub listing's
  "multitask-text-..." holds "sk-text-..."). Not a credential, but what naive secret
  scanners flag; :func:`scrub_key_shaped` replaces it at the same length, so a recorded
  body's Content-Length and the JSON around it stay valid.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping

__all__ = [
    "KEY_SHAPED",
    "SECRET_PATTERNS",
    "find_secrets",
    "key_pattern",
    "known_keys_pattern",
    "scrub_key_shaped",
]

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


def key_pattern(key: str, prefix: str = "") -> re.Pattern[str]:
    """Every spelling of ``key`` a server may echo: as it is in any letter case (an
    upper-cased header dump), and base64-encoded (standard or URL-safe, padded or not), alone
    or with the header's prefix (``Bearer <key>``) or as Basic credentials (``<key>:``)."""
    encoded: set[str] = set()
    for plain in {key, prefix + key, key + ":", ":" + key}:
        raw = plain.encode()
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(raw).decode()
            encoded.add(text)
            encoded.add(text.rstrip("="))
    # Longest first, so a padded form is replaced whole rather than leaving its "=".
    spellings = sorted(encoded, key=len, reverse=True)
    return re.compile(
        "(?i:" + re.escape(key) + ")|" + "|".join(re.escape(text) for text in spellings)
    )


def known_keys_pattern(keys: Iterable[str], prefix: str = "Bearer ") -> re.Pattern[str] | None:
    """One pattern for every spelling of each of ``keys`` (longest key first, so a key
    holding another is replaced whole); None when there is none."""
    ordered = sorted(set(keys), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(f"(?:{key_pattern(key, prefix).pattern})" for key in ordered))
