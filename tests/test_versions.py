"""core/versions.py: the plain-version fast path reads exactly what the pattern reads."""
import re

from hypothesis import example, given, strategies as st

from nodecfg.core.versions import Version, _plain_groups, parse_version

PATTERN = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")

VERSION_LIKE = st.text(alphabet="v0123456789.-x ٣²", max_size=14)


@given(st.one_of(VERSION_LIKE, st.text(max_size=20)))
@example("v1.31.2")
@example("1.31")
@example("v1.35.0-eks-5e0fdde")
@example("v1.2.3.4")
@example("vv1.2")
@example("v1..2")
@example("v١.٢")  # Arabic-Indic digits: \d matches them, the fast path leaves them to the pattern
def test_the_fast_path_agrees_with_the_pattern(text):
    groups = _plain_groups(text)
    if groups is not None:
        match = PATTERN.search(text)
        assert match is not None and match.groups() == groups


@given(st.tuples(st.booleans(), st.lists(st.integers(0, 10**12), min_size=2, max_size=3)))
def test_plain_versions_take_the_fast_path(case):
    prefixed, numbers = case
    text = ("v" if prefixed else "") + ".".join(map(str, numbers))
    assert _plain_groups(text) == (str(numbers[0]), str(numbers[1]), str(numbers[2]) if len(numbers) == 3 else None)


def test_parsed_versions():
    assert parse_version("v1.31.2") == Version(1, 31, 2)
    assert parse_version("1.31") == Version(1, 31, 0)
    assert parse_version("Kubernetes v1.31.2") == Version(1, 31, 2)  # not plain: the pattern's search
    assert parse_version("v1.35.0-eks-5e0fdde") == Version(1, 35, 0)
    assert parse_version("v1.2.3.4") == Version(1, 2, 3)
    assert parse_version("v0001.02") == Version(1, 2, 0)
    assert parse_version("v1234567890.1") is None  # ten digits: junk
    assert parse_version("no version") is None
