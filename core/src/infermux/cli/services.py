"""``infermux embed-chunks`` and ``infermux request``: the client's methods beyond tasks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from infermux.cli.client import make_client
from infermux.cli.errors import CLIError
from infermux.cli.output import dumps

__all__ = ["embed_chunks_command", "request_command"]


def _read_text(args: argparse.Namespace) -> str:
    if args.input_file:
        try:
            return Path(args.input_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CLIError(
                f"cannot read --input-file {args.input_file}: {exc.strerror or exc}"
            ) from None
    if args.text:
        return " ".join(args.text)
    if not sys.stdin.isatty():
        return sys.stdin.read()
    raise CLIError("give the text as arguments, with --input-file PATH, or on stdin")


def embed_chunks_command(args: argparse.Namespace) -> int:
    """Chunk a long text and embed every chunk; one JSON line per chunk with its offsets."""
    client = make_client(args)
    chunks = client.embed_chunks(
        _read_text(args),
        model=args.model,
        strategy=args.strategy,
        max_chunk_size=args.max_chunk_size,
        overlap=args.overlap,
        sentence_overlap=args.sentence_overlap,
    )
    for chunk in chunks:
        print(
            dumps(
                {
                    "start": chunk.start,
                    "end": chunk.end,
                    "text": chunk.text,
                    "embedding": chunk.embedding if args.vectors else len(chunk.embedding),
                },
                pretty=False,
            )
        )
    return 0


def request_command(args: argparse.Namespace) -> int:
    """Send a request of your own shape through a provider's routing, auth and retries."""
    body = None
    if args.json_body is not None:
        try:
            body = json.loads(args.json_body)
        except ValueError as exc:
            raise CLIError(f"--json-body is not valid JSON: {exc}") from None
    client = make_client(args)
    if args.stream:
        for item in client.stream_request(args.path, provider=args.provider, json=body):
            print(item if isinstance(item, str) else dumps(item, pretty=False), flush=True)
        return 0
    result = client.request(args.path, provider=args.provider, method=args.method, json=body)
    if isinstance(result, bytes):
        sys.stdout.buffer.write(result)
        return 0
    print(dumps(result, pretty=True))
    return 0
