"""Fixtures of the reliability tests: the core tests' scripted server on 127.0.0.1.

Reused as they are (see ``tests/core/conftest.py``): ``kind`` runs a test on the sync and
the async client, ``local_server`` is a scripted threaded server that records every
request, ``local_registry`` a registry holding only ``local``, an OpenAI-compatible
provider pointing at it.
"""

from __future__ import annotations

from tests.core.conftest import _module_server, kind, local_registry, local_server

__all__ = ["_module_server", "kind", "local_registry", "local_server"]
