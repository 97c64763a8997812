"""nodecfg ``release=TAG`` against the nodeadm built at AMI release TAG (see docs/conformance.md).

``NODECFG_ORACLES="v20250715=/tmp/nodeadm-v20250715,v20260724=/tmp/nodeadm-oracle"`` lists
harnesses built at release tags (``/work/shared/oracle`` README, "Another AMI release").
Each generated example is compiled by nodecfg with ``release=TAG`` and run through
that release's nodeadm as its nodeadm-config.service ran it: before
FIRST_CONFIG_CHAIN the one source ``imds://user-data`` and no ``--config-cache``,
from it the sources and cache of today's suite.  Trees must be byte-equal (the
kubelet environment file up to nodeadm's map order) and a refusal must be
matched by a nodecfg refusal for the same reason, as in test_differential.

``NODECFG_RELEASE_EXAMPLES`` (default 50) examples per release;
``NODECFG_DIFFERENTIAL_SEED`` picks other examples; ``NODECFG_DIFFERENTIAL_LOG`` and
``NODECFG_DIFFERENTIAL_NO_SHRINK`` are those of test_differential.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from .oracle import ORACLES_ENV, harness_problem, release_oracles
from .strategies import Example, examples
from .test_differential import check_example


def _params() -> list:
    pairs = release_oracles()
    if not pairs:
        reason = (f"set {ORACLES_ENV} to TAG=HARNESS pairs of nodeadm harnesses built at AMI release tags "
                  "(see docs/conformance.md) to run the per-release differential suite")
        return [pytest.param("", Path(), id="no-release-oracles", marks=pytest.mark.skip(reason=reason))]
    params = []
    for tag, root in pairs:
        problem = harness_problem(root, f"{ORACLES_ENV} {tag}")
        marks = [pytest.mark.skip(reason=problem)] if problem else []
        params.append(pytest.param(tag, root, id=tag, marks=marks))
    return params


# Before this release nodeadm still renders kubelet 1.24-1.26 differently (41298160), and those
# releases ship them (CHANGELOG.md), so their examples draw kubelets from 1.24 on.
EOL_CLEANUP = "v20250821"
_EXAMPLES = int(os.environ.get("NODECFG_RELEASE_EXAMPLES", "50"))
# NODECFG_DIFFERENTIAL_KEEP_GOING=1: run every example, then fail with all the differences
# (a per-release count for the conformance note) instead of stopping at the first.
_KEEP_GOING = bool(os.environ.get("NODECFG_DIFFERENTIAL_KEEP_GOING"))
_PHASES = [Phase.explicit, Phase.generate] if os.environ.get("NODECFG_DIFFERENTIAL_NO_SHRINK") or _KEEP_GOING \
    else list(Phase)


@pytest.mark.parametrize("release,root", _params())
def test_release_writes_what_its_nodeadm_writes(release: str, root: Path) -> None:
    failures: list[str] = []

    @seed(int(os.environ.get("NODECFG_DIFFERENTIAL_SEED", "1000")))
    @settings(max_examples=_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=_PHASES)
    @given(example=examples(oldest_minor=24 if release < EOL_CLEANUP else 27))
    def run(example: Example) -> None:
        try:
            check_example(example, release, root)
        except AssertionError as error:
            if not _KEEP_GOING:
                raise
            failures.append(str(error))

    run()
    assert not failures, f"{len(failures)} examples differ on {release}:\n\n" + "\n\n".join(failures)


# Instance types whose presence in nodeadm's packaged max-pods table changes between releases
# (eni-max-pods.txt, then instance-info.jsonl from v20251007): without EC2 figures a type the
# release's table lacks gets 110, one it has gets its table value.
TABLE_PROBES = (
    "g3.4xlarge",      # removed at v20250203
    "f2.12xlarge",     # added at v20250116
    "c8gd.12xlarge",   # added at v20250501
    "i3.metal",        # removed at v20250801
    "r8i-flex.12xlarge",  # added at v20250821
    "c8a.12xlarge",    # added at v20251217
    "p3.2xlarge",      # removed at v20260512
    "c9g.12xlarge",    # added at v20260707
)


@pytest.mark.parametrize("instance_type", TABLE_PROBES)
@pytest.mark.parametrize("release,root", _params())
def test_release_max_pods_table(release: str, root: Path, instance_type: str) -> None:
    """The release's own max-pods table decides, type by type, as its nodeadm does."""
    from .strategies import CA

    document = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
                "spec": {"cluster": {"name": "c", "apiServerEndpoint": "https://example.com",
                                     "certificateAuthority": CA, "cidr": "10.100.0.0/16"}}}
    instance = {"instanceType": instance_type, "instanceId": "i-1234567890abcdef0", "region": "us-west-2",
                "availabilityZone": "us-west-2f", "mac": "0e:49:61:0f:c3:11", "localIpv4": "172.16.34.43",
                "privateDnsName": "ip-172-16-34-43.ec2.internal", "localIpv6": None,
                "kubeletVersion": "1.31.4", "containerdVersion": "1.7.27", "vcpus": 48, "memoryMiB": 98304}
    check_example(Example([document], "file", instance), release, root)
