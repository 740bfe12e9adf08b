"""The presets: one plugin object per server of ``servers.toml`` (one entry point each)."""

from __future__ import annotations

from importlib.resources import files

from infermux.config import parse_config
from infermux_openai_compatible import EndpointsPlugin

__all__ = ["PRESETS", "llama_cpp", "lm_studio", "ollama", "tgi", "vllm"]

_SOURCE = files("infermux_openai_compatible") / "servers.toml"
_ENDPOINTS = {
    endpoint.name: endpoint
    for endpoint in parse_config(_SOURCE.read_text(encoding="utf-8"), str(_SOURCE)).endpoints
}

#: Provider id -> its plugin. Local servers: a key is sent only when its variable is set,
#: and a config file's table of the same name replaces the preset.
PRESETS = {
    name: EndpointsPlugin([endpoint], keys_optional=True, yield_to_config=True)
    for name, endpoint in _ENDPOINTS.items()
}

vllm = PRESETS["vllm"]
tgi = PRESETS["tgi"]
llama_cpp = PRESETS["llama-cpp"]
ollama = PRESETS["ollama"]
lm_studio = PRESETS["lm-studio"]
