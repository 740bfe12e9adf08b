"""One definition of what a credential looks like, shared by every check that needs it."""

from __future__ import annotations

import importlib.util
import sys

from infermux.secret_patterns import KEY_SHAPED, SECRET_PATTERNS, find_secrets, scrub_key_shaped
from infermux.testing import conformance
from tests import test_cassette_hygiene
from tests.conftest import ROOT


def test_the_kit_the_hygiene_test_and_the_import_script_share_one_definition():
    spec = importlib.util.spec_from_file_location(
        "import_recordings_for_test", ROOT / "scripts" / "import_recordings.py"
    )
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    try:
        spec.loader.exec_module(script)
        assert script.SECRET_PATTERNS is SECRET_PATTERNS
        assert script.KEY_SHAPED is KEY_SHAPED
    finally:
        del sys.modules[spec.name]
    assert conformance.SECRET_PATTERNS is SECRET_PATTERNS
    assert test_cassette_hygiene.SECRET_PATTERNS is SECRET_PATTERNS
    assert test_cassette_hygiene.KEY_SHAPED is KEY_SHAPED


def test_credentials_are_found_and_prose_is_not():
    assert find_secrets("Authorization: Bearer abcdef0123456789abcd") == ["Bearer credential"]
    assert find_secrets("token hf_" + "a1" * 17) == ["Hugging Face token"]
    assert find_secrets("Key characteristics of the model") == []
    assert find_secrets('WWW-Authenticate: Bearer realm="api"') == []


def test_key_shaped_text_is_scrubbed_at_the_same_length():
    text = '"GT4SD/multitask-text-and-chemistry-t5"'
    scrubbed = scrub_key_shaped(text)
    assert len(scrubbed) == len(text)
    assert not KEY_SHAPED.search(scrubbed)
    assert scrubbed.startswith('"GT4SD/multita')
