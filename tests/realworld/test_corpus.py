"""Lint the public real-world corpus (manifest.toml) from fetched checkouts; opt-in.

    NODECFG_REALWORLD=/work/.mirror NODECFG_REALWORLD_ISSUES=/work/realworld-issues \
        pytest tests/realworld/test_corpus.py -rA

Skipped unless $NODECFG_REALWORLD names the directory of fetched checkouts;
the samples taken from issue threads are skipped unless
$NODECFG_REALWORLD_ISSUES names the directory of their text (corpus.py).
Each sample passes when nodecfg reports exactly the codes of its verdict, at
the newest release and at each older release the manifest names (its
verdict there may differ: ``at_release``); $NODECFG_REALWORLD_RELEASE
chooses other releases.  The report line of each sample (mode, findings,
verdict) is printed with -rA.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .corpus import ENV, ISSUES_ENV, load_manifest, manifest_releases, report, run_sample

ROOT = os.environ.get(ENV)
if not ROOT:
    pytest.skip(f"set {ENV} to the directory of fetched checkouts to lint the real-world corpus",
                allow_module_level=True)

SAMPLES = load_manifest()
RELEASES = manifest_releases()
ISSUES = os.environ.get(ISSUES_ENV)


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_sample_gets_its_verdict(sample, release):
    if sample.issue and not ISSUES:
        pytest.skip(f"set {ISSUES_ENV} to lint the samples taken from issue threads")
    outcome = run_sample(Path(ROOT), sample, Path(ISSUES) if ISSUES else None, release)
    print(release, report([outcome]).splitlines()[0])
    assert not outcome.problem, outcome.problem
    assert not outcome.false_errors, f"false errors {sorted(outcome.false_errors)}: {outcome.findings}"
    assert not outcome.missed, f"true problems not reported {sorted(outcome.missed)}: {outcome.findings}"
    assert outcome.codes == outcome.expected, outcome.findings
