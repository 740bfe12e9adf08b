"""Ship the provider template (``contrib-providers/template``) inside the core package.

``infermux new-provider`` renders it from ``infermux/_provider_template``. Built from the
repository, the wheel and the sdist copy it from beside ``core/``; a wheel built from the
sdist finds it already under ``src/infermux/``. Editable installs read the repository's
copy directly (see ``infermux.cli.new_provider``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TEMPLATE = Path("..") / "contrib-providers" / "template"


class ProviderTemplateHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        source = Path(self.root) / TEMPLATE
        if version == "editable" or not source.is_dir():
            return
        target = {
            "wheel": "infermux/_provider_template",
            "sdist": "src/infermux/_provider_template",
        }
        if self.target_name in target:
            build_data["force_include"][str(source.resolve())] = target[self.target_name]
