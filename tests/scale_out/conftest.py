"""Ray and Dask clusters for the scale-out tests: one per test module, on 127.0.0.1.

Ray would otherwise notice it runs under ``uv run`` and rebuild the environment in every
worker (slow, and it needs the network); the workers use this interpreter as it is.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# On a loaded 2-core machine the node's agents can take longer to start than Ray's default
# waits; a slow start is not a failure here.
os.environ.setdefault("RAY_agent_register_timeout_ms", "180000")

#: The key the workers get through their environment; the driver never holds it.
SECRET = "sk-scaleout-" + "s3cr3t" * 4
KEY_ENV = "INFERMUX_STUB_KEY"


def stub_endpoint(url: str) -> dict[str, object]:
    """The local stub as an in-house provider that needs a key (so a missing key shows)."""
    return {
        "name": "stub",
        "base_url": url,
        "api_key_env": KEY_ENV,
        "tasks": ["conversational", "feature-extraction", "text-to-image"],
    }
