"""Fixtures and settings of the reliability tests.

The core tests' scripted server on 127.0.0.1 is reused as it is (see
``tests/core/conftest.py``): ``kind`` runs a test on the sync and the async client,
``local_server`` is a scripted threaded server that records every request,
``local_registry`` a registry holding only ``local``, an OpenAI-compatible provider
pointing at it.

Hypothesis runs deterministically (``derandomize=True``, no example database), with a
bounded number of examples so ``test_fuzz.py`` stays under 30 s on two cores. For a longer
hunt: ``INFERMUX_FUZZ_PROFILE=deep uv run pytest tests/reliability/test_fuzz.py``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

from tests.core.conftest import _module_server, kind, local_registry, local_server

__all__ = ["_module_server", "kind", "local_registry", "local_server"]

settings.register_profile(
    "reliability",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", settings.get_profile("reliability"), max_examples=1500)
# Finds as many distinct failures as it can, fast: no shrinking of what it finds.
settings.register_profile(
    "explore",
    settings.get_profile("reliability"),
    max_examples=600,
    phases=[Phase.explicit, Phase.generate],
)
settings.load_profile(os.environ.get("INFERMUX_FUZZ_PROFILE", "reliability"))
