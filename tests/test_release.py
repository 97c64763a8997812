"""Release profiles (nodecfg/nodeadm/release.py): the data and what a profile answers."""
from __future__ import annotations

import pytest

from nodecfg.nodeadm import release as r


def test_seventy_one_tags_in_order():
    assert len(r.TAGS) == 71
    assert r.TAGS[0] == "v20250103" and r.LATEST == "v20260724"
    assert list(r.TAGS) == sorted(r.TAGS)


def test_every_change_is_keyed_by_a_known_tag_with_a_commit():
    for change in r.CHANGES:
        assert change.since in r.TAGS and (not change.until or change.until in r.TAGS)
        assert len(change.commit) == 8 and change.subject


def test_releases_without_a_modelled_change_share_a_profile():
    # nothing nodecfg models changed between v20251023 and v20251209 (v20251217 adds instance.network)
    assert r.profile("v20251023") is r.profile("v20251209")
    assert r.profile("v20251209") is not r.profile("v20251217")
    assert r.profile("latest") is r.profile("v20260724") is r.profile(None)


@pytest.mark.parametrize("key, first", [
    (r.MAX_PODS_EXPRESSION, "v20251007"), (r.FAST_IMAGE_PULL, "v20250821"), (r.INSTANCE_ENVIRONMENT, "v20251007"),
    (r.INSTANCE_NETWORK, "v20251217"), (r.CONFIG_CHAIN, "v20251023"), (r.SANDBOX_LATEST_TAG, "v20260625"),
    (r.CONTAINERD2_TEMPLATE, "v20250807"),  # the v20250501 template was reverted at v20250519
])
def test_boundary_is_on_the_tag_that_introduces_it(key, first):
    before = r.TAGS[r.TAGS.index(first) - 1]
    assert r.profile(first).has(key) and not r.profile(before).has(key)
    assert r.first_with(key) == first


def test_a_reverted_change_is_absent_after_its_revert():
    assert r.profile("v20250501").has(r.CONTAINERD2_TEMPLATE)
    assert not r.profile("v20250519").has(r.CONTAINERD2_TEMPLATE)


def test_profile_answers():
    old, new = r.profile("v20250103"), r.profile("latest")
    assert old.sandbox_image == "localhost/kubernetes/pause"
    assert new.sandbox_image == "localhost/kubernetes/pause:latest"
    assert old.kubelet_dropin_name == "00-nodeadm.conf" and new.kubelet_dropin_name == "40-nodeadm.conf"
    assert old.soci_thresholds == (8000, 8) and new.soci_thresholds == (4000, 7)


@pytest.mark.parametrize("bad", ["v20241231", "v20990101", "20250104", "banana"])
def test_unknown_release_names_the_range(bad):
    with pytest.raises(r.ReleaseError, match="v20250103 to v20260724"):
        r.resolve(bad)


def test_date_alone_is_accepted():
    assert r.resolve("20250715") == "v20250715"


def test_shipped_versions_from_the_changelog():
    # CHANGELOG.md at v20250715, "Kubernetes 1.32": kubelet 1.32.3, containerd 1.7.27
    assert r.shipped_versions("v20250715", "1.32") == ("v1.32.3", "1.7.27")
    with pytest.raises(r.ReleaseError, match="no AMI for Kubernetes 1.20"):
        r.shipped_versions("v20250715", "1.20")


def test_pins_read_from_container_text():
    assert r.pinned_releases("amiSelectorTerms:\n  - alias: al2023@v20250715\n") == ["v20250715"]
    assert r.pinned_releases('"ReleaseVersion": "1.33.0-20250801"') == ["v20250801"]
    assert r.pinned_releases('"release_version": "1.33.0-20250801"') == ["v20250801"]
    assert r.pinned_releases("name: amazon-eks-node-al2023-x86_64-standard-1.33-v20250704") == ["v20250704"]
    assert r.pinned_releases("alias: al2023@latest") == ["latest"]
    assert r.pinned_releases("image: public.ecr.aws/x:v20250101") == []


def test_changes_between_lists_the_upgrade_reasons():
    keys = [c.key for c in r.changes_between("v20250715", "v20251023")]
    assert r.MAX_PODS_EXPRESSION in keys and r.CONFIG_CHAIN in keys
    assert r.SANDBOX_LATEST_TAG not in keys and r.KUBELET_DROPIN_40 not in keys  # before / after the span


def test_retired_types_keep_their_max_pods_on_the_releases_that_had_them():
    # p3.2xlarge: eni-max-pods.txt "p3.2xlarge 58" until f1/p3 left the table at v20260512
    assert r.retired_max_pods("v20260505", "p3.2xlarge") == 58
    assert r.retired_max_pods("v20260512", "p3.2xlarge") is None
    assert r.retired_max_pods("v20250203", "g3.4xlarge") is None and r.retired_max_pods("v20250116", "g3.4xlarge") == 234
    assert r.retired_max_pods("v20250103", "m5.large") is None  # in today's table: not retired


def test_types_added_later_are_unknown_to_older_releases():
    from nodecfg.context.instance import DEFAULT_INSTANCE, with_release
    from nodecfg.nodeadm.instance_table import InstanceTypeInfo
    from nodecfg.context.maxpods import compute_max_pods

    # c8a.12xlarge entered instance-info.jsonl at v20251217: v20251016's nodeadm asks EC2 (110 without an answer)
    assert not r.in_release_table("v20251209", "c8a.12xlarge") and r.in_release_table("v20251217", "c8a.12xlarge")
    old = with_release(DEFAULT_INSTANCE._replace(instance_type="c8a.12xlarge"), "v20251016")
    assert compute_max_pods(old, None).source == "fallback-unknown-type"
    new = with_release(DEFAULT_INSTANCE._replace(instance_type="c8a.12xlarge"), "v20251217")
    assert compute_max_pods(new, None).source == "table"
    answered = {"c8a.12xlarge": InstanceTypeInfo("c8a.12xlarge", 8, 30)}  # EC2's figures given with --instance-table
    assert compute_max_pods(old, None, answered).value == 8 * 29 + 2


def test_compile_uses_the_retired_figure():
    from nodecfg.context.instance import DEFAULT_INSTANCE, with_release
    from nodecfg.context.maxpods import compute_max_pods

    old = with_release(DEFAULT_INSTANCE._replace(instance_type="p3.2xlarge"), "v20250715")
    assert compute_max_pods(old, None).value == 58
    assert compute_max_pods(DEFAULT_INSTANCE._replace(instance_type="p3.2xlarge"), None).value == 110


def test_reasons_name_the_commit_of_each_boundary_crossed():
    # b1e7d354 changes the environment file by KUBELET_CONFIG_DROPIN_DIR_ALPHA, --pod-infra-container-image and
    # --config-dir only: it is no reason for --runtime-cgroups, which e9ce09d6 adds at the same release
    assert r.reasons_for("etc/eks/kubelet/environment", ["--runtime-cgroups"], "v20260107", "latest") == [
        "v20260209 e9ce09d6 fix: set the runtime-cgroup flag (#2617)"]
    assert r.reasons_for("etc/eks/kubelet/environment", ["--runtime-cgroups", "KUBELET_CONFIG_DROPIN_DIR_ALPHA"],
                         "v20260107", "latest") == [
        "v20260209 e9ce09d6 fix: set the runtime-cgroup flag (#2617)",
        "v20260209 b1e7d354 chore: clean up kubelet config file logic  (#2613)"]
    # the containerd 2 template of v20250501 was reverted at v20250519 (17cfd136)
    assert r.reasons_for("etc/containerd/config.toml", [], "v20250514", "v20250519") == [
        "v20250519 revert of 3477d8f1 Upgrade to Containerd2.0 for 1.33+ (#2235)"]
    assert r.reasons_for("etc/containerd/config.toml", [], "v20251023", "v20251209") == []


def test_a_change_reverted_inside_the_span_is_no_change():
    # 3477d8f1 came at v20250501 and went at v20250519: from before it to after it, nothing of it is left,
    # and from inside its span to v20250807 the template it brought is back by bacd4c1c (same key)
    assert r.CONTAINERD2_TEMPLATE not in {c.key for c in r.changes_between("v20250419", "v20250610")}
    assert [c.commit for c in r.changes_between("v20250419", "v20250807") if c.key == r.CONTAINERD2_TEMPLATE] == [
        "bacd4c1c"]
    assert r.CONTAINERD2_TEMPLATE not in {c.key for c in r.changes_between("v20250505", "v20250807")}
    assert [c.commit for c in r.changes_between("v20250505", "v20250610") if c.key == r.CONTAINERD2_TEMPLATE] == [
        "3477d8f1"]
    assert r.changes_between("v20250610", "v20250505") == r.changes_between("v20250505", "v20250610")


def test_boundaries_are_the_releases_whose_profile_differs_from_the_one_before():
    assert r.boundaries("v20250715", "v20250821") == [
        ("v20250804", "v20250807"), ("v20250807", "v20250813"), ("v20250813", "v20250819"),
        ("v20250819", "v20250821")]
    assert r.boundaries("v20250821", "v20250715") == r.boundaries("v20250715", "v20250821")
    assert r.boundaries("v20251023", "v20251209") == []
    assert {c.commit for c in r.changes_at("v20250501")} == {"55246f3e", "3477d8f1"}
    assert [c.commit for c in r.changes_at("v20250519")] == ["3477d8f1"]


def test_reasons_with_effects_keep_the_boundaries_that_change_the_file():
    path, old, new = "etc/containerd/config.toml", "v20250807", "v20250821"
    sandbox = "/plugins/io.containerd.cri.v1.images/snapshotter"
    # without effects: every change whose pattern names the file
    assert [reason.split()[1] for reason in r.reasons_for(path, [sandbox], old, new)] == [
        "69b11404", "28454ab9"]
    # v20250813 changed the file's layout only (no key), v20250821 the snapshotter: FastImagePull's rename alone
    effects = {("v20250813", ""): {path: []}, ("v20250819", ""): {}, ("v20250821", ""): {path: [sandbox]},
               ("v20250821", r.FAST_IMAGE_PULL): {path: [sandbox]}, ("v20250821", r.EOL_CLEANUP_127): {}}
    assert [reason.split()[1] for reason in r.reasons_for(path, [sandbox], old, new, effects)] == ["28454ab9"]
    # a file that is text as a whole (no keys): a layout change is a change
    assert [reason.split()[1] for reason in r.reasons_for(path, [], old, new, effects)] == ["69b11404", "28454ab9"]
    # a boundary whose probe could not render falls back to the patterns
    effects[("v20250813", "")] = None
    assert [reason.split()[1] for reason in r.reasons_for(path, [sandbox], old, new, effects)] == [
        "69b11404", "28454ab9"]


def test_reasons_with_effects_keep_the_change_of_a_boundary_that_alters_the_file_alone():
    path, key = "etc/containerd/config.toml", "/version"
    # v20250501 brings 55246f3e (NVIDIA runtime by binary) and 3477d8f1 (containerd 2 template); only the latter
    # alters an m5 node's containerd config, and it is still there at v20250514
    effects = {("v20250501", ""): {path: [key]}, ("v20250501", r.CONTAINERD2_TEMPLATE): {path: [key]},
               ("v20250501", r.NVIDIA_RUNTIME_BY_BINARY): {}}
    assert [reason.split()[1] for reason in r.reasons_for(path, [key], "v20250419", "v20250514", effects)] == [
        "3477d8f1"]
    # on to v20250610 the template is reverted: it is no reason, and 55246f3e, which changes nothing alone, is none
    assert r.reasons_for(path, [key], "v20250419", "v20250610", effects | {("v20250519", ""): {path: [key]}}) == []
    # neither alone, both together: both
    together = dict(effects) | {("v20250501", r.CONTAINERD2_TEMPLATE): {}}
    assert [reason.split()[1] for reason in r.reasons_for(path, [key], "v20250419", "v20250514", together)] == [
        "55246f3e", "3477d8f1"]


def test_docs_name_every_change_and_its_first_release():
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "release-changes.md").read_text()
    for change in r.CHANGES:
        assert f"`{change.commit}`" in page, change
        assert change.since in page, change


def test_every_release_has_the_profile_its_changes_give():
    """The profiles, built walking the releases from one change boundary to the next, are each release's own
    changes computed alone; releases with the same changes share one Profile, which names them in order."""
    by_changes: dict[frozenset[str], list[str]] = {}
    for index, tag in enumerate(r.TAGS):
        changes = frozenset(change.key for change in r.CHANGES if r._in(change, index))
        assert r.profile(tag).changes == changes, tag
        by_changes.setdefault(changes, []).append(tag)
    for tags in by_changes.values():
        assert all(r.profile(tag) is r.profile(tags[0]) for tag in tags) and r.profile(tags[0]).tags == tuple(tags)
    assert len({id(r.profile(tag)) for tag in r.TAGS}) == len(by_changes) > 10


def test_a_date_alone_is_eight_decimal_digits_as_the_pattern_read_it():
    import re

    every = "".join(map(chr, range(0x110000)))
    assert {char for char in every if char.isdecimal()} == set(re.findall(r"\d", every))  # what resolve relies on
    for text in ("20250801", " 20250801 ", "2025080", "202508011", "２０２５０８０１", "2025-08-01", "²⁰²⁵⁰⁸⁰¹"):
        expected = "v" + text.strip() if re.fullmatch(r"\d{8}", text.strip()) else text.strip()
        try:
            assert r.resolve(text) == expected
        except r.ReleaseError:
            assert expected not in r.TAGS


def test_first_with_is_the_first_release_from_which_every_release_has_the_change():
    def alone(key: str) -> str:
        for index, tag in enumerate(r.TAGS):
            if all(key in r._active(later) for later in r.TAGS[index:]):
                return tag
        return r.LATEST

    keys = {change.key for change in r.CHANGES} | {"no-such-change"}
    assert {key: r.first_with(key) for key in keys} == {key: alone(key) for key in keys}
    assert r.first_with(r.CONTAINERD2_TEMPLATE) == "v20250807"  # added at v20250501, reverted, added again


def test_boundaries_and_changes_between_every_pair_of_releases_as_computed_alone():
    for old in r.TAGS[::3]:
        for new in r.TAGS[1::4]:
            low, high = sorted((r._INDEX[old], r._INDEX[new]))
            assert r.boundaries(old, new) == [(r.TAGS[i - 1], r.TAGS[i]) for i in range(low + 1, high + 1)
                                              if r._active(r.TAGS[i - 1]) != r._active(r.TAGS[i])]
            keys = r._active(old) ^ r._active(new)
            assert r.changes_between(old, new) == [
                change for change in r.CHANGES
                if change.key in keys and r._in(change, r._INDEX[old]) != r._in(change, r._INDEX[new])]


def test_pins_found_as_every_pattern_searched_over_every_text():
    """pinned_releases searches a text with a pattern only when it holds the literal every match needs."""
    import re
    from pathlib import Path

    patterns = [re.compile(r"\bal2023@(v\d{8}|latest)\b"),
                re.compile(r"""["']?release_?version["']?\s*[:=]\s*["']?\d+\.\d+\.\d+-(\d{8})\b""", re.IGNORECASE),
                re.compile(r"\bamazon-eks-(?:node|gpu-node|arm64-node)?-?al2023-[A-Za-z0-9_.-]*?-(v\d{8})\b")]

    def every_pattern(text: str) -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            for match in pattern.finditer(text):
                tag = match.group(1) if match.group(1).startswith(("v", "latest")) else "v" + match.group(1)
                if tag not in found:
                    found.append(tag)
        return found

    root = Path(__file__).resolve().parents[1]
    texts = [path.read_text(errors="replace") for folder in ("golden", "golden-migrate", "examples")
             for path in sorted((root / folder).rglob("*")) if path.is_file() and path.stat().st_size < 200_000]
    texts += ["ReleaseVersion: 1.33.0-20250801 al2023@v20250715 amazon-eks-gpu-node-al2023-x-1.33-v20250704",
              "RELEASEſVERSION = '1.2.3-20250801'", "releaseversıon: 1.2.3-20250801", "AL2023@v20250715",
              "amazon-eks-node-al2023-v20250704 al2023@latest al2023@v20250715 al2023@latest"]
    pinned = [text for text in texts if every_pattern(text)]
    assert len(texts) > 100 and len(pinned) > 5
    assert [r.pinned_releases(text) for text in texts] == [every_pattern(text) for text in texts]
