"""Hygiene of the recorded traffic under cassettes/ (see cassettes/README.md).

Every YAML file there must be a valid vcrpy cassette, hold no credentials, and say where it
comes from: recorded cassettes are listed in their folder's PROVENANCE.md, synthetic ones
carry `synthetic` in their name and a note saying so. Plain pytest and PyYAML only.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from infermux.secret_patterns import KEY_SHAPED, SECRET_PATTERNS

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-key",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)
CASSETTE_NAME = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*\.yaml")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def cassette_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


@functools.cache
def load(path: Path) -> Any:
    return yaml.load(path.read_bytes(), Loader=_Loader)  # noqa: S506 - a safe loader


def is_synthetic(path: Path) -> bool:
    return "synthetic" in path.name.lower()


# --- the checks, each returning a list of problems (empty when all is well) ---------------


def format_problems(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return ["not a mapping at the top level"]
    problems = []
    if data.get("version") != 1:
        problems.append(f"version is {data.get('version')!r}, not 1")
    interactions = data.get("interactions")
    if not isinstance(interactions, list) or not interactions:
        return [*problems, "no list of interactions"]
    for n, interaction in enumerate(interactions):
        request = interaction.get("request") if isinstance(interaction, dict) else None
        response = interaction.get("response") if isinstance(interaction, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            problems.append(f"interaction {n}: needs a request and a response")
            continue
        for key in ("method", "uri", "body", "headers"):
            if key not in request:
                problems.append(f"interaction {n}: request has no {key}")
        if not isinstance(request.get("headers"), dict):
            problems.append(f"interaction {n}: request headers are not a mapping")
        status = response.get("status")
        if not isinstance(status, dict) or not isinstance(status.get("code"), int):
            problems.append(f"interaction {n}: response has no status code")
        body = response.get("body")
        if not isinstance(body, dict) or "string" not in body:
            problems.append(f"interaction {n}: response body has no `string`")
        if not isinstance(response.get("headers"), dict):
            problems.append(f"interaction {n}: response headers are not a mapping")
    return problems


def _strings(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in _strings(k) + _strings(v)]
    if isinstance(obj, list):
        return [s for item in obj for s in _strings(item)]
    if isinstance(obj, bytes):
        return [obj.decode("latin-1")]
    return [obj] if isinstance(obj, str) else []


def secret_problems(data: Any, raw_text: str = "") -> list[str]:
    """Credential headers in requests or responses, and token-like strings anywhere."""
    problems = []
    interactions = data.get("interactions") if isinstance(data, dict) else None
    for n, interaction in enumerate(interactions or []):
        for side in ("request", "response"):
            for header in (interaction.get(side) or {}).get("headers") or {}:
                if str(header).lower() in SECRET_HEADERS:
                    problems.append(f"interaction {n}: {side} header {header!r}")
    comments = [line for line in raw_text.splitlines() if line.lstrip().startswith("#")]
    for text in _strings(data) + comments:
        for label, pattern in SECRET_PATTERNS.items():
            problems += [f"{label}: {m.group(0)[:6]}..." for m in pattern.finditer(text)]
    return problems


def header_case_problems(data: Any) -> list[str]:
    interactions = data.get("interactions") if isinstance(data, dict) else None
    return [
        f"interaction {n}: request header {header!r} is not lowercase"
        for n, interaction in enumerate(interactions or [])
        for header in (interaction.get("request") or {}).get("headers") or {}
        if header != str(header).lower()
    ]


def _names_file(note: Path, name: str) -> list[str]:
    """Lines of a markdown note that name the cassette in backticks."""
    if not note.is_file():
        return []
    return [line for line in note.read_text("utf-8").splitlines() if f"`{name}`" in line]


def provenance_problems(path: Path) -> list[str]:
    provenance = path.parent / "PROVENANCE.md"
    rows = [line for line in _names_file(provenance, path.name) if line.lstrip().startswith("|")]
    if is_synthetic(path):
        sidecar = path.with_suffix(".md")
        if sidecar.is_file() and "synthetic" in sidecar.read_text("utf-8").lower():
            return []
        if any("synthetic" in line.lower() for line in _names_file(provenance, path.name)):
            return []
        return [f"synthetic cassette without a note: add {sidecar.name} or a PROVENANCE.md entry"]
    if not rows:
        return [f"not listed in {provenance.relative_to(path.parents[1])} (nor named synthetic)"]
    return []


def naming_problems(path: Path, root: Path) -> list[str]:
    problems = []
    if not CASSETTE_NAME.fullmatch(path.name):
        problems.append(f"{path.name}: use a short snake_case name ending in .yaml")
    for folder in path.relative_to(root).parts[:-1]:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", folder):
            problems.append(f"folder {folder!r}: use the provider id, lowercase")
    return problems


# --- tests over the real cassettes ---------------------------------------------------------

FILES = cassette_files(CASSETTES)
IDS = [str(p.relative_to(CASSETTES)) for p in FILES]


def test_there_are_cassettes() -> None:
    assert FILES, f"no cassettes found under {CASSETTES}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_valid_vcr_cassette(path: Path) -> None:
    problems = format_problems(load(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_credentials(path: Path) -> None:
    problems = secret_problems(load(path), path.read_text("utf-8"))
    assert not problems, "\n".join(problems)


TEXT_FILES = sorted(p for p in CASSETTES.rglob("*") if p.suffix in {".yaml", ".yml", ".md"})


@pytest.mark.parametrize(
    "path", TEXT_FILES, ids=[str(p.relative_to(CASSETTES)) for p in TEXT_FILES]
)
def test_no_key_shaped_text_even_inside_words(path: Path) -> None:
    found = KEY_SHAPED.findall(path.read_text("utf-8"))
    assert not found, f"key-shaped text (scrub it at the same length): {[f[:6] for f in found]}"


def test_key_shape_check_sees_a_key_hidden_in_a_name() -> None:
    hidden = "GT4SD/multita" + "s" + "k-" + "text-and-chemistry-t5"  # not literal: scanners
    assert KEY_SHAPED.search(f'"{hidden}"')
    assert not KEY_SHAPED.search('"GT4SD/multitascrubbedxxxxxxxxxxxxxxxx"')


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_request_header_names_are_lowercase(path: Path) -> None:
    problems = header_case_problems(load(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_named_by_convention(path: Path) -> None:
    problems = naming_problems(path, CASSETTES)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_provenance_or_synthetic_note(path: Path) -> None:
    problems = provenance_problems(path)
    assert not problems, "\n".join(problems)


# --- the checks themselves must catch what they are for -----------------------------------

FAKE_HF_TOKEN = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def _cassette(request_headers: dict[str, Any], body: Any = "ok", **response: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://router.huggingface.co/together/v1/chat/completions",
                    "body": '{"model": "m"}',
                    "headers": request_headers,
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": response.get("headers", {"Content-Type": ["application/json"]}),
                    "body": {"string": body},
                },
            }
        ],
    }


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


def test_scanner_flags_a_token_written_to_a_cassette(tmp_path: Path) -> None:
    path = _write(tmp_path / "leaky.yaml", _cassette({}, body=f'{{"token": "{FAKE_HF_TOKEN}"}}'))
    problems = secret_problems(load(path), path.read_text("utf-8"))
    assert any(p.startswith("Hugging Face token") for p in problems), problems
    assert FAKE_HF_TOKEN not in "".join(problems)  # the report must not repeat the secret


@pytest.mark.parametrize(
    "secret",
    [
        FAKE_HF_TOKEN,
        "r8_" + "A1" * 15,
        "sk-proj-" + "x9" * 12,
        "gsk_" + "Q7" * 12,
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.Zm9v1",
        "Key 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b:0123456789abcdef",
    ],
)
def test_scanner_flags_each_token_pattern(secret: str) -> None:
    assert secret_problems(_cassette({}, body=f"data: {secret}\n")) != []


@pytest.mark.parametrize("header", ["Authorization", "X-Key", "api-key", "X-API-KEY", "Cookie"])
def test_scanner_flags_credential_request_headers(header: str) -> None:
    assert secret_problems(_cassette({header: ["redacted"]})) != []


def test_scanner_flags_set_cookie_in_responses() -> None:
    data = _cassette({}, headers={"Set-Cookie": ["__cf_bm=abc; path=/"]})
    assert secret_problems(data) == ["interaction 0: response header 'Set-Cookie'"]


def test_scanner_flags_a_token_in_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "commented.yaml"
    path.write_text(f"# recorded with {FAKE_HF_TOKEN}\n" + yaml.safe_dump(_cassette({})), "utf-8")
    assert secret_problems(load(path), path.read_text("utf-8")) != []


def test_scanner_passes_clean_traffic_and_prose() -> None:
    prose = 'The key characteristics are:\\n\\n1. Layers; WWW-Authenticate: Bearer realm="x"'
    data = _cassette({"content-type": ["application/json"]}, body=prose)
    data["interactions"].append(_cassette({}, body=b"\x89PNG\r\n\x1a\n binary")["interactions"][0])
    assert secret_problems(data) == []
    assert format_problems(data) == []


def test_format_check_flags_broken_cassettes() -> None:
    assert format_problems({"version": 2, "interactions": []}) != []
    assert format_problems({"interactions": [{"request": {}}], "version": 1}) != []
    no_body = _cassette({})
    del no_body["interactions"][0]["response"]["body"]
    assert format_problems(no_body) == ["interaction 0: response body has no `string`"]
    assert format_problems(_cassette({})) == []


def test_header_case_check_flags_mixed_case() -> None:
    assert header_case_problems(_cassette({"Content-Type": ["application/json"]})) != []
    assert header_case_problems(_cassette({"content-type": ["application/json"]})) == []


def test_provenance_check(tmp_path: Path) -> None:
    recorded = _write(tmp_path / "acme" / "chat_completion.yaml", _cassette({}))
    assert provenance_problems(recorded) != []  # no PROVENANCE.md at all
    (tmp_path / "acme" / "PROVENANCE.md").write_text("mentions chat_completion.yaml in prose\n")
    assert provenance_problems(recorded) != []  # not in a table row
    (tmp_path / "acme" / "PROVENANCE.md").write_text("| `chat_completion.yaml` | src | ... |\n")
    assert provenance_problems(recorded) == []


def test_synthetic_cassettes_need_a_note(tmp_path: Path) -> None:
    synthetic = _write(tmp_path / "acme" / "text_to_image_synthetic.yaml", _cassette({}))
    assert provenance_problems(synthetic) != []
    sidecar = synthetic.with_suffix(".md")
    sidecar.write_text("Written by hand.\n")
    assert provenance_problems(synthetic) != []  # a note that does not say synthetic
    sidecar.write_text("Synthetic: written from the provider's API reference.\n")
    assert provenance_problems(synthetic) == []
    sidecar.unlink()
    (tmp_path / "acme" / "PROVENANCE.md").write_text(
        "| `text_to_image_synthetic.yaml` | synthetic, from the provider docs |\n"
    )
    assert provenance_problems(synthetic) == []


def test_naming_check() -> None:
    root = Path("/c")
    assert naming_problems(root / "together" / "chat_completion.yaml", root) == []
    assert naming_problems(root / "hf-inference" / "legacy" / "chat_completion.yaml", root) == []
    assert naming_problems(root / "together" / "ChatCompletion.yaml", root) != []
    assert naming_problems(root / "together" / "chat.yml", root) != []
    assert naming_problems(root / "Together" / "chat_completion.yaml", root) != []
