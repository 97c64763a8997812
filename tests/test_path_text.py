"""parse/files.py names sources as pathlib did, without importing it (issue 24): path_text and
parent_text against pathlib's own spelling, over hand-picked and generated paths."""
from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nodecfg.parse.files import parent_text, path_text

CASES = ["", ".", "..", "/", "//", "///", "a", "a/", "a//b", "./a", "a/./b", "a/.", "a/..", "../a", "//a/b",
         "///a/b", "/a/b/", "nodeadm.d/", "dir/./nodeadm.d/.", " a ", "a/ /b", "~/x.yaml", "a\\b"]


@pytest.mark.parametrize("path", CASES)
def test_path_text_spells_a_path_as_pathlib_does(path):
    assert path_text(path) == str(PurePosixPath(path))
    assert parent_text(path_text(path)) == str(PurePosixPath(path).parent)


@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.yaml", "nodeadm.d", " ", "é"]), max_size=6),
       st.integers(0, 3), st.booleans())
def test_path_text_agrees_with_pathlib_on_generated_paths(parts, leading, trailing):
    path = "/" * leading + "/".join(parts) + ("/" if trailing else "")
    assert path_text(path) == str(PurePosixPath(path))
    assert parent_text(path_text(path)) == str(PurePosixPath(path).parent)
