"""The argument parser: every command, option and example of ``infermux``.

Building it imports only argparse; each command's module is imported when it runs.
"""

from __future__ import annotations

import argparse

from infermux import __version__

__all__ = ["COMMANDS", "build_parser", "parse_args", "parse_param"]

#: Command name -> (module under ``infermux.cli``, function in it).
COMMANDS: dict[str, tuple[str, str]] = {
    "providers": ("listing", "providers_command"),
    "plugins": ("listing", "plugins_command"),
    "chat": ("chat", "chat_command"),
    "run": ("run", "run_command"),
    "demo": ("demo", "demo_command"),
    "models": ("models", "models_command"),
    "aliases": ("aliases", "aliases_command"),
    "new-provider": ("new_provider", "new_provider_command"),
    "embed-chunks": ("services", "embed_chunks_command"),
    "request": ("services", "request_command"),
    "keys": ("keys", "keys_command"),
    "config": ("keys", "config_command"),
    "completion": ("completion", "completion_command"),
    "batch": ("batch", "batch_command"),
}

_MAIN_EPILOG = """\
examples:
  infermux providers                       which provider serves which task
  infermux chat meta-llama/Meta-Llama-3-8B-Instruct --provider together "What is deep learning?"
  infermux run text-to-image --model stabilityai/stable-diffusion-xl-base-1.0 \\
      --provider together "An astronaut riding a horse" --output astronaut.png
  infermux demo                            offline showcase from recorded traffic

keys: --api-key, else the provider's variable (e.g. TOGETHER_API_KEY), else HF_TOKEN.
exit codes: 0 ok, 1 provider or network error, 2 bad input or set-up, 130 interrupted.
'infermux COMMAND --help' shows each command's options and examples.
"""

_PROVIDERS_EPILOG = """\
examples:
  infermux providers
  infermux providers --task text-to-video
  infermux providers --json | jq '.registrations[] | select(.task == "conversational")'
"""

_PLUGINS_EPILOG = """\
examples:
  infermux plugins
  infermux plugins --json
  INFERMUX_BLOCK_PLUGINS=infermux-together infermux plugins   # shows it as blocked
"""

_CHAT_EPILOG = """\
examples:
  infermux chat meta-llama/Meta-Llama-3-8B-Instruct --provider together "What is deep learning?"
  echo "Summarise: $(cat notes.txt)" | infermux chat MODEL --provider together
  infermux chat MODEL --system "Answer in French." --max-tokens 200 --temperature 0.2 Hello
  infermux chat MODEL --provider together      # no message on a terminal: interactive chat
  infermux chat openai/gpt-oss-120b:groq --responses "Hi"   # through the Responses API

With no message on a terminal, each line you type is sent with the conversation so
far; Ctrl-D ends the session, Ctrl-C stops the current answer.
"""

_RUN_EPILOG = """\
examples:
  infermux run text-classification --provider hf-inference \\
      --model distilbert/distilbert-base-uncased-finetuned-sst-2-english "I love this movie"
  infermux run feature-extraction --model facebook/bart-base --provider hf-inference \\
      --input "Hi, who are you?" --json
  infermux run text-to-image --model stabilityai/stable-diffusion-xl-base-1.0 \\
      --provider together "An astronaut riding a horse" --param seed=42 --output astronaut.png
  infermux run text-generation --model MODEL --input-file prompt.txt --param max_new_tokens=50
  infermux run conversational --model MODEL --provider together \\
      --input '[{"role": "user", "content": "Hi"}]'

TASK is a Hugging Face task name; it calls the client method of the same name
('text-to-image' -> text_to_image; 'conversational' -> chat_completion). --param values
are read as JSON when they parse (42, true, [1,2], {"a":1}), else as text.
"""

_DEMO_EPILOG = """\
examples:
  infermux demo                            # from the repository root (make demo)
  infermux demo --cassettes path/to/cassettes --output-dir /tmp/demo

Replays recorded traffic: no key and no network needed. Needs vcrpy
(pip install vcrpy, or the core's 'testing' extra); Pillow (pip install pillow) turns the
image into a PNG.
"""


#: Commands whose free text may also follow options: command -> its positional's dest.
_FREE_TEXT = {"chat": "message", "run": "text", "embed-chunks": "text"}


def parse_param(text: str) -> tuple[str, str]:
    """``key=value`` -> ``(key, value)``; the value is decoded later, by the command."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key.strip(), value


def _subparser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    epilog: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    # Also accepted after the command; SUPPRESS keeps a -v given before it.
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log what happens to stderr (-vv for HTTP details); keys are never shown",
    )
    parser.set_defaults(command=name)
    return parser


def _add_client_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("provider and key")
    group.add_argument(
        "--provider",
        metavar="P",
        help="provider id, e.g. together or hf-inference (default: auto, from the Hub mapping)",
    )
    group.add_argument(
        "--api-key",
        metavar="K",
        help="provider key or Hugging Face token (default: the provider's environment "
        "variable, then HF_TOKEN)",
    )
    group.add_argument(
        "--routing",
        choices=("auto", "direct", "router"),
        default="auto",
        help="direct to the provider or through the Hugging Face router (default: auto, "
        "by the kind of key)",
    )
    _add_endpoint_options(parser)


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    """--base-url, --router-url, --hub-url: where requests go (proxies, gateways, mirrors)."""
    group = parser.add_argument_group("endpoints")
    group.add_argument(
        "--base-url",
        metavar="URL",
        help="send requests here instead of the provider's own API (an OpenAI-compatible "
        "server when no --provider is given)",
    )
    group.add_argument(
        "--router-url", metavar="URL", help="the Hugging Face router (default: its public URL)"
    )
    group.add_argument("--hub-url", metavar="URL", help="the Hugging Face Hub, for model mappings")


def _add_params(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        "-p",
        metavar="KEY=VALUE",
        type=parse_param,
        action="append",
        default=[],
        dest="params",
        help="a task parameter; repeatable; the value is JSON if it parses, else text",
    )


def _add_chat(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(commands, "chat", "chat with a model, streaming the reply", _CHAT_EPILOG)
    parser.add_argument(
        "model", metavar="MODEL", help="model id, e.g. meta-llama/Meta-Llama-3-8B-Instruct"
    )
    parser.add_argument(
        "message",
        metavar="MESSAGE",
        nargs="*",
        help="the message (words are joined); default: stdin, or a chat session on a terminal",
    )
    _add_client_options(parser)
    parser.add_argument("--system", metavar="TEXT", help="system prompt")
    parser.add_argument("--max-tokens", metavar="N", type=int, help="maximum tokens in the reply")
    parser.add_argument("--temperature", metavar="T", type=float, help="sampling temperature")
    parser.add_argument(
        "--no-stream",
        dest="stream",
        action="store_false",
        help="wait for the whole reply instead of streaming it",
    )
    _add_params(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the whole answer as one JSON document (implies --no-stream)",
    )
    parser.add_argument(
        "--continue",
        dest="continue_from",
        metavar="FILE",
        help="start from a conversation saved with /save (a JSON list of messages)",
    )
    parser.add_argument(
        "--responses",
        action="store_true",
        help="send through the Responses API (client.responses.create) instead of chat completions",
    )


def _add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(commands, "run", "run any task of the client by its task name", _RUN_EPILOG)
    parser.add_argument("task", metavar="TASK", help="task name, e.g. text-to-image")
    parser.add_argument("text", metavar="TEXT", nargs="*", help="the input text (words are joined)")
    parser.add_argument("--model", "-m", metavar="M", required=True, help="model id")
    _add_client_options(parser)
    source = parser.add_argument_group("input (one of TEXT, --input, --input-file or stdin)")
    source.add_argument("--input", metavar="TEXT", dest="input_text", help="the input text")
    source.add_argument(
        "--input-file",
        metavar="PATH",
        help="read the input from a file ('-' for stdin); binary for media tasks",
    )
    _add_params(parser)
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress display for long jobs"
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="write the result here (media: default output<ext> in the current directory)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document (media: where it was saved)"
    )
    parser.add_argument(
        "--poll-interval",
        metavar="SECONDS",
        type=float,
        help="seconds between polls of an asynchronous job (video, queued media; default: 1)",
    )
    parser.add_argument(
        "--no-hub-lookup",
        action="store_false",
        dest="hub_lookup",
        help="never ask the Hub to map the model id (it is the provider's own id)",
    )


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands, "demo", "offline showcase: real client calls on recorded traffic", _DEMO_EPILOG
    )
    parser.add_argument(
        "--cassettes",
        metavar="DIR",
        help="the recorded traffic (default: ./cassettes, else cassettes/ in a parent directory)",
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        default="demo-output",
        help="where the generated image goes (default: demo-output)",
    )


_MODELS_EPILOG = """\
examples:
  infermux models list --provider together --task text-generation --limit 20
  infermux models list                         # models served by any provider
  infermux models status meta-llama/Llama-3.1-8B-Instruct
  infermux models mapping meta-llama/Llama-3.1-8B-Instruct --json
  infermux models router                       # the router's /v1/models listing
"""

_ALIASES_EPILOG = """\
examples:
  infermux aliases
  infermux aliases --provider hf-inference --json
  infermux chat small --provider hf-inference "Hello"   # an alias instead of a model id
"""


_MODELS_ACTIONS = {
    "list": (
        "models the Hub lists as served by inference providers",
        """\
examples:
  infermux models list --provider together --task text-generation --limit 20
  infermux models list --search llama --json
""",
    ),
    "status": (
        "a model's inference status on the Hub",
        """\
examples:
  infermux models status meta-llama/Llama-3.1-8B-Instruct
""",
    ),
    "mapping": (
        "which providers serve a model, under which ids",
        """\
examples:
  infermux models mapping meta-llama/Llama-3.1-8B-Instruct --json
""",
    ),
    "router": (
        "the Hugging Face router's /v1/models listing",
        """\
examples:
  infermux models router --json
""",
    ),
}


def _add_models(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands, "models", "the Hub's models, their status and provider mapping", _MODELS_EPILOG
    )
    actions = parser.add_subparsers(
        title="actions", metavar="ACTION", dest="models_action", required=True
    )
    for action, (summary, epilog) in _MODELS_ACTIONS.items():
        sub = _subparser(actions, action, summary, epilog)
        sub.set_defaults(command="models")
        if action in ("status", "mapping"):
            sub.add_argument("model", metavar="MODEL", help="model id, e.g. org/name")
        else:
            sub.set_defaults(model=None)
        if action == "list":
            sub.add_argument(
                "--provider",
                dest="provider_filter",
                metavar="P",
                action="append",
                help="only models this provider serves (repeatable; default: any provider)",
            )
            sub.add_argument("--provider-filter", action="append", help=argparse.SUPPRESS)
            sub.add_argument("--task", metavar="TASK", help="only models for this task")
            sub.add_argument("--search", metavar="TEXT", help="only ids containing TEXT")
            sub.add_argument("--limit", metavar="N", type=int, default=50, help="at most N (50)")
            sub.add_argument("--api-key", metavar="K", help="Hugging Face token (or HF_TOKEN)")
            sub.add_argument("--hub-url", metavar="URL", help="the Hugging Face Hub's URL")
            sub.set_defaults(provider=None, routing="auto", base_url=None, router_url=None)
        else:
            _add_client_options(sub)
        sub.add_argument("--json", action="store_true", help="print JSON")


def _add_aliases(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands,
        "aliases",
        "model aliases (default, large, small, agent) per provider",
        _ALIASES_EPILOG,
    )
    parser.add_argument("--provider", metavar="P", help="only this provider")
    parser.add_argument("--json", action="store_true", help="print JSON")


_NEW_PROVIDER_EPILOG = """\
examples:
  infermux new-provider acme                          # -> ./infermux-acme
  infermux new-provider my-gateway --output ~/src/infermux-my-gateway \\
      --base-url https://llm.internal.example.com

Renders the provider template: pyproject.toml (entry point, bounded core dependency), a
helper, tests replaying a synthetic cassette and running the conformance suite, a README.
Needs copier (pip install copier, or the core's 'template' extra).
"""


def _add_new_provider(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands,
        "new-provider",
        "start a provider package from the template",
        _NEW_PROVIDER_EPILOG,
    )
    parser.add_argument(
        "name", metavar="NAME", help="the provider id (lowercase letters, digits and '-')"
    )
    parser.add_argument(
        "--output", "-o", metavar="DIR", help="where to create it (default: ./infermux-NAME)"
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="the provider's API root (default: a placeholder)"
    )
    parser.add_argument(
        "--key-url", metavar="URL", help="where users get a key (shown in the README and errors)"
    )


_EMBED_CHUNKS_EPILOG = """\
examples:
  infermux embed-chunks --provider hf-inference -m sentence-transformers/all-MiniLM-L6-v2 \\
      --input-file report.txt
  infermux embed-chunks -m MODEL --strategy word --max-chunk-size 100 --overlap 20 "long text"

Prints one JSON line per chunk: start, end, text and the vector's length (--vectors: the
vector itself). Limits follow the Elasticsearch chunking settings.
"""

_REQUEST_EPILOG = """\
examples:
  infermux request /v1/rerank --provider together --json-body '{"model": "m", "query": "q"}'
  infermux request /v1/models --provider together --method GET
  infermux request /v1/chat/completions --provider groq --stream \\
      --json-body '{"model": "m", "stream": true, "messages": [{"role": "user", "content": "Hi"}]}'

PATH is appended to the provider's base URL, direct or through the router, with the
provider's auth and retries.
"""


def _add_embed_chunks(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands, "embed-chunks", "embed a long text chunk by chunk", _EMBED_CHUNKS_EPILOG
    )
    parser.add_argument("text", metavar="TEXT", nargs="*", help="the text (words are joined)")
    parser.add_argument("--model", "-m", metavar="M", help="embedding model id or alias")
    _add_client_options(parser)
    parser.add_argument("--input-file", metavar="PATH", help="read the text from a file")
    parser.add_argument(
        "--strategy", choices=("sentence", "word"), default="sentence", help="default: sentence"
    )
    parser.add_argument(
        "--max-chunk-size", metavar="N", type=int, default=250, help="words per chunk (250)"
    )
    parser.add_argument("--overlap", metavar="N", type=int, help="word strategy: shared words")
    parser.add_argument(
        "--sentence-overlap", metavar="N", type=int, help="sentence strategy: 0 or 1 (1)"
    )
    parser.add_argument("--vectors", action="store_true", help="print the vectors themselves")


def _add_request(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands, "request", "call a provider route directly (custom calls)", _REQUEST_EPILOG
    )
    parser.add_argument("path", metavar="PATH", help="route under the provider's base URL")
    _add_client_options(parser)
    parser.add_argument("--method", default="POST", help="HTTP method (default: POST)")
    parser.add_argument("--json-body", metavar="JSON", help="the JSON body")
    parser.add_argument(
        "--stream", action="store_true", help="read a server-sent event stream, one line per event"
    )


_KEYS_EPILOG = """\
examples:
  infermux keys set together               # prompts for the key (hidden); or: echo KEY | ...
  infermux keys list                       # providers with a saved key (never the key)
  infermux keys remove together
  infermux keys path

Saved keys are used after --api-key and the provider's environment variable.
"""

_CONFIG_EPILOG = """\
examples:
  infermux config show                     # config files read, where each key comes from
  infermux config show --json
"""

_COMPLETION_EPILOG = """\
examples:
  infermux completion bash > ~/.local/share/bash-completion/completions/infermux
  eval "$(infermux completion bash)"                   # or this line in ~/.bashrc
  infermux completion zsh > "${fpath[1]}/_infermux"    # zsh
  infermux completion fish > ~/.config/fish/completions/infermux.fish
"""


def _add_keys(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(commands, "keys", "save provider keys (owner-only file)", _KEYS_EPILOG)
    actions = parser.add_subparsers(
        title="actions", metavar="ACTION", dest="keys_action", required=True
    )
    for action, summary in (
        ("set", "save a provider's key (read from a hidden prompt or stdin)"),
        ("list", "the providers with a saved key"),
        ("remove", "forget a provider's key"),
        ("path", "where saved keys live"),
    ):
        sub = _subparser(actions, action, summary, _KEYS_EPILOG)
        sub.set_defaults(command="keys")
        if action in ("set", "remove"):
            sub.add_argument("provider", metavar="PROVIDER", help="provider id, e.g. together")
        if action == "set":
            sub.add_argument(
                "--force", action="store_true", help="save it even if no such provider is installed"
            )
        if action == "list":
            sub.add_argument("--json", action="store_true", help="print JSON")


def _add_config(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(commands, "config", "what configuration infermux reads", _CONFIG_EPILOG)
    actions = parser.add_subparsers(
        title="actions", metavar="ACTION", dest="config_action", required=True
    )
    show = _subparser(
        actions, "show", "config files read and each provider's key source", _CONFIG_EPILOG
    )
    show.set_defaults(command="config")
    show.add_argument("--json", action="store_true", help="print JSON")


def _add_completion(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subparser(
        commands, "completion", "print a shell completion script", _COMPLETION_EPILOG
    )
    parser.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")


def build_parser() -> argparse.ArgumentParser:
    """The ``infermux`` parser; each parsed command sets ``command``."""
    parser = argparse.ArgumentParser(
        prog="infermux",
        description="One client for every hosted inference provider, from the command line.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"infermux {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what happens to stderr (-vv for HTTP details); keys are never shown",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, summary, epilog in (
        ("providers", "list installed providers and the tasks they serve", _PROVIDERS_EPILOG),
        ("plugins", "list provider plugins, their status and load errors", _PLUGINS_EPILOG),
    ):
        listing = _subparser(commands, name, summary, epilog)
        listing.add_argument("--json", action="store_true", help="print JSON")
        if name == "providers":
            listing.add_argument("--task", metavar="TASK", help="only providers serving TASK")
    _add_chat(commands)
    _add_run(commands)
    _add_demo(commands)
    _add_models(commands)
    _add_aliases(commands)
    _add_new_provider(commands)
    _add_embed_chunks(commands)
    _add_request(commands)
    _add_keys(commands)
    _add_config(commands)
    _add_completion(commands)
    from infermux.cli.batch import add_batch_parser  # argparse only; the work loads on run

    add_batch_parser(commands)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``, letting free text come after options too.

    argparse (3.11) gives a ``nargs="*"`` positional that follows another positional only
    the words right after it; ``infermux chat MODEL --provider P hello`` would reject
    ``hello``. Leftover words are joined to the command's text instead; leftover options
    are still an error. After ``--`` everything is text.
    """
    namespace, extras = parser.parse_known_args(argv)
    dest = _FREE_TEXT.get(namespace.command)
    words: list[str] = []
    unknown: list[str] = []
    literal = False
    for arg in extras:
        if literal or dest is None:
            (words if literal else unknown).append(arg)
        elif arg == "--":
            literal = True
        elif arg.startswith("-") and arg != "-":
            unknown.append(arg)
        else:
            words.append(arg)
    if unknown or (words and dest is None):
        parser.error(f"unrecognized arguments: {' '.join(unknown or words)}")
    if dest is not None:
        setattr(namespace, dest, [*getattr(namespace, dest), *words])
    return namespace
