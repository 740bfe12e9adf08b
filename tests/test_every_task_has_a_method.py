"""Every task the vendored Hugging Face specs define (``scripts/vendor/huggingface-tasks``, from
which ``infermux/types/_generated/`` is generated) has a method on both clients, or a
documented method that covers it."""

from __future__ import annotations

import inspect

from infermux import AsyncInferenceClient, InferenceClient
from tests.conftest import ROOT

SPECS = ROOT / "scripts" / "vendor" / "huggingface-tasks" / "src" / "tasks"

#: Spec tasks served by a method of another name (docs/guide/tasks.md says so).
COVERED_BY = {
    "image_text_to_image": "image_to_image",  # an image and a prompt in, an image out
    "image_text_to_video": "image_to_video",  # an image and a prompt in, a video out
}


def spec_tasks() -> list[str]:
    """The tasks with a spec (an input and an output), as method names."""
    return sorted(
        spec.parent.parent.name.replace("-", "_")
        for spec in SPECS.glob("*/spec/output.json")
        if spec.parent.parent.name != "placeholder"  # the specs' template, not a task
    )


def test_every_spec_task_has_a_client_method():
    tasks = spec_tasks()
    assert len(tasks) >= 31, tasks
    missing = [
        task
        for task in tasks
        for client in (InferenceClient, AsyncInferenceClient)
        if not callable(getattr(client, COVERED_BY.get(task, task), None))
    ]
    assert missing == []


def test_the_methods_covering_other_tasks_take_a_prompt_and_are_documented():
    guide = (ROOT / "docs" / "guide" / "tasks.md").read_text(encoding="utf-8")
    for task, method in COVERED_BY.items():
        assert "prompt" in inspect.signature(getattr(InferenceClient, method)).parameters
        spelled = task.replace("_", "-")
        assert f"`{spelled}`" in guide, task
        assert f"`{method}(image, prompt)`" in guide, task
