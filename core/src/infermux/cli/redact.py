"""Keep keys out of everything the CLI prints: error messages, warnings and logs.

The CLI collects every secret it can know of (``--api-key`` values, key-like environment
variables, the saved Hugging Face token) and replaces them with ``<redacted>`` in any
text it writes to stderr, including ``--verbose`` logging. Logs also lose the signatures of
signed URLs (S3/GCS presigned downloads, CDN tokens a provider returns for its outputs):
the URL stays readable, the query value that grants access becomes ``<redacted>``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TextIO

from infermux.secret_patterns import known_keys_pattern

__all__ = ["REDACTED", "Redactor", "redact_signed_urls", "verbose_logging"]

REDACTED = "<redacted>"

# Shorter values are not treated as secrets: redacting "1" or "yes" would mangle output.
_MIN_SECRET_LENGTH = 8
# Environment values are only guessed to be keys by their name; real keys are long, and a
# short value such as FOO_KEY=together must not hide the word "together" everywhere.
_MIN_ENV_SECRET_LENGTH = 16
_SECRET_SUFFIXES = ("_API_KEY", "_TOKEN", "_KEY", "_SECRET")
_KEY_OPTION = "--api-key"

#: Query parameters that grant access to a signed URL (AWS SigV4 and CloudFront, Google
#: Cloud Storage, Azure SAS, and the generic token/signature names CDNs use).
_SIGNED_QUERY = re.compile(
    r"([?&](?:x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|"
    r"x-goog-credential|signature|sig|policy|key-pair-id|token|access_token|auth|"
    r"expires_signature|hmac)=)[^&#\s\"'<>]+",
    re.IGNORECASE,
)


def redact_signed_urls(text: str) -> str:
    """``...?X-Amz-Signature=abc&x=1`` -> ``...?X-Amz-Signature=<redacted>&x=1``."""
    return _SIGNED_QUERY.sub(lambda match: match.group(1) + REDACTED, text)


class Redactor:
    """Replaces known secrets in text; call it: ``redact("... hf_abc ...")``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None, *, min_length: int = _MIN_SECRET_LENGTH) -> None:
        if secret and len(secret.strip()) >= min_length:
            self._secrets.add(secret.strip())
            self._pattern = None  # rebuilt on next use

    def __call__(self, text: str) -> str:
        # Every spelling a server may echo (upper-cased header dumps, base64 in Basic
        # credentials), as the engine redacts errors: secret_patterns.key_pattern.
        if self._pattern is None:
            self._pattern = known_keys_pattern(self._secrets)
        return text if self._pattern is None else self._pattern.sub(REDACTED, text)

    @classmethod
    def from_invocation(
        cls, argv: Sequence[str], environ: Mapping[str, str] | None = None
    ) -> Redactor:
        """Secrets from the command line (``--api-key K`` / ``--api-key=K``) and environment."""
        redactor = cls()
        for index, arg in enumerate(argv):
            if arg == _KEY_OPTION and index + 1 < len(argv):
                redactor.add(argv[index + 1])
            elif arg.startswith(_KEY_OPTION + "="):
                redactor.add(arg.partition("=")[2])
        env = os.environ if environ is None else environ
        for name, value in env.items():
            if name.upper().endswith(_SECRET_SUFFIXES):
                redactor.add(value, min_length=_MIN_ENV_SECRET_LENGTH)
        return redactor


class _RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, redact: Redactor) -> None:
        super().__init__(fmt)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return redact_signed_urls(self._redact(super().format(record)))


#: Loggers the CLI shows: the library's own, then the HTTP stack at -vv.
_LOGGERS = {1: ("infermux", "httpx2"), 2: ("infermux", "httpx2", "httpcore2")}


@contextmanager
def verbose_logging(
    verbosity: int, redact: Redactor, stream: TextIO | None = None
) -> Iterator[None]:
    """Route library logs to stderr, redacted, for the duration of one command.

    0: warnings from infermux only; 1 (``-v``): info from infermux and httpx2;
    2+ (``-vv``): debug, including httpcore2.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    if verbosity <= 0:
        names: tuple[str, ...] = ("infermux",)
        level = logging.WARNING
        handler.setFormatter(_RedactingFormatter("%(levelname)s: %(message)s", redact))
    else:
        names = _LOGGERS[min(verbosity, 2)]
        level = logging.INFO if verbosity == 1 else logging.DEBUG
        handler.setFormatter(_RedactingFormatter("%(levelname)s %(name)s: %(message)s", redact))
    saved: list[tuple[logging.Logger, int, bool]] = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(level)
        logger.addHandler(handler)
        # Our handler prints it; a root handler would print it again, unredacted.
        logger.propagate = False
    try:
        yield
    finally:
        for logger, old_level, old_propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate
