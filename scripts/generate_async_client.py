"""Generate the async client modules from the sync ones.

The client methods are written once, in ``core/src/infermux/client/sync_*.py``; their
async twins (``async_*.py``) differ only mechanically (``async def``, ``await``, async
stream and base types). A test checks that the committed async modules are what this
script produces.

    python scripts/generate_async_client.py          # rewrite the files
    python scripts/generate_async_client.py --check  # exit 1 if any is stale
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CLIENT_DIR = Path(__file__).resolve().parents[1] / "core" / "src" / "infermux" / "client"
MODULES = ("client", "text_tasks", "media_tasks", "services")
PAIRS = [(CLIENT_DIR / f"sync_{m}.py", CLIENT_DIR / f"async_{m}.py") for m in MODULES]

# Order matters: longer, more specific patterns first.
REPLACEMENTS: list[tuple[str, str]] = [
    (r"the synchronous client", "the asynchronous client"),
    (r"The synchronous client", "The asynchronous client"),
    (r"infermux\.client\.sync_(\w+)", r"infermux.client.async_\1"),
    (r"\b(TextTasks|MediaTasks|Services)\b", r"Async\1"),
    (r"\bSyncClientBase\b", "AsyncClientBase"),
    (r"\bInferenceClient\b", "AsyncInferenceClient"),
    (r"\bhttpx2\.Client\b", "httpx2.AsyncClient"),
    (r"\bStream\[", "AsyncStream["),
    (r"\bParsedChatStream\[", "AsyncParsedChatStream["),
    (r"\bBatchResults\b", "AsyncBatchResults"),
    (r"for row in client\.batch\(", "async for row in await client.batch("),
    (r"import Stream\b", "import AsyncStream"),
    (r"_chat_alias import Chat\b", "_chat_alias import AsyncChat"),
    (r"self\.chat = Chat\(self\)", "self.chat = AsyncChat(self)"),
    (r"_responses import Responses\b", "_responses import AsyncResponses"),
    (r"self\.responses = Responses\(self\)", "self.responses = AsyncResponses(self)"),
    (r"(\n    )def (?!__init__)(\w+)\(", r"\1async def \2("),
    (r"return self\._run\(", "return await self._run("),
    (r"= self\._run\(", "= await self._run("),
    (r"return self\._chat\(", "return await self._chat("),
    (r"return self\._run_effects\(", "return await self._run_effects("),
    (r"self\._drive\(", "await self._drive("),
    (r"= self\.(feature_extraction|model_status)\(", r"= await self.\1("),
    (r"client = AsyncInferenceClient\(", "client = AsyncInferenceClient("),
    (r"out = client\.", "out = await client."),
    (r"for chunk in client\.", "async for chunk in await client."),
    (r"an ``httpx2\.Client``", "an ``httpx2.AsyncClient``"),
]


def _ruff(args: list[str], text: str, target: Path) -> str:
    """Run ruff on ``text`` as if it were ``target``, so the output is lint-clean."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(target), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _docstring(text: str, source: Path) -> str:
    """Keep the module docstring's first sentence; say the file is generated."""
    match = re.match(r'"""(.*?)"""', text, re.S)
    assert match, f"{source} has no module docstring"
    summary = match.group(1).split(". ")[0].rstrip(".")
    note = (
        f'"""{summary}.\n\nGENERATED from {source.name} by scripts/generate_async_client.py: '
        'do not edit\nby hand."""'
    )
    return note + text[match.end() :]


def render(source: Path, target: Path) -> str:
    text = _docstring(source.read_text(encoding="utf-8"), source)
    for pattern, replacement in REPLACEMENTS:
        text = re.sub(pattern, replacement, text)
    text = _ruff(["check", "--fix", "--select", "I", "--quiet", "--exit-zero"], text, target)
    return _ruff(["format", "--quiet"], text, target)


def main(argv: list[str]) -> int:
    stale = []
    for source, target in PAIRS:
        rendered = render(source, target)
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current == rendered:
            continue
        if "--check" in argv:
            stale.append(target)
        else:
            target.write_text(rendered, encoding="utf-8")
            print(f"wrote {target}")
    for target in stale:
        print(f"{target} is stale: run python scripts/generate_async_client.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
