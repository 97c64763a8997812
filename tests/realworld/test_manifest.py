"""The corpus manifest is well formed and its extraction steps work (no checkout needed)."""
from __future__ import annotations

import re

import pytest

from nodecfg.linter.registry import catalogue
from nodecfg.core.modes import MODES

from .corpus import KINDS, LATEST, extract, load_manifest, manifest_releases

SAMPLES = load_manifest()
RELEASES = manifest_releases()


def test_manifest_is_well_formed():
    assert 90 <= len(SAMPLES) <= 150
    assert len({s.id for s in SAMPLES}) == len(SAMPLES)
    for sample in SAMPLES:
        if sample.issue:  # text from a thread, pinned by the hash of what is linted
            assert sample.issue > 0 and re.fullmatch(r"[0-9a-f]{64}", sample.sha256), sample.id
            assert not sample.commit and not sample.path, sample.id
        else:
            assert re.fullmatch(r"[0-9a-f]{40}", sample.commit) and sample.path, sample.id
        assert sample.mode in MODES, sample.id
        assert sample.kind in KINDS, sample.id
        assert set(sample.expect) <= set(catalogue()), sample.id
        assert not sample.expect or sample.why, f"{sample.id}: a verdict with problems says why"
        assert set(sample.at_release) <= set(RELEASES) - {LATEST}, sample.id
        assert all(set(codes) <= set(catalogue()) for codes in sample.at_release.values()), sample.id
        assert not sample.at_release or sample.release_why, f"{sample.id}: a verdict per release says why"


def test_the_corpus_is_linted_at_an_older_release_and_each_is_known():
    from nodecfg.nodeadm.release import resolve

    assert RELEASES[0] == LATEST and len(RELEASES) >= 2
    assert all(resolve(tag) == tag for tag in RELEASES[1:])


def test_the_corpus_has_the_sources_issue_23_asks_for():
    assert sum(1 for s in SAMPLES if s.issue) >= 15
    assert len({(s.repo, s.issue) for s in SAMPLES if s.issue}) >= 14
    assert sum(1 for s in SAMPLES if s.kind == "ec2nodeclass") >= 10
    assert sum(1 for s in SAMPLES if s.kind == "launch-template" and s.mode == "managed-nodegroup") >= 8


def test_fence_and_lines_and_dedent():
    text = "intro\n```yaml\na: 1\n  b: 2\n```\n\n~~~\nsecond\n~~~\n"
    assert extract(text, ("fence:1",)) == "a: 1\n  b: 2\n"
    assert extract(text, ("fence:2",)) == "second\n"
    assert extract("  x\n    y\n  z\n", ("lines:2-3", "dedent")) == "  y\nz\n"


def test_yaml_value_by_kind_and_path_with_a_list_index():
    text = "kind: NodePool\n---\nkind: EC2NodeClass\nspec:\n  userData: |\n    #!/bin/bash\n    echo\n"
    assert extract(text, ("yaml:EC2NodeClass:spec.userData",)) == "#!/bin/bash\necho\n"
    assert extract("groups:\n  - cmd: one\n  - cmd: two\n", ("yaml:*:groups.1.cmd",)) == "two"


def test_terraform_heredoc_drops_common_indentation_only_for_the_dash_form():
    text = 'a = <<-EOT\n    ---\n    kind: NodeConfig\n  EOT\nb = <<EOT\n  kept\nEOT\n'
    assert extract(text, ("heredoc:1",)) == "---\nkind: NodeConfig\n"
    assert extract(text, ("heredoc:2",)) == "  kept\n"


def test_a_missing_block_is_an_extraction_error():
    with pytest.raises(ValueError):
        extract("no fences here\n", ("fence:1",))
