"""nodecfg against the real nodeadm, on generated NodeConfigs (see docs/conformance.md).

Runs only when $NODECFG_ORACLE names a built harness.  Each example is
compiled by nodecfg and run through ``nodeadm init --skip run``; the two trees
must be equal byte for byte (the kubelet environment file up to nodeadm's own
map order), and when nodeadm refuses the config nodecfg must refuse it too,
with a finding for the same reason (``reasons.REASONS``).

``HYPOTHESIS_PROFILE=differential`` runs 2,000 examples.  With
``NODECFG_DIFFERENTIAL_SHARD=i/n`` a process runs its n-th share of them with
its own seed, so n processes together run the whole profile in parallel;
``NODECFG_DIFFERENTIAL_LOG=FILE`` appends a line per example and
``NODECFG_DIFFERENTIAL_SEED`` (default 1000) picks other examples.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from .oracle import FIRST_CONFIG_CHAIN, compare_trees, nodeadm_output, outpost_hosts, run_nodeadm, skip_reason
from .reasons import expected_codes
from .strategies import Example, examples, mime

REASON = skip_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def _shard() -> tuple[int, int]:
    value = os.environ.get("NODECFG_DIFFERENTIAL_SHARD", "0/1")
    index, count = (int(part) for part in value.split("/"))
    return index, count


def write_sources(example: Example, workdir: Path, user_data_only: bool = False
                  ) -> tuple[Path, list[str], list, dict]:
    """(nodeadm's first source, its further --config-source URLs, nodecfg's sources, instance).

    ``user_data_only``: the node reads nothing but IMDS user data (the service
    before FIRST_CONFIG_CHAIN), so every layout becomes user data: the one
    YAML document as is, several as MIME parts.
    """
    texts = example.yaml_texts
    instance = dict(example.instance)
    source_dir = workdir / "src"
    source_dir.mkdir()
    extra: list[str] = []
    if user_data_only:
        single = len(texts) == 1 and example.layout in ("file", "dir")
        user_data = texts[0].encode() if single else mime(texts, broken=example.broken_mime)
        first = source_dir / "userdata"
        first.write_bytes(user_data)
        instance["userData"] = user_data.decode()
        return first, extra, [user_data], instance
    if example.layout == "mime":
        first = source_dir / "userdata.mime"
        first.write_bytes(mime(texts, broken=example.broken_mime))
        return first, extra, [str(first)], instance
    if example.layout == "dir":
        first = source_dir / "dropins"
        first.mkdir()
        for index, text in enumerate(texts):
            (first / f"{index:02d}-part.yaml").write_text(text)
        return first, extra, [str(first)], instance
    first = source_dir / "config.yaml"
    first.write_text(texts[0])
    sources: list = [str(first)]
    if example.layout == "file+dir":
        dropins = source_dir / "dropins"
        dropins.mkdir()
        for index, text in enumerate(texts[1:]):
            (dropins / f"{index:02d}-part.yaml").write_text(text)
        extra.append(f"file://{dropins}")
        sources.append(str(dropins))
    elif example.layout == "file+imds":
        user_data = mime(texts[1:], broken=example.broken_mime)
        instance["userData"] = user_data.decode()
        extra.append("imds://user-data")
        sources.append(user_data)
    return first, extra, sources, instance


def _log_progress(example: Example, outcome: str, started: float) -> None:
    """One line per example to $NODECFG_DIFFERENTIAL_LOG, so a long run can be followed."""
    path = os.environ.get("NODECFG_DIFFERENTIAL_LOG")
    if path:
        with open(path, "a") as handle:
            handle.write(f"{time.time():.1f} {time.time() - started:.1f}s {outcome} {example.layout} "
                         f"{example.instance['kubeletVersion']} {example.instance['containerdVersion']}\n")


def check_example(example: Example, release: str | None = None, root: Path | None = None) -> None:
    """nodecfg (on ``release`` when given) against the harness at ``root`` (default $NODECFG_ORACLE)."""
    started = time.time()
    try:
        _check_example(example, release, root)
    except BaseException as error:
        _log_progress(example, f"FAIL {release or ''} {error!s:.6000}\n", started)
        raise
    _log_progress(example, f"ok {release or ''}".rstrip(), started)


def _check_example(example: Example, release: str | None = None, root: Path | None = None) -> None:
    import nodecfg.api
    from nodecfg.core.diagnostics import Severity
    from nodecfg.nodeadm.instance_table import parse_table_text
    from nodecfg.core.codes import is_blocking

    user_data_only = release is not None and release < FIRST_CONFIG_CHAIN
    nodecfg_instance = example.nodecfg_instance()
    options = {}
    if release is not None:
        nodecfg_instance.pop("sandboxImage")  # the release's own default
        options["release"] = release
    with tempfile.TemporaryDirectory(prefix="nodecfg-diff-") as scratch:
        workdir = Path(scratch)
        first, extra, sources, instance = write_sources(example, workdir, user_data_only)
        table_text = example.instance_table_text()
        table = parse_table_text(table_text)[0] if table_text else None
        ours = nodecfg.api.compile(sources, instance=nodecfg_instance, mode="self-managed",
                                   instance_table=table, **options)
        theirs = run_nodeadm(first, instance, workdir, extra, root=root, user_data_only=user_data_only)
    findings = "\n".join(str(d) for d in ours.diagnostics)
    sources_text = "\n---8<---\n".join(example.yaml_texts)
    context = (f"release {release or 'default'}, layout {example.layout}"
               f"{' as user data' if user_data_only else ''}, instance {example.instance}\n{sources_text}")
    if theirs.exit_code != 0:
        errors = {d.code for d in ours.diagnostics if d.severity is Severity.ERROR}
        output = nodeadm_output(theirs.log)
        wanted = expected_codes(output, release)
        assert wanted is not None, f"nodeadm failed for a reason reasons.py does not know:\n{output}\n{context}"
        assert any(is_blocking(d) for d in ours.diagnostics) and errors & wanted, (
            f"nodeadm refused ({output.strip()[-400:]}); nodecfg should with one of {sorted(wanted)}, "
            f"found:\n{findings}\n{context}")
        return
    assert not any(is_blocking(d) for d in ours.diagnostics), f"nodecfg refused what nodeadm accepts:\n{findings}\n{context}"
    merged_flags = (((ours.config or {}).get("spec") or {}).get("kubelet") or {}).get("flags") or []
    problems = compare_trees(theirs.files, ours.files, [f for f in merged_flags if isinstance(f, str)])
    assert not problems, "\n".join(problems) + "\n" + context


_INDEX, _COUNT = _shard()


# NODECFG_DIFFERENTIAL_NO_SHRINK=1 reports the first failing example as generated
# (shrinking one costs dozens of nodeadm runs).
_PHASES = [Phase.explicit, Phase.generate] if os.environ.get("NODECFG_DIFFERENTIAL_NO_SHRINK") \
    else list(Phase)


@seed(int(os.environ.get("NODECFG_DIFFERENTIAL_SEED", "1000")) + _INDEX)
@settings(max_examples=max(1, settings.default.max_examples // _COUNT), deadline=None, database=None,
          suppress_health_check=list(HealthCheck), phases=_PHASES)
@given(examples())
def test_nodecfg_writes_what_nodeadm_writes(example: Example) -> None:
    check_example(example)


# --- the golden trees, against the real nodeadm ---------------------------------

GOLDEN = Path(__file__).parent.parent.parent / "golden"
INSTANCE_KEYS = {"instance_type": "instanceType", "instance_id": "instanceId", "region": "region",
                 "availability_zone": "availabilityZone", "mac": "mac", "local_ipv4": "localIpv4",
                 "local_ipv6": "localIpv6", "private_dns_name": "privateDnsName",
                 "kubelet_version": "kubeletVersion", "containerd_version": "containerdVersion",
                 "vcpus": "vcpus", "memory_mib": "memoryMiB"}


def _golden_cases() -> list:
    params = []
    for case_dir in sorted(GOLDEN.glob("*/case.yaml")):
        name = case_dir.parent.name
        text = case_dir.read_text()
        reason = ""
        if not (case_dir.parent / "expected" / "rootfs").is_dir():
            reason = "nodecfg writes no tree for this case"
        elif "mode:" in text:
            reason = "a fragment for another --mode: nodeadm sees it only with the injected fields"
        elif ".b64" in text:
            reason = "base64 user data is decoded by EC2 before nodeadm reads it"
        elif _holds_user_data(case_dir.parent, text):
            reason = ("a file holding user data (CloudFormation, launch template, Terraform, EC2NodeClass): "
                      "EC2 hands nodeadm the user data inside, not the file")
        elif name == "heredoc-dropin":
            reason = "its drop-ins are written by a shell part cloud-init runs before nodeadm; the harness has no cloud-init"
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def _holds_user_data(case_dir: Path, case_text: str) -> bool:
    from nodecfg.parse.containers import maybe_container
    from nodecfg.parse.yaml import parse_yaml_documents

    sources = parse_yaml_documents(case_text, "case.yaml")[0][0].data["sources"]
    return any((case_dir / source).is_file() and maybe_container((case_dir / source).read_bytes())
               for source in sources)


@pytest.mark.parametrize("case", _golden_cases())
def test_golden_tree_is_what_nodeadm_writes(case: str, tmp_path: Path) -> None:
    """Each reviewed golden/<case>/expected/rootfs equals the real nodeadm's tree."""
    from nodecfg.api import compile as compile_sources
    from nodecfg.parse.yaml import parse_yaml_documents

    from .oracle import read_tree

    case_dir = GOLDEN / case
    spec = parse_yaml_documents((case_dir / "case.yaml").read_text(), "case.yaml")[0][0].data
    previous = os.getcwd()
    os.chdir(case_dir)
    try:
        result = compile_sources(spec["sources"], spec.get("instance"))
    finally:
        os.chdir(previous)
    instance = {key: getattr(result.instance, attr) for attr, key in INSTANCE_KEYS.items()}
    if result.instance.accelerator == "nvidia":
        instance["pciVendors"] = ["0x10de"]
        instance["files"] = {"/usr/bin/nvidia-container-runtime": ""}
    cluster = ((result.config or {}).get("spec") or {}).get("cluster") or {}
    if cluster.get("enableOutpost") is True:
        instance["files"] = {"/etc/hosts": outpost_hosts(cluster.get("apiServerEndpoint", ""))}
    sources = [case_dir / source for source in spec["sources"]]
    theirs = run_nodeadm(sources[0], instance, tmp_path, [f"file://{source}" for source in sources[1:]])
    assert theirs.exit_code == 0, nodeadm_output(theirs.log)
    expected = read_tree(case_dir / "expected" / "rootfs")
    flags = (((result.config or {}).get("spec") or {}).get("kubelet") or {}).get("flags") or []
    problems = compare_trees(theirs.files, expected, flags)
    assert not problems, "\n".join(problems)
