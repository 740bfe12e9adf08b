"""Ship the provider template and the demo's recordings inside the core package.

``infermux new-provider`` renders the template (``contrib-providers/template``) from
``infermux/_provider_template``; ``infermux demo`` replays its few cassettes from
``infermux/_demo_cassettes`` when no ``cassettes/`` folder of a checkout is at hand. Built
from the repository, the wheel and the sdist copy both from beside ``core/``; a wheel built
from the sdist finds them already under ``src/infermux/``. Editable installs read the
repository's copies directly (see ``infermux.cli.new_provider`` and ``infermux.cli.demo``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TEMPLATE = Path("..") / "contrib-providers" / "template"
CASSETTES = Path("..") / "cassettes"
#: The demo's recordings (kept equal to ``infermux.cli.demo.CASSETTES`` by
#: tests/test_cli.py), with the licence and provenance of the recorded traffic.
DEMO_FILES = (
    "together/chat_completion_stream.yaml",
    "hf-inference/legacy/feature_extraction_sentence_transformers.yaml",
    "together/text_to_image.yaml",
    "together/PROVENANCE.md",
    "hf-inference/legacy/PROVENANCE.md",
    "LICENSE-Apache-2.0.txt",
)


class ProviderTemplateHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        prefix = {"wheel": "infermux", "sdist": "src/infermux"}.get(self.target_name)
        if prefix is None:
            return
        template = Path(self.root) / TEMPLATE
        if template.is_dir():
            build_data["force_include"][str(template.resolve())] = f"{prefix}/_provider_template"
        cassettes = Path(self.root) / CASSETTES
        for name in DEMO_FILES:
            source = cassettes / name
            if source.is_file():
                build_data["force_include"][str(source.resolve())] = (
                    f"{prefix}/_demo_cassettes/{name}"
                )
