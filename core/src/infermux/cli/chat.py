"""``infermux chat``: one message (from the arguments or stdin), or a chat session.

The session reads lines with readline (line editing, and a history kept in the user
config folder) and understands ``/exit``, ``/reset`` and ``/save FILE``; a saved file (a
JSON list of messages) is continued with ``--continue FILE``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infermux.cli.errors import CLIError
from infermux.cli.inputs import read_stdin, stdin_is_terminal

if TYPE_CHECKING:
    from infermux.client.sync_client import InferenceClient

__all__ = ["chat_command", "send"]

logger = logging.getLogger("infermux.cli")

Message = dict[str, Any]


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from infermux.cli.task_methods import decode_value

    json_output = getattr(args, "json", False)
    options: dict[str, Any] = {"model": args.model, "stream": args.stream and not json_output}
    for key, value in getattr(args, "params", []):
        if key in ("model", "stream", "messages"):
            raise CLIError(f"--param {key}=... is set by the chat command itself; drop it")
        options[key] = decode_value(value)
    if args.max_tokens is not None:
        options["max_tokens"] = args.max_tokens
    if args.temperature is not None:
        options["temperature"] = args.temperature
    if getattr(args, "responses", False):
        # --responses sends what it maps itself; refuse the rest rather than drop it.
        unsupported = [
            name
            for name, given in (
                ("--json", json_output),
                ("--param", bool(getattr(args, "params", []))),
            )
            if given
        ]
        if unsupported:
            raise CLIError(f"{' and '.join(unsupported)} do not apply to --responses yet")
        options["responses"] = True
    return options


def send(client: InferenceClient, messages: list[Message], options: dict[str, Any]) -> str:
    """Send the conversation, print the reply as it arrives, and return its text."""
    if options.get("responses"):
        from infermux.cli.responses_chat import send_responses

        return send_responses(client, messages, options)
    out = sys.stdout
    if options.pop("json_output", False):
        from infermux.cli.output import dumps, to_jsonable

        answer: Any = client.chat_completion(messages, **options)
        out.write(dumps(to_jsonable(answer), pretty=False) + "\n")
        out.flush()
        return (answer.choices[0].message.content or "") if answer.choices else ""
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


def load_conversation(path: str) -> list[Message]:
    """Messages saved by ``/save`` (a JSON list of {"role", "content"} objects)."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CLIError(f"--continue {path}: cannot read it ({exc.strerror})") from None
    except ValueError:
        raise CLIError(f"--continue {path}: not JSON (expected what /save writes)") from None
    if not isinstance(data, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and "content" in m for m in data
    ):
        raise CLIError(f"--continue {path}: expected a JSON list of {{role, content}} messages")
    return data


def save_conversation(path: str, history: list[Message]) -> None:
    import json

    Path(path).write_text(json.dumps(history, indent=2, ensure_ascii=False) + "\n", "utf-8")


def _readline_input() -> Callable[[str], str]:
    """``input`` with readline's line editing and a history file, where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input
        return input
    from infermux.keystore import keys_path

    history = keys_path().parent / "chat_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)

    def read(prompt: str) -> str:
        line = input(prompt)
        try:
            history.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            readline.write_history_file(history)
        except OSError:
            pass
        return line

    return read


_HELP = "/exit quits, /reset starts over, /save FILE keeps the conversation (Ctrl-D quits too)"


def session(
    client: InferenceClient,
    args: argparse.Namespace,
    read: Callable[[str], str] = input,
    history: list[Message] | None = None,
) -> int:
    """Read a line, stream the answer, keep the history; until EOF or ``/exit``."""
    from infermux.errors import ProviderHTTPError, StreamError, TransportError

    start = history if history is not None else _system(args)
    history = list(start)
    options = _options(args)
    print(f"Chatting with {args.model} ({args.provider or 'auto'}). {_HELP}.", file=sys.stderr)
    while True:
        try:
            line = read("> ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        command, _, argument = line.strip().partition(" ")
        if command in ("/exit", "/quit"):
            return 0
        if command == "/reset":
            history = _system(args)
            print("(conversation reset)", file=sys.stderr)
            continue
        if command == "/save":
            if not argument.strip():
                print("usage: /save FILE", file=sys.stderr)
                continue
            try:
                save_conversation(argument.strip(), history)
            except OSError as exc:
                print(f"error: cannot write {argument.strip()}: {exc.strerror}", file=sys.stderr)
                continue
            print(
                f"(saved {len(history)} messages to {argument.strip()}; continue with "
                f"--continue {argument.strip()})",
                file=sys.stderr,
            )
            continue
        if command.startswith("/") and command not in ("/",):
            print(f"unknown command {command}: {_HELP}", file=sys.stderr)
            continue
        if not line.strip():
            continue
        turn = [*history, {"role": "user", "content": line}]
        try:
            reply = send(client, turn, dict(options))
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
    previous = load_conversation(args.continue_from) if args.continue_from else None
    options = _options(args)
    if args.json:
        options["json_output"] = True
    with make_client(args) as client:
        if interactive:
            return session(client, args, _readline_input(), previous)
        messages = previous if previous is not None else _system(args)
        send(client, [*messages, {"role": "user", "content": text}], options)
    return 0
