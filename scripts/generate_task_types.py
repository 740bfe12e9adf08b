"""Generate ``infermux.types`` from the JSON Schema task specs of ``@huggingface/tasks``.

Dev-time tool, not shipped. The specs are vendored (``scripts/vendor/huggingface-tasks``: the
pinned version, its source and how to move to another are in its ``SOURCE.md``) and the
converter is pinned in the dev dependencies, so generation is reproducible offline::

    uv run python scripts/generate_task_types.py          # rewrite the files
    uv run python scripts/generate_task_types.py --check  # exit 1 if any is stale (make lint)
    uv run python scripts/generate_task_types.py --check --full  # ... without the stamp (CI)
    uv run python scripts/generate_task_types.py --vendor /tmp/package  # new specs (SOURCE.md)

A path to another unpacked ``@huggingface/tasks`` package may be given instead of the
vendored copy (``generate_task_types.py /tmp/package``).

For every task that has a ``spec/`` folder (``input.json``, ``output.json`` and, for the two
text-generation tasks, ``stream_output.json``) it writes one module per spec,
``core/src/infermux/types/_generated/<task_snake>_<kind>.py`` (``chat_completion_input``,
``chat_completion_output``, ``chat_completion_stream_output``), and then rewrites the public
namespace ``core/src/infermux/types/__init__.py`` (explicit ``__all__``, lazy ``__getattr__``).
One module per spec because a call needs only its answer's models: a first chat answer
imports the 9 output classes, not the chat task's 32 (creating a pydantic class costs about a
million instructions even unbuilt; docs/performance.md).

The conversion JSON Schema -> pydantic v2 is done by datamodel-code-generator. This script only
*normalises the schemas* beforehand, so that the result looks like the types of
``huggingface_hub`` (same class names) and is tolerant of what providers really send:

* all definitions of one task are gathered in one schema; the shared definitions of
  ``common-definitions.json`` are inlined under task-specific names (``ClassificationOutput`` ->
  ``<Task>OutputElement``, ``ClassificationOutputTransform`` -> ``<Task>OutputTransform``,
  ``GenerationParameters`` -> ``<Task>GenerationParameters``), generic titles get the task prefix
  (``BoundingBox`` -> ``ObjectDetectionBoundingBox``) and anonymous objects are named
  (``<Output>Element`` for the items of an array output, ``<Task><Field>`` for a nested object);
* a ``oneOf`` of objects is merged into one model (as quicktype does for ``huggingface_hub``,
  e.g. ``ChatCompletionOutputMessage`` has ``content`` *and* ``tool_calls``), unless its members
  are named models told apart by a ``type`` tag (then it stays a union type alias);
  ``allOf`` is merged the same way;
* ``nullable`` and ``default`` are dropped: every field that is not required defaults to
  ``None``; the spec defaults are server-side defaults (and are strings such as ``"true"`` in
  these specs), so a client must not send them by itself;
* validation keywords (``minimum``, ``maxLength``, ...) are dropped: these models describe the
  wire format, they do not police it;
* in the *output* and *stream output* specs the spec's required fields are required, but for
  the few that real providers are known to leave out (``OMITTED_BY_PROVIDERS``: together
  sends no ``system_fingerprint``; OpenAI-style stream deltas carry ``role`` only in the
  first chunk ...), and every enum also accepts any other string (providers use other finish
  reasons). A body lacking a required field is refused, naming it, instead of becoming a
  model full of ``None``. Input specs keep their required fields.

The generated models all derive from ``infermux.types._base.TaskModel`` (``extra="allow"``), so
fields a provider sends that are not in the spec are kept.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import hashlib
import importlib.metadata
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The pinned copy of the specs (see its SOURCE.md).
VENDORED = REPO_ROOT / "scripts" / "vendor" / "huggingface-tasks"
TYPES_DIR = REPO_ROOT / "core" / "src" / "infermux" / "types"
GENERATED_DIR = TYPES_DIR / "_generated"
#: What the last generation read and wrote (sha256s): `--check` in `make lint` compares
#: these in a second instead of converting 34 schemas again (a minute on two cores). Any
#: change to the inputs (this script, the vendored specs, the converter's or ruff's
#: version) or to the generated files makes it regenerate and compare in full, as
#: `--check --full` always does (CI runs it: tests/test_task_types.py).
STAMP = VENDORED / "GENERATED.stamp"
BASE_MODULE = "infermux.types._base"
BASE_CLASS = f"{BASE_MODULE}.TaskModel"

SPEC_KINDS = ("input", "output", "stream_output")
LENIENT_KINDS = frozenset({"output", "stream_output"})
SKIPPED_TASKS = frozenset({"placeholder"})  # a template, not a task

#: Output fields the spec marks as required that real providers leave out: they stay
#: optional. Every other required field of an output spec is required, so a body lacking
#: it is a ResponseFormatError naming the field rather than a model full of ``None``s.
#: Where each omission was seen (cassettes/ and shared/recordings/):
OMITTED_BY_PROVIDERS: dict[str, frozenset[str]] = {
    # together, cerebras, novita ... send no system_fingerprint (or null); OpenAI-compatible
    # servers omit created, id, model or usage; finish_reason may be absent.
    "ChatCompletionOutput": frozenset({"created", "id", "model", "system_fingerprint", "usage"}),
    "ChatCompletionOutputComplete": frozenset({"finish_reason"}),
    "ChatCompletionStreamOutput": frozenset({"created", "id", "model", "system_fingerprint"}),
    # OpenAI-style deltas carry the role in the first chunk only, and a tool call's id,
    # type and name in its first fragment only (later ones: index and arguments).
    "ChatCompletionStreamOutputDelta": frozenset({"role"}),
    "ChatCompletionStreamOutputDeltaToolCall": frozenset({"function", "id", "type"}),
    "ChatCompletionStreamOutputFunction": frozenset({"arguments", "name"}),
    # Generative (donut-style) document QA answers with the text alone; extractive spans
    # are absent where a model generates its answer.
    "DocumentQuestionAnsweringOutputElement": frozenset({"end", "score", "start"}),
    "QuestionAnsweringOutputElement": frozenset({"end", "start"}),
    # OpenAI-style completions (and TGI without decoder_input_details) give no token lists
    # and no prompt length.
    "TextGenerationOutputBestOfSequence": frozenset({"prefill", "tokens"}),
    "TextGenerationOutputDetails": frozenset({"prefill", "tokens"}),
    "TextGenerationStreamOutputStreamDetails": frozenset({"input_length"}),
    # TGI's own stream sends no index (recorded in cassettes/hf-inference).
    "TextGenerationStreamOutput": frozenset({"index"}),
}
COMMON_DEFINITIONS_ID = "/inference/schemas/common-definitions.json"

# Keywords that carry no type information for the generated models.
DROPPED_KEYWORDS = frozenset(
    {
        "$id",
        "$schema",
        "comment",
        "default",
        "example",
        "examples",
        "discriminator",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "multipleOf",
        "pattern",
        "uniqueItems",
    }
)

Schema = dict[str, Any]


class GenerationError(RuntimeError):
    pass


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_ ]+", name) if part)


def snake(task: str) -> str:
    return task.replace("-", "_")


# --------------------------------------------------------------------------------------------
# Schema normalisation
# --------------------------------------------------------------------------------------------


def is_enum(schema: Schema) -> bool:
    return "enum" in schema and set(schema) <= {"enum", "type", "title", "description"}


def is_any(schema: Schema) -> bool:
    return not (set(schema) - {"title", "description"})


@dataclass
class TaskSchemaBuilder:
    """Turns the spec files of one task into one schema whose ``$defs`` hold every model."""

    task: str
    common: Schema
    defs: dict[str, Schema] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)

    # per spec file
    kind: str = ""
    local_defs: dict[str, Schema] = field(default_factory=dict)
    resolved: dict[str, Schema] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return pascal(self.task)

    # -- names ----------------------------------------------------------------------------

    def model_name(self, title: str) -> str:
        if title.startswith(self.prefix):
            return title
        return self.prefix + title[:1].upper() + title[1:]

    def child_name(self, parent: str, prop: str) -> str:
        # "ImageToImageParameters" + "target_size" -> "ImageToImageTargetSize" (as huggingface_hub)
        for suffix in ("Parameters", "Input"):
            if parent == self.prefix + suffix:
                return self.prefix + pascal(prop)
        return parent + pascal(prop)

    def register(self, name: str, schema: Schema) -> Schema:
        """Store a named model in ``$defs`` and return a reference to it."""
        previous = self.defs.get(name)
        if previous is not None and previous != schema:
            raise GenerationError(f"{self.task}: two different definitions named {name!r}")
        self.defs[name] = schema
        return {"$ref": f"#/$defs/{name}"}

    def deref(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    # -- entry points -------------------------------------------------------------------

    def add_spec(self, kind: str, spec: Schema) -> None:
        self.kind = kind
        self.local_defs = spec.pop("$defs", {}) | spec.pop("definitions", {})
        self.resolved = {}
        title = spec.get("title") or f"{self.prefix}{pascal(kind)}"
        name = self.model_name(title)
        if not name.endswith(pascal(kind)):
            raise GenerationError(f"{self.task}/{kind}: unexpected title {title!r}")
        spec["title"] = name
        # The items of an array output are named "<Title>Element" (as in huggingface_hub).
        context = f"{name}Element" if spec.get("type") == "array" else name
        schema = self.normalise(spec, name=name, context=context)
        if "$ref" not in schema:
            # A root that is not a model (an array or a primitive) becomes a type alias.
            schema = self.register(name, schema)
        self.roots.append(name)

    def build(self) -> Schema:
        reachable: dict[str, None] = {}

        def visit(node: Any) -> None:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if ref is not None:
                    target = ref.rsplit("/", 1)[-1]
                    if target not in reachable:
                        reachable[target] = None
                        visit(self.defs[target])
                for value in node.values():
                    visit(value)
            elif isinstance(node, list):
                for value in node:
                    visit(value)

        for root in self.roots:
            reachable[root] = None
            visit(self.defs[root])
        return {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$defs": {name: self.defs[name] for name in self.defs if name in reachable},
        }

    # -- references ---------------------------------------------------------------------

    def resolve_ref(self, ref: str, siblings: Schema, context: str) -> Schema:
        if ref.startswith("#/$defs/") or ref.startswith("#/definitions/"):
            key = ref.rsplit("/", 1)[-1]
            if key not in self.resolved:
                definition = copy.deepcopy(self.local_defs[key])
                title = definition.get("title") or key
                name = self.model_name(title)
                definition["title"] = name
                self.resolved[key] = {}  # recursion guard
                self.resolved[key] = self.normalise(definition, name=name, context=name)
            resolved = copy.deepcopy(self.resolved[key])
        elif ref.startswith(COMMON_DEFINITIONS_ID + "#/definitions/"):
            key = ref.rsplit("/", 1)[-1]
            definition = copy.deepcopy(self.common["definitions"][key])
            common_name: str | None = {
                "ClassificationOutput": None,  # named by its place: <Task>OutputElement
                "ClassificationOutputTransform": f"{self.prefix}OutputTransform",
            }.get(key, self.model_name(key))
            # The title written beside the reference is sometimes wrong (video-classification
            # names it "TextClassificationOutputTransform"): the task decides.
            siblings = {k: v for k, v in siblings.items() if k != "title"}
            if common_name is None:
                definition.pop("title", None)
                return self.normalise(definition | siblings, name=None, context=context)
            definition["title"] = common_name
            resolved = self.normalise(definition, name=common_name, context=common_name)
        else:
            raise GenerationError(f"{self.task}: unsupported reference {ref!r}")
        if siblings.get("description") and "$ref" in resolved:
            resolved["description"] = siblings["description"]
        return resolved

    # -- the normaliser -----------------------------------------------------------------

    def normalise(self, schema: Schema, *, name: str | None, context: str) -> Schema:
        """Return a normalised copy of ``schema``.

        ``name`` is the model name to use if the schema is a model; ``context`` the name of the
        closest enclosing model (to name anonymous children). Models are registered in
        ``self.defs`` and replaced by a reference.
        """
        schema = {k: v for k, v in schema.items() if k not in DROPPED_KEYWORDS}
        schema.pop("nullable", None)
        title = schema.pop("title", None)
        if name is None and title is not None:
            name = self.model_name(title)

        if "$ref" in schema:
            ref = schema.pop("$ref")
            schema.pop("type", None)
            return self.resolve_ref(ref, schema, context)

        if "allOf" in schema:
            parts = schema.pop("allOf")
            owner = name or context
            if len(parts) == 1 and "properties" not in schema:
                # `allOf: [X]` is how these specs attach a description to a reference.
                return self.normalise(parts[0] | self.doc(schema), name=name, context=context)
            members = [
                self.deref(self.normalise(part, name=None, context=f"{owner}Part{i}"))
                for i, part in enumerate(parts)
            ]
            merged = merge_objects(members, require="all")
            return self.finish_object(merged | self.doc(schema), name=owner)

        if "oneOf" in schema or "anyOf" in schema:
            members = schema.pop("oneOf", None) or schema.pop("anyOf")
            return self.normalise_union(members, schema, name=name, context=context)

        if "enum" in schema:
            return self.normalise_enum(schema, name=name)

        if "const" in schema:
            return {"enum": [schema.pop("const")]} | self.doc(schema)

        if isinstance(schema.get("type"), list):
            raise GenerationError(f"{self.task}: unsupported type list in {schema!r}")

        if schema.get("type") == "array":
            if "items" in schema:
                schema["items"] = self.normalise(schema["items"], name=None, context=context)
                if self.kind in LENIENT_KINDS:
                    schema["items"] = self.widen_enum(schema["items"])
            return schema

        if schema.get("type") == "object" or "properties" in schema:
            if not schema.get("properties"):
                # Free-form object -> dict[str, ...]; no model.
                additional = schema.get("additionalProperties")
                if isinstance(additional, dict):
                    schema["additionalProperties"] = self.normalise(
                        additional, name=None, context=context
                    )
                return {"type": "object"} | {
                    k: v for k, v in schema.items() if k in ("additionalProperties", "description")
                }
            name = name or context
            properties: dict[str, Schema] = {}
            required = list(schema.get("required", []))
            for prop, prop_schema in schema["properties"].items():
                if prop_schema.get("nullable") and prop in required:
                    required.remove(prop)
                child = self.child_name(name, prop)
                normalised = self.normalise(prop_schema, name=None, context=child)
                if self.kind in LENIENT_KINDS:
                    normalised = self.widen_enum(normalised)
                properties[prop] = normalised
            schema["properties"] = properties
            schema["required"] = required
            return self.finish_object(schema, name=name)

        return schema

    @staticmethod
    def doc(schema: Schema) -> Schema:
        return {"description": schema["description"]} if schema.get("description") else {}

    def finish_object(self, schema: Schema, *, name: str) -> Schema:
        schema = dict(schema)
        schema["type"] = "object"
        if self.kind in LENIENT_KINDS and schema.get("required"):
            omitted = OMITTED_BY_PROVIDERS.get(name, frozenset())
            schema["required"] = [p for p in schema["required"] if p not in omitted]
        if not schema.get("required"):
            schema.pop("required", None)
        schema["title"] = name
        return self.register(name, schema)

    def normalise_enum(self, schema: Schema, *, name: str | None) -> Schema:
        values = schema["enum"]
        if all(isinstance(v, str) for v in values):
            result: Schema = {"type": "string", "enum": list(values)} | self.doc(schema)
            if name is not None:
                return self.register(name, result)
            return result
        # e.g. early_stopping: {"type": ["boolean", "string"], "enum": ["never", true, false]}
        strings = [v for v in values if isinstance(v, str)]
        others = [v for v in values if not isinstance(v, str)]
        if not all(isinstance(v, bool) for v in others):
            raise GenerationError(f"{self.task}: unsupported enum {values!r}")
        any_of: list[Schema] = [{"type": "boolean"}]
        if strings:
            any_of.append({"type": "string", "enum": strings})
        return {"anyOf": any_of} | self.doc(schema)

    def normalise_union(
        self, members: list[Schema], schema: Schema, *, name: str | None, context: str
    ) -> Schema:
        owner = name or context
        normalised = [
            self.normalise(m, name=None, context=f"{owner}Variant{i}")
            for i, m in enumerate(members)
        ]
        enum_values: list[Any] = []
        objects: list[Schema] = []
        others: list[Schema] = []
        for member in normalised:
            target = self.deref(member)
            if "enum" in target and is_enum(target) and "$ref" not in member:
                enum_values.extend(target["enum"])
            elif target.get("type") == "object" and target.get("properties"):
                objects.append(member)
            else:
                others.append(member)

        variants: list[Schema] = []
        if enum_values and not objects and not others:
            return self.normalise_enum({"enum": enum_values} | self.doc(schema), name=name)
        if enum_values:
            variants.append(self.normalise_enum({"enum": enum_values}, name=f"{owner}Enum"))
        if objects:
            if self.is_tagged_union(members, objects):
                variants.extend(objects)
            else:
                targets = [self.deref(o) for o in objects]
                merged = merge_objects(targets, require="common")
                if len(objects) == len(members) and not others and not enum_values:
                    # The union *is* one model (e.g. ChatCompletionOutputMessage).
                    return self.finish_object(merged | self.doc(schema), name=owner)
                object_name = f"{owner}Class" if len(objects) == 1 else f"{owner}Object"
                variants.append(self.finish_object(merged, name=object_name))
        variants.extend(others)
        union: Schema = {"anyOf": variants} | self.doc(schema)
        if name is not None and any("$ref" in v for v in variants):
            return self.register(name, union)
        return union

    def is_tagged_union(self, members: list[Schema], objects: list[Schema]) -> bool:
        """Named models each with a distinct one-value ``type`` tag: keep them apart."""
        if len(objects) < 2 or not all("$ref" in m for m in members):
            return False
        tags: list[Any] = []
        for obj in objects:
            tag = self.deref(obj)["properties"].get("type", {})
            if len(tag.get("enum", [])) != 1:
                return False
            tags.append(tag["enum"][0])
        return len(set(tags)) == len(tags)

    def widen_enum(self, schema: Schema) -> Schema:
        """In outputs, accept any string where the spec lists some (finish reasons...)."""
        target = self.deref(schema)
        if "enum" in target and target.get("type") == "string":
            return {
                "anyOf": [
                    {k: v for k, v in schema.items() if k != "description"},
                    {"type": "string"},
                ]
            } | self.doc(schema)
        if schema.get("type") == "array" and "items" in schema:
            return schema | {"items": self.widen_enum(schema["items"])}
        return schema


def merge_objects(members: list[Schema], *, require: str) -> Schema:
    """Merge object schemas into one (``allOf``: union of required; ``oneOf``: intersection)."""
    properties: dict[str, Schema] = {}
    required_sets: list[set[str]] = []
    for member in members:
        if member.get("type") != "object":
            raise GenerationError(f"cannot merge a non-object: {member!r}")
        required_sets.append(set(member.get("required", [])))
        for prop, prop_schema in member.get("properties", {}).items():
            if prop not in properties:
                properties[prop] = prop_schema
            elif properties[prop] != prop_schema:
                properties[prop] = merge_property(properties[prop], prop_schema)
    if require == "all":
        required = set().union(*required_sets)
    else:
        required = set.intersection(*required_sets) if required_sets else set()
    merged: Schema = {"type": "object", "properties": properties}
    ordered = [p for p in properties if p in required]
    if ordered:
        merged["required"] = ordered
    return merged


def merge_property(left: Schema, right: Schema) -> Schema:
    if is_any(left) or is_any(right):
        description = left.get("description") or right.get("description")
        return {"description": description} if description else {}
    if is_enum(left) and is_enum(right):
        values = list(left["enum"]) + [v for v in right["enum"] if v not in left["enum"]]
        return {"type": "string", "enum": values} | TaskSchemaBuilder.doc(left)
    variants: list[Schema] = []
    for schema in (left, right):
        for variant in schema.get("anyOf", [schema]):
            if variant not in variants:
                variants.append(variant)
    return {"anyOf": variants}


# --------------------------------------------------------------------------------------------
# Running datamodel-code-generator and post-processing its output
# --------------------------------------------------------------------------------------------

CODEGEN_ARGS = [
    "--input-file-type",
    "jsonschema",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--target-python-version",
    "3.11",
    "--base-class",
    BASE_CLASS,
    "--use-title-as-name",
    "--use-schema-description",
    "--use-field-description",
    "--enum-field-as-literal",
    "all",
    "--use-union-operator",
    "--use-standard-collections",
    "--use-type-alias",
    "--use-double-quotes",
    "--disable-timestamp",
    "--skip-root-model",
    "--formatters",
    "ruff-format",
    "ruff-check",
]


def run_codegen(schema: Schema, workdir: Path, task: str) -> str:
    source = workdir / f"{snake(task)}.json"
    target = workdir / f"{snake(task)}.py"
    source.write_text(json.dumps(schema, indent=2))
    command = [
        sys.executable,
        "-m",
        "datamodel_code_generator",
        "--input",
        str(source),
        "--output",
        str(target),
        *CODEGEN_ARGS,
    ]
    # Run in the temporary folder so that no pyproject.toml changes the result.
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=workdir)
    if completed.returncode != 0:
        raise GenerationError(f"datamodel-codegen failed for {task}:\n{completed.stderr}")
    return target.read_text()


def ruff_executable() -> str:
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    if found is None:
        raise GenerationError("ruff is needed (to format the generated code)")
    return found


def ruff_format(code: str, workdir: Path) -> str:
    """Sort the imports and format ``code`` the same way whatever the local configuration."""
    ruff = ruff_executable()
    settings = ["--isolated", "--line-length", "100", "--target-version", "py311"]
    for command in (
        # I: sorted imports; F401: a spec's module drops the imports only another spec uses.
        [ruff, "check", *settings, "--select", "I,F401", "--fix", "--stdin-filename", "m.py", "-"],
        [ruff, "format", *settings, "--stdin-filename", "m.py", "-"],
    ):
        completed = subprocess.run(
            command, input=code, capture_output=True, text=True, check=False, cwd=workdir
        )
        if completed.returncode != 0:
            raise GenerationError(f"{' '.join(command)} failed:\n{completed.stderr}")
        code = completed.stdout
    return code


HEADER = '''\
# This file is generated by scripts/generate_task_types.py. DO NOT EDIT IT BY HAND:
# change the generator and re-run it instead.
#
# Source: @huggingface/tasks {version}, src/tasks/{task}/spec/{kind}.json
# Converted with datamodel-code-generator {codegen_version}.
"""Models of the Hugging Face "{task}" task: its {what}, as on the wire."""

'''

DEFINITION_RE = re.compile(r"^(?:class (\w+)\(|(\w+) = TypeAliasType\()", re.MULTILINE)


#: What a spec's module holds, for its docstring.
KIND_CONTENTS = {"input": "inputs", "output": "outputs", "stream_output": "stream chunks"}


def split_by_kind(code: str, task: str, kinds: list[str]) -> dict[str, str]:
    """Cut the converter's module for a task into one module per spec (kind).

    A definition goes with the spec whose root model reaches it (``<Task>Input``,
    ``<Task>Output``, ``<Task>StreamOutput``). The specs share no definition (each names its
    own, ``ChatCompletionInputToolCall`` beside ``ChatCompletionOutputToolCall``); one that
    two specs reached, or none, would be a GenerationError rather than a silent guess. Each
    part keeps the whole preamble (imports); ruff drops what a part does not use.
    """
    lines = code.splitlines(keepends=True)
    # The definitions (classes, and type aliases assigned by name), in order.
    named: list[tuple[str, ast.stmt]] = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.ClassDef):
            named.append((node.name, node))
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            named.append((node.targets[0].id, node))
    if not named:
        raise GenerationError(f"{task}: the converter defined nothing")
    # What comes before the first definition (imports) goes into every part; each
    # definition's text runs to the next one (so an attribute docstring after a type alias
    # stays with it).
    preamble = "".join(lines[: named[0][1].lineno - 1])
    texts: dict[str, str] = {}
    for index, (name, node) in enumerate(named):
        end = named[index + 1][1].lineno - 1 if index + 1 < len(named) else len(lines)
        texts[name] = "".join(lines[node.lineno - 1 : end])
    refs: dict[str, set[str]] = {}
    for name, node in named:
        found = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        # Forward references are strings (`from __future__ import annotations`).
        found |= {
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in texts
        }
        refs[name] = (found & texts.keys()) - {name}
    owner: dict[str, str] = {}
    for kind in kinds:
        root = pascal(task) + pascal(kind)
        if root not in texts:
            raise GenerationError(f"{task}/{kind}: no root definition {root!r}")
        stack = [root]
        while stack:
            name = stack.pop()
            previous = owner.setdefault(name, kind)
            if previous != kind:
                raise GenerationError(f"{task}: {name!r} is used by both {previous} and {kind}")
            stack.extend(ref for ref in refs[name] if owner.get(ref) != kind)
    unowned = sorted(texts.keys() - owner.keys())
    if unowned:
        raise GenerationError(f"{task}: definitions no spec uses: {unowned}")
    parts = {}
    for kind in kinds:
        definitions = "".join(texts[name] for name, _ in named if owner[name] == kind)
        parts[kind] = preamble + definitions
    return parts


def postprocess(code: str, *, task: str, kind: str, version: str) -> str:
    # Drop the header datamodel-code-generator writes (it names a temporary file).
    lines = code.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    body = "\n".join(lines) + "\n"
    body = body.replace(f"from {BASE_MODULE} import", "from .._base import")
    header = HEADER.format(
        version=version,
        task=task,
        kind=kind,
        what=KIND_CONTENTS[kind],
        codegen_version=importlib.metadata.version("datamodel-code-generator"),
    )
    return header + body


def defined_names(code: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in DEFINITION_RE.finditer(code)]


# --------------------------------------------------------------------------------------------
# The public namespace
# --------------------------------------------------------------------------------------------

INIT_TEMPLATE = '''\
# This file is generated by scripts/generate_task_types.py. DO NOT EDIT IT BY HAND:
# change the generator and re-run it instead.
# Source: @huggingface/tasks {version}.
"""Typed models of the Hugging Face inference task specifications.

One model per object of the JSON Schema specs of ``@huggingface/tasks`` (``<Task>Input``,
``<Task>Parameters``, ``<Task>Output``, ``<Task>OutputElement``, ``<Task>StreamOutput``...),
all deriving from :class:`TaskModel` (pydantic v2, unknown fields are kept). Outputs that are
JSON arrays or primitives are type aliases (e.g. ``FeatureExtractionOutput = list[list[float]]``,
``TextClassificationOutput = list[TextClassificationOutputElement]``): validate them with
``pydantic.TypeAdapter``.

Names are resolved lazily: importing this package imports none of the per-task modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{type_checking_imports}

__all__ = [
{all_entries}
]

_MODULES: dict[str, str] = {{
{module_entries}
}}


def __getattr__(name: str) -> Any:
    module_name = _MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {{name for name in globals() if name.startswith("__")}})
'''


def render_init(modules: dict[str, list[str]], version: str) -> str:
    exported: dict[str, str] = {"TaskModel": "._base"}
    for module, names in modules.items():
        for name in names:
            if name in exported:
                raise GenerationError(f"{name} is defined in two modules")
            exported[name] = f"._generated.{module}"
    by_module: dict[str, list[str]] = {}
    for name, module in exported.items():
        by_module.setdefault(module, []).append(name)
    imports = []
    for module in sorted(by_module):
        listed = "".join(f"        {name},\n" for name in sorted(by_module[module]))
        imports.append(f"    from {module} import (\n{listed}    )")
    return INIT_TEMPLATE.format(
        version=version,
        type_checking_imports="\n".join(imports),
        all_entries="\n".join(f'    "{name}",' for name in sorted(exported)),
        module_entries="\n".join(f'    "{name}": "{exported[name]}",' for name in sorted(exported)),
    )


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def find_tasks_dir(package: Path) -> Path:
    for candidate in (package / "src" / "tasks", package / "dist" / "src" / "tasks"):
        if (candidate / "common-definitions.json").is_file():
            return candidate
    for common in sorted(package.rglob("common-definitions.json")):
        if "node_modules" not in common.relative_to(package).parts:
            return common.parent
    raise GenerationError(f"no task specs (common-definitions.json) under {package}")


def iter_tasks(tasks_dir: Path) -> Iterator[tuple[str, dict[str, Path]]]:
    for task_dir in sorted(p for p in tasks_dir.iterdir() if p.is_dir()):
        if task_dir.name in SKIPPED_TASKS:
            continue
        specs = {
            kind: task_dir / "spec" / f"{kind}.json"
            for kind in SPEC_KINDS
            if (task_dir / "spec" / f"{kind}.json").is_file()
        }
        if specs:
            yield task_dir.name, specs


def build_task_schema(task: str, specs: dict[str, Path], common: Schema) -> Schema:
    builder = TaskSchemaBuilder(task=task, common=common)
    for kind, path in specs.items():
        builder.add_spec(kind, json.loads(path.read_text()))
    return builder.build()


def generate(package: Path) -> dict[Path, str]:
    """Return the content of every file to write, keyed by path."""
    ruff_executable()
    version = json.loads((package / "package.json").read_text())["version"]
    tasks_dir = find_tasks_dir(package)
    common = json.loads((tasks_dir / "common-definitions.json").read_text())
    files: dict[Path, str] = {}
    modules: dict[str, list[str]] = {}
    tasks = list(iter_tasks(tasks_dir))
    with tempfile.TemporaryDirectory(prefix="infermux-task-types-") as tmp:

        def one(task: str, specs: dict[str, Path]) -> dict[str, str]:
            schema = build_task_schema(task, specs, common)
            code = run_codegen(schema, Path(tmp), task)
            return {
                kind: ruff_format(
                    postprocess(part, task=task, kind=kind, version=version), Path(tmp)
                )
                for kind, part in split_by_kind(code, task, list(specs)).items()
            }

        # Each task is a few subprocesses (the converter, ruff): run them side by side.
        # The results are gathered in task order, so the output does not depend on timing.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            parts = list(pool.map(lambda item: one(*item), tasks))
        for (task, _), by_kind in zip(tasks, parts, strict=True):
            for kind, code in by_kind.items():
                names = defined_names(code)
                for name in names:
                    if keyword.iskeyword(name) or not name.isidentifier():
                        raise GenerationError(f"{task}: bad name {name!r}")
                module = f"{snake(task)}_{kind}"
                modules[module] = names
                files[GENERATED_DIR / f"{module}.py"] = code
    files[GENERATED_DIR / "__init__.py"] = (
        "# This file is generated by scripts/generate_task_types.py. DO NOT EDIT IT BY HAND.\n"
        f'"""Per-task modules generated from @huggingface/tasks {version}."""\n'
    )
    files[TYPES_DIR / "__init__.py"] = render_init(modules, version)
    return files


def vendor(package: Path) -> int:
    """Replace the vendored specs with those of an unpacked ``@huggingface/tasks`` package."""
    tasks_dir = find_tasks_dir(package)
    version = json.loads((package / "package.json").read_text())["version"]
    keep = VENDORED / "SOURCE.md"
    note = keep.read_text() if keep.exists() else ""
    if VENDORED.exists():
        shutil.rmtree(VENDORED)
    target = VENDORED / "src" / "tasks"
    target.mkdir(parents=True)
    for name in ("package.json", "LICENSE"):
        if (package / name).exists():
            shutil.copyfile(package / name, VENDORED / name)
    shutil.copyfile(tasks_dir / "common-definitions.json", target / "common-definitions.json")
    copied = 0
    for spec in sorted(tasks_dir.glob("*/spec/*.json")):
        destination = target / spec.relative_to(tasks_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(spec, destination)
        copied += 1
    if note:
        keep.write_text(note)
    print(f"vendored {copied} spec files of @huggingface/tasks {version}; update SOURCE.md")
    return 0


def _sha256(chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(len(chunk).to_bytes(8, "big"))
        digest.update(chunk)
    return digest.hexdigest()


def inputs_digest(package: Path) -> str:
    """Everything a generation's result depends on."""
    ruff = subprocess.run(
        [ruff_executable(), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()

    def chunks() -> Iterator[bytes]:
        yield Path(__file__).read_bytes()
        yield importlib.metadata.version("datamodel-code-generator").encode()
        yield ruff.encode()
        for path in sorted(package.rglob("*.json")):
            yield str(path.relative_to(package)).encode()
            yield path.read_bytes()

    return _sha256(chunks())


def outputs_digest(paths: list[Path]) -> str:
    def chunks() -> Iterator[bytes]:
        for path in sorted(paths):
            yield str(path.relative_to(REPO_ROOT)).encode()
            yield path.read_bytes() if path.exists() else b"<missing>"

    return _sha256(chunks())


def generated_paths() -> list[Path]:
    return [*GENERATED_DIR.glob("*.py"), TYPES_DIR / "__init__.py"]


def stamp_matches(package: Path) -> bool:
    """Whether the generated files are what the last full generation wrote, from the same
    inputs (then a full regeneration would give them again: it is deterministic)."""
    if package != VENDORED.resolve() or not STAMP.exists():
        return False
    try:
        stamp = json.loads(STAMP.read_text())
    except ValueError:
        return False
    return stamp == {
        "inputs": inputs_digest(package),
        "outputs": outputs_digest(generated_paths()),
    }


def write_stamp(package: Path) -> None:
    if package != VENDORED.resolve():
        return
    stamp = {"inputs": inputs_digest(package), "outputs": outputs_digest(generated_paths())}
    STAMP.write_text(json.dumps(stamp, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "package",
        type=Path,
        nargs="?",
        default=VENDORED,
        help="an unpacked @huggingface/tasks package (default: the vendored, pinned copy)",
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that the files are up to date"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="with --check: regenerate and compare even when the stamp says up to date",
    )
    parser.add_argument(
        "--vendor",
        type=Path,
        metavar="PACKAGE",
        help="replace the vendored specs with those of this unpacked package, then stop",
    )
    args = parser.parse_args(argv)
    if args.vendor is not None:
        return vendor(args.vendor.resolve())
    package: Path = args.package.resolve()
    if args.check and not args.full and stamp_matches(package):
        print(f"{len(generated_paths())} files up to date (stamp: same inputs, same files)")
        return 0
    try:
        files = generate(package)
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = []
        for path, content in files.items():
            current = path.read_text() if path.exists() else ""
            if current != content:
                stale.append(path)
                sys.stdout.writelines(
                    difflib.unified_diff(
                        current.splitlines(keepends=True),
                        content.splitlines(keepends=True),
                        str(path.relative_to(REPO_ROOT)),
                        "generated",
                    )
                )
        extra = set(GENERATED_DIR.glob("*.py")) - set(files)
        for path in sorted(extra):
            print(f"{path.relative_to(REPO_ROOT)}: not generated any more")
        if stale or extra:
            return 1
        print(f"{len(files)} files up to date")
        if not stamp_matches(package):
            print(f"note: {STAMP.relative_to(REPO_ROOT)} is stale; regenerate to refresh it")
        return 0
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    for path in set(GENERATED_DIR.glob("*.py")) - set(files):
        path.unlink()
    for path, content in sorted(files.items()):
        path.write_text(content)
    write_stamp(package)
    print(f"wrote {len(files)} files under {TYPES_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
