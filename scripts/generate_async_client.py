"""Generate core/src/infermux/client/async_client.py from sync_client.py.

The task methods are written once, in the sync client; their async twins differ only
mechanically (``async def``, ``await``, async stream and base types). A test checks that
the committed async client is what this script produces.

    python scripts/generate_async_client.py          # rewrite the file
    python scripts/generate_async_client.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CLIENT_DIR = Path(__file__).resolve().parents[1] / "core" / "src" / "infermux" / "client"
SOURCE = CLIENT_DIR / "sync_client.py"
TARGET = CLIENT_DIR / "async_client.py"

# Order matters: longer, more specific patterns first.
REPLACEMENTS: list[tuple[str, str]] = [
    (
        r'"""The synchronous client\. ``async_client\.py`` is generated from this file:\n'
        r'run ``python scripts/generate_async_client\.py`` after editing it\."""',
        '"""The asynchronous client. GENERATED from sync_client.py by\n'
        'scripts/generate_async_client.py: do not edit by hand."""',
    ),
    (r"\bSyncClientBase\b", "AsyncClientBase"),
    (r"\bInferenceClient\b", "AsyncInferenceClient"),
    (r"\bhttpx2\.Client\b", "httpx2.AsyncClient"),
    (r"\bStream\[", "AsyncStream["),
    (r"import Stream\b", "import AsyncStream"),
    (r"_chat_alias import Chat\b", "_chat_alias import AsyncChat"),
    (r"self\.chat = Chat\(self\)", "self.chat = AsyncChat(self)"),
    (r"(\n    )def (?!__init__)(\w+)\(", r"\1async def \2("),
    (r"return self\._run\(", "return await self._run("),
    (r"return self\._run_effects\(", "return await self._run_effects("),
    (r"self\._drive\(", "await self._drive("),
    (r"= self\.(feature_extraction|model_status)\(", r"= await self.\1("),
    (r"client = AsyncInferenceClient\(", "client = AsyncInferenceClient("),
    (r"out = client\.", "out = await client."),
    (r"for chunk in client\.", "async for chunk in await client."),
    (r"an ``httpx2\.Client``", "an ``httpx2.AsyncClient``"),
]


def _ruff(args: list[str], text: str) -> str:
    """Run ruff on ``text`` as if it were the target file, so the output is lint-clean."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def render() -> str:
    text = SOURCE.read_text(encoding="utf-8")
    for pattern, replacement in REPLACEMENTS:
        text = re.sub(pattern, replacement, text)
    text = _ruff(["check", "--fix", "--select", "I", "--quiet", "--exit-zero"], text)
    return _ruff(["format", "--quiet"], text)


def main(argv: list[str]) -> int:
    rendered = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != rendered:
            print(f"{TARGET} is stale: run python scripts/generate_async_client.py")
            return 1
        return 0
    TARGET.write_text(rendered, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
