"""A declared rename table on every helper (``parameter_renames`` + ``rename()``), and the
conformance check that keeps each table honest."""

from __future__ import annotations

from typing import Any

import pytest

from infermux.helpers.base import TaskProviderHelper
from infermux.testing.conformance import identity_problems


class _Painter(TaskProviderHelper):
    provider = "painter"
    task = "text-to-image"
    base_url = "https://api.painter.example"
    supported_parameters = frozenset({"num_inference_steps", "guidance_scale", "seed"})
    parameter_renames = {"num_inference_steps": "steps", "guidance_scale": "cfg"}


def test_rename_applies_the_table_and_keeps_other_names():
    parameters = {"num_inference_steps": 4, "guidance_scale": 3.5, "seed": 7}
    assert _Painter().rename(parameters) == {"steps": 4, "cfg": 3.5, "seed": 7}


def test_rename_drops_what_the_helper_handles_itself():
    assert _Painter().rename({"seed": 7, "details": True}, drop={"details"}) == {"seed": 7}


def test_every_helper_has_an_empty_table_by_default():
    class Plain(TaskProviderHelper):
        pass

    assert Plain.parameter_renames == {}
    assert Plain().rename({"a": 1}) == {"a": 1}


def test_a_valid_table_has_no_conformance_problem():
    assert identity_problems(_Painter()) == []


@pytest.mark.parametrize(
    ("renames", "expected"),
    [
        ({"num_inference_step": "steps"}, "renames 'num_inference_step', which"),
        ({"seed": ""}, "must map parameter names to names"),
        ([("seed", "s")], "must map parameter names to names"),
    ],
    ids=["typo", "empty-wire-name", "not-a-mapping"],
)
def test_conformance_flags_a_bad_table(renames: Any, expected: str):
    helper = _Painter()
    helper.parameter_renames = renames
    problems = identity_problems(helper)
    assert len(problems) == 1
    assert expected in problems[0]


def test_first_party_plugins_use_the_declared_table():
    from infermux_black_forest_labs import BlackForestLabsTextToImage
    from infermux_groq import GroqTextGeneration
    from infermux_hyperbolic import HyperbolicTextToImage
    from infermux_novita import NovitaTextToVideo

    for helper, spec, wire in [
        (BlackForestLabsTextToImage(), "guidance_scale", "guidance"),
        (GroqTextGeneration(), "max_new_tokens", "max_completion_tokens"),
        (HyperbolicTextToImage(), "guidance_scale", "cfg_scale"),
        (NovitaTextToVideo(), "num_inference_steps", "steps"),
    ]:
        assert helper.rename({spec: 1}) == {wire: 1}, helper
        assert identity_problems(helper) == [], helper
