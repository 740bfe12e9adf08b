"""The test kit's pytest plugin is opt-in: installing infermux adds nothing to a user's
own test suite, and ``-p infermux.testing.pytest_plugin`` enables it."""

from __future__ import annotations

from importlib.metadata import entry_points

pytest_plugins = ["pytester"]

_USES_THE_FIXTURE = """
def test_uses_the_kit(infermux_cassette):
    assert callable(infermux_cassette)
"""


def test_infermux_declares_no_pytest11_entry_point():
    assert [ep for ep in entry_points(group="pytest11") if ep.value.startswith("infermux")] == []


def _user_suite(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user=_USES_THE_FIXTURE)


def test_a_suite_that_does_not_opt_in_has_none_of_its_fixtures(pytester):
    _user_suite(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'infermux_cassette' not found*"])


def test_a_suite_that_opts_in_gets_them(pytester):
    _user_suite(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "infermux.testing.pytest_plugin")
    result.assert_outcomes(passed=1)
