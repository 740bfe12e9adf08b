"""Cold start to a first answer in CPU instructions (valgrind's callgrind), not seconds.

    python benchmarks/cold_start_instructions.py                 # raw httpx2, the floor, infermux
    python benchmarks/cold_start_instructions.py --clients httpx2,infermux

``run.py``'s "cold start to a first answer" row times a fresh interpreter in seconds, which
moves by 20 to 50% on a shared two-core machine. An instruction count does not: callgrind
counts the instructions the process executes, the same for the same interpreter, files and
inputs whatever else the machine is doing. So this is how a change to the cold start is
judged here (issue 19), in ratios to raw httpx2 as every benchmark row is.

Each client runs what ``run.py``'s first-call measure runs (import, build the client, one
chat call to the local server) in a fresh interpreter under callgrind; the same script
stopping before the client's import is subtracted, so a count starts where the timed
measure starts. For infermux the count is split into stages (the import of the client, its
construction, the first call), and the classes each client creates are counted: a frozen
dataclass costs CPython 3.11 about four million instructions to create (it compiles each
generated method), a pydantic model about one million.

``--per-call`` also counts the instructions of one sync chat call once warm (the
difference between 600 and 100 calls, over 500): ``run.py``'s "client CPU per sync chat
call" row without the timing noise. (It counts the instructions the process executes, not
the cycles they take: cache misses and the kernel's time for system calls are not in it.)

It needs ``valgrind`` (Debian's package); it takes about 15 s per client (a minute more
with ``--per-call``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CLIENT_LABELS, Server, _child_env  # noqa: E402 - the directory is the path

#: The first-call script of ``run.py``, cut at ``STAGE``: 0 stops before the client's import,
#: 1 after its import, 2 after building the client, 3 after the first answer. (The classes
#: created are counted in a run of their own, ``COUNT_CLASSES``, so that wrapping them costs
#: nothing here.)
CHILD = r"""
import sys
sys.path.insert(0, {here!r})
from workloads import CLIENTS
STAGE = {stage}
if STAGE >= 1:
    import importlib
    module = {module!r}
    if module:
        importlib.import_module(module)
if STAGE >= 2:
    client = CLIENTS[{client!r}]({url!r})
if STAGE >= 3:
    client.call()
"""

#: The module whose import is the client's "import" stage (its construction imports the rest).
#: The clients that run in the workspace's own environment (the peers have their own, see
#: ``run.py``; their cold start is in its table).
CLIENT_MODULES = {
    "httpx2": "httpx2",
    "httpx2_pydantic": "pydantic",
    "infermux": "infermux.client.sync_client",
}

COUNT_CLASSES = r"""
import dataclasses, json, sys
sys.path.insert(0, {here!r})
made = {{"dataclasses": 0, "pydantic models": 0}}
process = dataclasses._process_class
def counted(cls, *args, **kwargs):
    made["dataclasses"] += 1
    return process(cls, *args, **kwargs)
dataclasses._process_class = counted
try:
    from pydantic._internal import _model_construction
    meta = _model_construction.ModelMetaclass
    new = meta.__new__
    def counted_model(mcs, *args, **kwargs):
        made["pydantic models"] += 1
        return new(mcs, *args, **kwargs)
    meta.__new__ = counted_model
except ImportError:
    pass
from workloads import CLIENTS
CLIENTS[{client!r}]({url!r}).call()
print(json.dumps(made))
"""

#: ``CALLS`` sync chat calls after the client is built (for the per-call count).
CALLS_CHILD = r"""
import sys
sys.path.insert(0, {here!r})
from workloads import CLIENTS
client = CLIENTS[{client!r}]({url!r})
for _ in range({calls}):
    client.call()
"""
#: The two call counts whose difference, divided, is one warm call.
PER_CALL_COUNTS = (100, 600)

_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(code: str) -> int:
    """Instructions a fresh interpreter executes running ``code``."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError("valgrind is not installed (Debian: apt-get install valgrind)")
    done = subprocess.run(  # noqa: S603 - valgrind on our own script
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=600,
        check=True,
    )
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def classes_created(client: str, url: str) -> dict[str, int]:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", COUNT_CLASSES.format(here=str(HERE), client=client, url=url)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=300,
        check=True,
    )
    counts: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return counts


def per_call(client: str, url: str) -> int:
    """Instructions of one warm sync chat call: what ``many`` calls cost over ``few``."""
    few, many = (
        instructions(CALLS_CHILD.format(here=str(HERE), client=client, url=url, calls=calls))
        for calls in PER_CALL_COUNTS
    )
    return round((many - few) / (PER_CALL_COUNTS[1] - PER_CALL_COUNTS[0]))


def measure(client: str, url: str, stages: bool, calls: bool = False) -> dict[str, Any]:
    def at(stage: int) -> int:
        code = CHILD.format(
            here=str(HERE),
            stage=stage,
            module=CLIENT_MODULES.get(client, ""),
            client=client,
            url=url,
        )
        return instructions(code)

    start = at(0)
    counts = {"total": at(3) - start}
    if stages:
        imported, built = at(1) - start, at(2) - start
        counts.update(
            {
                "import": imported,
                "construct": built - imported,
                "first call": counts["total"] - built,
            }
        )
    result: dict[str, Any] = {"instructions": counts, "classes": classes_created(client, url)}
    if calls:
        result["per call"] = per_call(client, url)
    return result


def report(results: dict[str, dict[str, Any]]) -> str:
    base = results["httpx2"]["instructions"]["total"] if "httpx2" in results else None
    lines = [
        "| client | instructions to a first answer (millions) | ratio to raw httpx2 | "
        "dataclasses created | pydantic models created |",
        "|---|---|---|---|---|",
    ]
    for client, result in results.items():
        total = result["instructions"]["total"]
        ratio = f"{total / base:.2f}x" if base else "-"
        made = result["classes"]
        lines.append(
            f"| {CLIENT_LABELS[client]} | {total / 1e6:,.0f} | {ratio} | "
            f"{made['dataclasses']} | {made['pydantic models']} |"
        )
    if all("per call" in result for result in results.values()):
        lines += [
            "",
            "| client | instructions per warm sync chat call (thousands) | ratio to raw httpx2 |",
            "|---|---|---|",
        ]
        unit = results["httpx2"]["per call"] if "httpx2" in results else None
        for client, result in results.items():
            ratio = f"{result['per call'] / unit:.2f}x" if unit else "-"
            lines.append(f"| {CLIENT_LABELS[client]} | {result['per call'] / 1e3:,.0f} | {ratio} |")
    for client, result in results.items():
        stages = {k: v for k, v in result["instructions"].items() if k != "total"}
        if stages:
            shown = ", ".join(f"{name} {value / 1e6:,.0f} M" for name, value in stages.items())
            lines.append(f"\n{CLIENT_LABELS[client]} by stage: {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="httpx2,httpx2_pydantic,infermux")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--per-call", action="store_true", help="also count one warm sync chat call"
    )
    args = parser.parse_args(argv)
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    unknown = sorted(set(clients) - set(CLIENT_MODULES))
    if unknown:
        parser.error(f"unknown clients {unknown}; choose from {sorted(CLIENT_MODULES)}")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    server = Server(sys.executable, chunks=10, max_seconds=1800)
    try:
        results = {
            client: measure(client, server.url, stages=client == "infermux", calls=args.per_call)
            for client in clients
        }
    finally:
        server.stop()
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
