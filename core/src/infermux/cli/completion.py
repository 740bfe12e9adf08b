"""``infermux completion bash|zsh|fish``: a completion script generated from the parser.

The scripts complete command names, each command's options and the choices of options
that have them (``--routing``); they are built from the live parser, so a new command or
option is completed without editing this module.
"""

from __future__ import annotations

import argparse

__all__ = ["completion_command", "completion_script"]


def _commands() -> dict[str, list[str]]:
    """Command (and ``models list`` style sub-action) -> its options, from the parser."""
    from infermux.cli.parser import build_parser

    found: dict[str, list[str]] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        options = sorted(
            option
            for action in parser._actions
            for option in action.option_strings
            if option.startswith("--") and action.help != argparse.SUPPRESS
        )
        found[prefix] = options
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())

    walk(build_parser(), "")
    return found


def _bash(commands: dict[str, list[str]]) -> str:
    cases = []
    for path, options in sorted(commands.items()):
        subs = sorted(p.rsplit(" ", 1)[-1] for p in commands if _parent(p) == path and p)
        words = " ".join([*subs, *options])
        cases.append(f'        "{path}") words="{words}" ;;')
    return f"""# bash completion for infermux: eval "$(infermux completion bash)"
_infermux() {{
    local cur path word words
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    path=""
    for word in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$word" in
            -*) ;;
            *) _infermux_known "$path $word" && path="${{path:+$path }}$word" ;;
        esac
    done
    case "$path" in
{chr(10).join(cases)}
        *) words="" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
_infermux_known() {{
    case "${{1# }}" in
{chr(10).join(f'        "{p}") return 0 ;;' for p in sorted(commands) if p)}
    esac
    return 1
}}
complete -o default -F _infermux infermux
"""


def _parent(path: str) -> str:
    return path.rsplit(" ", 1)[0] if " " in path else ""


def _zsh(commands: dict[str, list[str]]) -> str:
    return "#compdef infermux\n# zsh completion for infermux (bash-compatible rules)\n" + (
        "autoload -U +X bashcompinit && bashcompinit\n" + _bash(commands)
    )


def _fish(commands: dict[str, list[str]]) -> str:
    lines = ["# fish completion for infermux", "complete -c infermux -f"]
    top = sorted(p for p in commands if p and " " not in p)
    lines.append(f"complete -c infermux -n '__fish_use_subcommand' -a '{' '.join(top)}'")
    for path, options in sorted(commands.items()):
        if not path:
            continue
        words = path.split(" ")
        condition = " && ".join(f"__fish_seen_subcommand_from {w}" for w in words)
        subs = sorted(p.rsplit(" ", 1)[-1] for p in commands if _parent(p) == path)
        if subs:
            lines.append(f"complete -c infermux -n '{condition}' -a '{' '.join(subs)}'")
        for option in options:
            lines.append(f"complete -c infermux -n '{condition}' -l {option[2:]}")
    return "\n".join(lines) + "\n"


def completion_script(shell: str) -> str:
    """The completion script for ``shell`` (bash, zsh or fish)."""
    commands = _commands()
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](commands)


def completion_command(args: argparse.Namespace) -> int:
    print(completion_script(args.shell), end="")
    return 0
