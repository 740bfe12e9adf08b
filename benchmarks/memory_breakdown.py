"""Where a client's memory goes, next to a reference client: the memory workload under
tracemalloc, with each module's own import cost.

    python benchmarks/memory_breakdown.py                      # infermux vs the pydantic floor
    python benchmarks/memory_breakdown.py --client infermux --reference httpx2 --top 40

Each client runs in a fresh process of the running interpreter, against the benchmarks'
local server, doing what ``workloads.py --measure pymemory`` does (calls, one stream, a
round of concurrent async calls). Python's heap is measured, not RSS: it is what imports
and objects cost, without the allocator's slack or shared libraries. A module's *own*
cost is what executing its body allocated (code objects, classes, dataclass methods,
pydantic schemas built at import), minus the modules it imported meanwhile.

This is how the cold-start memory of issue 19 was analysed: nearly all of what infermux
keeps beyond the floor is its own modules (no objects grow per call), so saving memory
means importing less (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CLIENT_LABELS, Server, _child_env  # noqa: E402 - the directory is the path

#: What a child process runs: the memory workload with each module's import cost recorded.
CHILD = r"""
import asyncio, gc, importlib.machinery, json, sys, tracemalloc
sys.path.insert(0, {here!r})
tracemalloc.start()
own, stack = {{}}, []
execute = importlib.machinery.SourceFileLoader.exec_module

def exec_module(self, module):
    stack.append(0)
    before = tracemalloc.get_traced_memory()[0]
    try:
        return execute(self, module)
    finally:
        inclusive = tracemalloc.get_traced_memory()[0] - before
        own[module.__name__] = inclusive - stack.pop()
        if stack:
            stack[-1] += inclusive

importlib.machinery.SourceFileLoader.exec_module = exec_module
import workloads

client = workloads.CLIENTS[{client!r}]({url!r})
for _ in range({calls}):
    client.call()
client.stream()

async def concurrent():
    try:
        await asyncio.gather(*(client.acall() for _ in range(64)))
    finally:
        await client.aclose()

asyncio.run(concurrent())
gc.collect()
current, peak = tracemalloc.get_traced_memory()
print(json.dumps({{"current": current, "peak": peak, "own": own}}))
"""


def measure(client: str, url: str, calls: int) -> dict[str, Any]:
    code = CHILD.format(here=str(HERE), client=client, url=url, calls=calls)
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=600,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(client: str, reference: str, results: dict[str, dict[str, Any]], top: int) -> str:
    mine, floor = results[client], results[reference]
    mib = 2**20
    lines = [
        f"{'':34}{'peak MiB':>10}{'end MiB':>10}{'modules':>9}",
        *(
            f"{CLIENT_LABELS.get(name, name):34}{r['peak'] / mib:10.2f}{r['current'] / mib:10.2f}"
            f"{len(r['own']):9d}"
            for name, r in ((reference, floor), (client, mine))
        ),
        f"ratio (peak): {mine['peak'] / floor['peak']:.2f}x",
        "",
    ]
    extra = {name: size for name, size in mine["own"].items() if name not in floor["own"]}
    lines.append(
        f"{len(extra)} modules only {client} imports, {sum(extra.values()) / mib:.2f} MiB "
        f"of their own; the largest {min(top, len(extra))}:"
    )
    for name, size in sorted(extra.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"  {size / 1024:8.0f} KiB  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", default="infermux", choices=sorted(CLIENT_LABELS))
    parser.add_argument("--reference", default="httpx2_pydantic", choices=sorted(CLIENT_LABELS))
    parser.add_argument("--calls", type=int, default=200, help="sync calls before the stream")
    parser.add_argument("--top", type=int, default=25, help="modules listed")
    args = parser.parse_args(argv)
    server = Server(sys.executable, chunks=2000, max_seconds=600)
    try:
        results = {
            name: measure(name, server.url, args.calls) for name in (args.reference, args.client)
        }
    finally:
        server.stop()
    print(report(args.client, args.reference, results, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
