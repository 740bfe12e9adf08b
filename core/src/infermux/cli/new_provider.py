"""``infermux new-provider NAME``: render the provider template into a new package folder.

The template (``contrib-providers/template`` in the repository) ships inside the core
wheel as ``infermux/_provider_template``; copier renders it and is imported only here
(``pip install 'infermux[template]'``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from infermux.cli.errors import CLIError

__all__ = ["new_provider_command", "template_path"]

_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def template_path() -> Path:
    """The provider template: the installed copy, else the repository's (editable installs)."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (
        package / "_provider_template",
        package.parents[2] / "contrib-providers" / "template",
    ):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise CLIError(
        "the provider template is not installed with this infermux; render it from a "
        "checkout of the infermux repository: copier copy contrib-providers/template DIR"
    )


def _core_requirement() -> str:
    """``>=0.X,<0.X+1`` for the running core: the minor versions the new package targets."""
    from packaging.version import Version

    from infermux import __version__

    version = Version(__version__)
    return f">={version.major}.{version.minor},<{version.major}.{version.minor + 1}"


def new_provider_command(args: argparse.Namespace) -> int:
    """Render the template for provider ``args.name`` into ``args.output``."""
    name: str = args.name
    if not _PROVIDER_ID.match(name):
        raise CLIError(
            f"invalid provider id {name!r}: use lowercase letters, digits and '-' "
            "(e.g. 'acme' or 'my-gateway')"
        )
    output = Path(args.output) if args.output else Path(f"infermux-{name}")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise CLIError(f"{output} already exists and is not empty; choose another --output")
    base_url: str | None = args.base_url
    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise CLIError(f"--base-url must be an http(s) URL, got {base_url!r}")
    try:
        import copier
    except ImportError:
        raise CLIError(
            "infermux new-provider needs copier: pip install copier (or the core's "
            "'template' extra)"
        ) from None
    key_url: str | None = args.key_url
    if key_url is not None and not key_url.startswith(("https://", "http://")):
        raise CLIError(f"--key-url must be an http(s) URL, got {key_url!r}")
    data: dict[str, Any] = {
        "provider_id": name,
        "core_requirement": _core_requirement(),
        "core_source": local_core_source() or "",
    }
    if base_url is not None:
        data["base_url"] = base_url.rstrip("/")
    if key_url is not None:
        data["key_url"] = key_url
    copier.run_copy(
        str(template_path()), str(output), data=data, defaults=True, quiet=True, unsafe=False
    )
    initialised = _git_init(output)
    module = f"infermux_{name.replace('-', '_')}"
    print(f"Created {output}/ (distribution infermux-{name}, module {module}). Next:")
    print(f"  cd {output}")
    print("  uv run --extra test pytest")
    if data["core_source"]:
        print(f"(infermux is not on PyPI yet: uv takes it from {data['core_source']})")
    if not initialised:
        print("(git was not found: run git init there yourself)")
    print("See the plugin-author guide for recording cassettes and publishing.")
    return 0


def local_core_source() -> str | None:
    """Where the running infermux was installed from, if that is a local folder or wheel.

    PEP 610's ``direct_url.json`` records it for ``pip install ./core``, editable installs
    and ``pip install dist/infermux-*.whl``; a package from an index has none. The rendered
    package's ``[tool.uv.sources]`` points there so it builds before infermux is on PyPI.
    """
    import json
    from importlib.metadata import PackageNotFoundError, distribution
    from urllib.parse import unquote, urlparse

    try:
        text = distribution("infermux").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not text:
        return None
    url = urlparse(json.loads(text).get("url", ""))
    if url.scheme != "file":
        return None
    path = Path(unquote(url.path))
    return str(path) if path.exists() else None


def _git_init(output: Path) -> bool:
    """``git init`` the new package (quietly); False when git is not installed."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return False
    subprocess.run([git, "init", "-q", str(output)], check=True)  # noqa: S603
    return True
