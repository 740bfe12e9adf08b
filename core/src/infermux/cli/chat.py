"""``infermux chat``: one message (from the arguments or stdin), or a chat session."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

from infermux.cli.errors import CLIError
from infermux.cli.inputs import read_stdin, stdin_is_terminal

if TYPE_CHECKING:
    from infermux.client.sync_client import InferenceClient

__all__ = ["chat_command", "send"]

logger = logging.getLogger("infermux.cli")

Message = dict[str, Any]


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"model": args.model, "stream": args.stream}
    if args.max_tokens is not None:
        options["max_tokens"] = args.max_tokens
    if args.temperature is not None:
        options["temperature"] = args.temperature
    if getattr(args, "responses", False):
        options["responses"] = True
    return options


def send(client: InferenceClient, messages: list[Message], options: dict[str, Any]) -> str:
    """Send the conversation, print the reply as it arrives, and return its text."""
    if options.get("responses"):
        from infermux.cli.responses_chat import send_responses

        return send_responses(client, messages, options)
    out = sys.stdout
    if not options.get("stream", True):
        result: Any = client.chat_completion(messages, **options)
        text = (result.choices[0].message.content or "") if result.choices else ""
        logger.info("answered by model %s", result.model)
        out.write(text + "\n")
        out.flush()
        return text
    stream: Any = client.chat_completion(messages, **options)
    parts: list[str] = []
    served_by: str | None = None
    with stream:
        for chunk in stream:
            served_by = served_by or chunk.model
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta.content
            if delta:
                parts.append(delta)
                out.write(delta)
                out.flush()
    out.write("\n")
    out.flush()
    logger.info("answered by %s, model %s", stream.provider, served_by)
    return "".join(parts)


def _system(args: argparse.Namespace) -> list[Message]:
    return [{"role": "system", "content": args.system}] if args.system else []


def _session(client: InferenceClient, args: argparse.Namespace) -> int:
    """Read a line, stream the answer, keep the history; until EOF."""
    from infermux.errors import ProviderHTTPError, StreamError, TransportError

    history = _system(args)
    options = _options(args)
    print(
        f"Chatting with {args.model} ({args.provider or 'auto'}). "
        "Ctrl-D to quit, Ctrl-C to stop an answer.",
        file=sys.stderr,
    )
    while True:
        try:
            line = input("> ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        if not line.strip():
            continue
        turn = [*history, {"role": "user", "content": line}]
        try:
            reply = send(client, turn, options)
        except KeyboardInterrupt:
            print("\n(stopped)", file=sys.stderr)
            continue
        except (ProviderHTTPError, StreamError, TransportError) as exc:
            # The provider failed this turn; the session (and its history) goes on.
            print(f"error: {exc}", file=sys.stderr)
            continue
        history = [*turn, {"role": "assistant", "content": reply}]


def chat_command(args: argparse.Namespace) -> int:
    from infermux.cli.client import make_client

    text = " ".join(args.message)
    interactive = not text and stdin_is_terminal()
    if not text and not interactive:
        text = str(read_stdin()).strip()
        if not text:
            raise CLIError("no message: pass it as arguments or on stdin")
    with make_client(args) as client:
        if interactive:
            return _session(client, args)
        send(client, [*_system(args), {"role": "user", "content": text}], _options(args))
    return 0
