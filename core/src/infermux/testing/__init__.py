"""The offline test kit: cassette replay with secrets scrubbed, temporary plugins, and the
conformance suite every provider package runs against its own helpers.

Needs the ``testing`` extra: ``pip install 'infermux[testing]'``.
"""

from __future__ import annotations

from infermux.testing.clock import FakeClock
from infermux.testing.plugins import temporary_plugin
from infermux.testing.vcr import SECRET_HEADERS, cassette, scrub_headers, vcr_config

__all__ = [
    "SECRET_HEADERS",
    "FakeClock",
    "cassette",
    "scrub_headers",
    "temporary_plugin",
    "vcr_config",
]
