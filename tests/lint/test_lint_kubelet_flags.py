"""kubelet.flags and registerWithTaints rules (NC410-NC418), asserted by (code, line, col)."""
from __future__ import annotations

import pytest

from lint_helpers import findings, nodeconfig
from nodecfg.context.instance import instance_from_mapping

FLAG_CODES = ("NC410", "NC411", "NC412", "NC413", "NC414", "NC415", "NC416", "NC417", "NC418", "NC420")


def flags(*entries: str) -> str:
    """A NodeConfig whose kubelet.flags items are on lines 12, 13, ... at column 9."""
    items = "".join(f"    - {entry!r}\n" for entry in entries)
    return nodeconfig("kubelet:\n  flags:\n" + items)


def flag_findings(*entries: str, **options) -> set[tuple[str, int, int]]:
    return findings(flags(*entries), codes=FLAG_CODES, **options)


def col(offset: int) -> int:
    """Column of character ``offset`` of a flags item written by flags(): quoted, starting at column 9."""
    return 10 + offset


def test_a_plain_set_of_flags_is_clean():
    assert flag_findings("--node-labels=team=a,tier=web", "--v=2", "--logging-format=json") == set()


@pytest.mark.parametrize("entry", ["node-ip=10.0.0.1", "-node-ip=1", "--=x", "---x", "-x=1", "--bad!=1"])
def test_malformed_flag(entry):
    assert flag_findings(entry) == {("NC410", 12, 9)}


@pytest.mark.parametrize("entry", ["", "   ", "--"])
def test_items_that_give_the_kubelet_nothing_are_warnings(entry):
    from lint_helpers import diagnostics

    found = [(d.code, d.span.line, d.span.col, str(d.severity)) for d in diagnostics(flags(entry))
             if d.code in FLAG_CODES]
    assert found == [("NC410", 12, 9, "warning")]


def test_single_letter_shorthand_is_a_flag():
    assert flag_findings("-v=4") == set()


def test_whitespace_inside_a_flag():
    assert flag_findings("--v=2 --logging-format=json") == {("NC411", 12, 9)}


def test_removed_flag_is_an_error_on_a_kubelet_without_it():
    assert flag_findings("--container-runtime=remote", "--network-plugin=cni") == {
        ("NC412", 12, 9), ("NC412", 13, 9)}


def test_flag_removed_in_a_later_kubelet_is_a_warning_before_it():
    from lint_helpers import diagnostics

    old = diagnostics(flags("--pod-infra-container-image=pause:3.9"),
                      instance=instance_from_mapping({"kubeletVersion": "v1.34.2"}))
    new = diagnostics(flags("--pod-infra-container-image=pause:3.9"),
                      instance=instance_from_mapping({"kubeletVersion": "v1.35.0"}))
    assert [(d.code, str(d.severity)) for d in old if d.code == "NC412"] == [("NC412", "warning")]
    assert [(d.code, str(d.severity)) for d in new if d.code == "NC412"] == [("NC412", "error")]


@pytest.mark.parametrize("flag", ["--hostname-override=node-1", "--node-ip=10.0.0.9", "--cloud-provider=aws",
                                  "--config=/x.json", "--kubeconfig=/k"])
def test_flags_nodeadm_sets(flag):
    assert flag_findings(flag) == {("NC413", 12, 9)}


def test_duplicate_single_value_flag_points_at_the_later_one():
    assert flag_findings("--v=2", "--logging-format=json", "--v=4") == {("NC414", 14, 9)}


def test_repeated_map_flags_accumulate_and_are_fine():
    assert flag_findings("--node-labels=a=b", "--node-labels=c=d") == set()


def test_flag_with_a_config_field():
    assert flag_findings("--max-pods=30") == {("NC415", 12, 9)}


def test_the_config_field_finding_carries_its_fix():
    """NC415's fix is made where NC415 is made (Diagnostic.fix), as every other fix: the item goes, the field comes."""
    from lint_helpers import diagnostics
    from nodecfg.core.diagnostics import Edit, Span

    source = nodeconfig("kubelet:\n  flags:\n    - --v=2\n    - --max-pods=30  # ours\n")
    (finding,) = [d for d in diagnostics(source) if d.code == "NC415"]
    uri = finding.span.uri
    assert finding.fix.applicability == "unsafe"
    assert finding.fix.edits == (
        Edit(Span(uri, 13, 1, 14, 1), "", "      - --max-pods=30  # ours\n"),  # line 13, the item's line
        Edit(Span(uri, 11, 1, 11, 1), "    config:\n      maxPods: 30 # ours\n"))  # under kubelet: (line 10)


def test_the_config_field_fix_of_a_last_line_without_a_newline():
    """The item's line runs to the end of the text: all of it goes (the fix used to leave its last character)."""
    from nodecfg.linter.fix import fix_bytes

    source = nodeconfig("kubelet:\n  flags:\n    - --v=2\n    - --max-pods=30\n").removesuffix("\n")
    result = fix_bytes(source.encode(), unsafe=True)
    assert result.applied == ["NC415"]
    assert result.fixed.decode() == nodeconfig("kubelet:\n  config:\n    maxPods: 30\n  flags:\n    - --v=2\n")


def test_register_with_taints_flag_is_also_a_config_field():
    assert flag_findings("--register-with-taints=dedicated=gpu:NoSchedule") == {("NC415", 12, 9)}


@pytest.mark.parametrize("label", ["node-role.kubernetes.io/worker=true", "k8s.io/x=y",
                                   "team.kubernetes.io/owner=a", "kubernetes.io/role=web"])
def test_restricted_node_labels(label):
    # the label starts after '--node-labels=ok=1,' (19 characters)
    assert flag_findings(f"--node-labels=ok=1,{label}") == {("NC416", 12, col(19))}


@pytest.mark.parametrize("label", ["node.kubernetes.io/lifecycle=spot", "kubelet.kubernetes.io/x=y",
                                   "topology.kubernetes.io/zone=us-west-2a", "kubernetes.io/arch=arm64",
                                   "example.com/kubernetes.io=yes", "eks.amazonaws.com/nodegroup=ng"])
def test_node_labels_the_kubelet_may_set(label):
    assert flag_findings(f"--node-labels={label}") == set()


@pytest.mark.parametrize("labels", ["bad_key!=x", "team=-x-", "a/=b", "UPPER.Example/x=y", "ok=1, ,b=2"])
def test_malformed_node_labels(labels):
    where = labels.index(" ,") if " ," in labels else 0
    assert flag_findings(f'--node-labels="{labels}"') == {("NC417", 12, col(15 + where))}


@pytest.mark.parametrize("labels", ["team", "a=b,,c=d", "a=b,", " a = b , c=d "])
def test_node_labels_the_kubelet_reads_as_valid(labels):
    # ConfigurationMap.Set: no '=' is an empty value; empty pieces are skipped; blanks are trimmed
    assert flag_findings(f'--node-labels="{labels}"') == set()


def test_a_later_node_label_replaces_an_earlier_bad_one():
    assert flag_findings("--node-labels=a=-bad-", "--node-labels=a=good") == set()


@pytest.mark.parametrize("taints", ["dedicated=gpu", "x:Bad", "a=b=c:NoSchedule", "a:b:NoSchedule",
                                    "k:NoSchedule-", "k:NoSchedule,k:NoSchedule"])
def test_malformed_taints_in_the_flag(taints):
    where = taints.index(",") + 1 if "," in taints else 0
    prefix = len("--register-with-taints=")
    assert findings(flags(f"--register-with-taints={taints}"), codes=("NC418",)) == {("NC418", 12, col(prefix + where))}


def test_a_blank_inside_a_taint_splits_the_flag():
    # '--register-with-taints=bad' and 'key:NoExecute' reach the kubelet as two words
    assert flag_findings("--register-with-taints=bad key:NoExecute") == {
        ("NC415", 12, 9), ("NC418", 12, col(23)), ("NC410", 12, col(27))}


@pytest.mark.parametrize("taints", ["dedicated=gpu:NoSchedule", "spot:PreferNoSchedule,k=v:NoExecute",
                                    "k:NoSchedule,k:NoExecute"])
def test_valid_taints_in_the_flag(taints):
    assert findings(flags(f"--register-with-taints={taints}"), codes=("NC418",)) == set()


def test_register_with_taints_config_items():
    text = nodeconfig("""\
        kubelet:
          config:
            registerWithTaints:
              - key: ok
                effect: NoSchedule
              - key: "bad key"
                effect: NoSchedule
              - key: no-effect
              - key: good
                value: "-bad-"
                effect: NoExecute
        """)
    # line 15: the bad key's value; 17: the item without an effect; 19: the bad value
    assert findings(text, codes=FLAG_CODES) == {("NC418", 15, 16), ("NC418", 17, 11), ("NC418", 19, 18)}


def severities(*entries: str, **options) -> set[tuple[str, int, int, str]]:
    from lint_helpers import diagnostics

    return {(d.code, d.span.line, d.span.col, str(d.severity))
            for d in diagnostics(flags(*entries), **options) if d.code in FLAG_CODES}


# --- the kubelet's real argv: nodeadm's join, systemd's split, pflag --------------------------

@pytest.mark.parametrize("entries", [
    # Karpenter writes fmt.Sprintf("--node-labels=%q", ...) for every node it launches
    ('--node-labels="karpenter.k8s.aws/ec2nodeclass=default,karpenter.sh/nodepool=general"',),
    ("--node-labels='team=a,tier=web'",),
    ('--node-labels "team=a"',),                 # one item: the kubelet gets --node-labels and team=a
    ("--node-labels", "team=a"),                 # two items: the same argv
    ('--register-with-taints="dedicated=gpu:NoSchedule"',),
    ('--node-labels=team="a"',),                 # quotes inside a word are removed too
])
def test_quoted_and_separated_values_are_what_the_kubelet_expects(entries):
    assert severities(*entries) - {("NC415", 12, 9, "warning")} == set()


def test_a_blank_inside_a_quoted_label_value_is_an_invalid_label():
    # the value of key 'team' is 'a b' once the quotes are removed
    assert severities('--node-labels="team=a b"') == {("NC417", 12, col(15), "error")}


def test_a_blank_inside_an_unquoted_label_list_starts_a_stray_argument():
    # "tier=web" starts at offset 22, after "--node-labels=team=a," and the blank
    assert severities("--node-labels=team=a, tier=web") == {("NC410", 12, col(22), "error")}


def test_an_unclosed_quote_swallows_the_later_flags():
    found = severities('--node-labels="team=a', "--v=2")
    # the quote is at offset 14; the label value becomes 'a --v=2'
    assert found == {("NC420", 12, col(14), "error"), ("NC417", 12, col(15), "error")}


def test_an_unclosed_quote_in_the_last_item_is_a_warning():
    assert severities("--v=2", '--node-labels="team=a') == {("NC420", 13, col(14), "warning")}


def test_an_unclosed_quote_in_the_last_item_swallows_karpenters_labels():
    assert severities("--v=2", '--node-labels="team=a', mode="karpenter") >= {("NC420", 13, col(14), "error")}


def test_a_bare_value_flag_at_the_end_needs_a_value():
    assert severities("--node-labels") == {("NC410", 12, 9, "error")}


def test_a_boolean_flag_does_not_take_the_next_word():
    # pflag: --fail-swap-on alone is true, so 'false' is a stray argument
    assert severities("--fail-swap-on false") == {("NC415", 12, 9, "warning"), ("NC410", 12, col(15), "error")}


def test_two_flags_in_one_item_are_a_warning_not_an_error():
    assert severities("--v=2 --logging-format=json") == {("NC411", 12, 9, "warning")}


def test_duplicate_detection_sees_flags_split_out_of_one_item():
    assert severities("--v=2", "--logging-format=json --v=4") >= {("NC414", 13, 9, "warning")}


def test_underscores_are_the_same_flag_to_the_kubelet():
    assert severities("--max_pods=30") == {("NC415", 12, 9, "warning")}


def test_double_quoted_yaml_escapes_keep_columns_right():
    text = nodeconfig('kubelet:\n  flags:\n    - "--node-labels=\\"ok=1,bad=-x-\\""\n')
    # the YAML item: "--node-labels=\"ok=1,bad=-x-\"" ; 'bad' starts after the two escaped characters
    assert findings(text, codes=FLAG_CODES) == {("NC417", 12, 9 + 1 + 14 + 2 + 5)}


def test_flags_from_a_plain_scalar():
    text = nodeconfig("kubelet:\n  flags:\n    - --node-labels=ok=1,k8s.io/x=y\n")
    assert findings(text, codes=FLAG_CODES) == {("NC416", 12, 9 + 19)}


def test_a_line_break_in_a_flag_is_reported_once_by_check():
    text = nodeconfig('kubelet:\n  flags:\n    - "--node-labels=a=b\\nEVIL=1"\n')
    assert findings(text, codes=("NC406", "NC410", "NC417")) == {("NC406", 12, 9)}


@pytest.mark.parametrize("entry", ["--help", "-h", "--version"])
def test_flags_that_make_the_kubelet_exit_at_once(entry):
    assert severities(entry) == {("NC410", 12, 9, "error")}


# --- NC415 where an appended NodeConfig sets the field (Karpenter, EKS managed node groups) ---------------


def _config_field_findings(*entries: str, mode: str):
    from lint_helpers import diagnostics

    return {(d.code, d.span.line, d.span.col, str(d.severity)): d
            for d in diagnostics(flags(*entries), mode=mode) if d.code == "NC415"}


@pytest.mark.parametrize("entry, instead", [
    ("--register-with-taints=dedicated=gpu:NoSchedule", "spec.template.spec.taints"),
    ("--max-pods=30", "spec.kubelet.maxPods in the EC2NodeClass"),
    ("--cluster-dns=10.100.0.10", "spec.kubelet.clusterDNS in the EC2NodeClass"),
])
def test_with_karpenter_a_flag_karpenter_sets_is_not_moved_to_the_config(entry, instead):
    """Karpenter's appended NodeConfig always sets maxPods, registerWithTaints and clusterDNS, and wins the
    merge: moved there, the user's value would be lost, so the hint names where it belongs and there is no fix."""
    (key, finding), = _config_field_findings(entry, mode="karpenter").items()
    assert key == ("NC415", 12, 9, "warning")
    assert "moved into kubelet.config it would be lost" in finding.message
    assert "Karpenter appends" in finding.message
    assert instead in finding.hint and "kubelet.config" not in finding.hint
    assert finding.fix is None


def test_with_karpenter_a_flag_karpenter_leaves_alone_is_still_moved():
    (key, finding), = _config_field_findings("--eviction-hard=memory.available<5%", mode="karpenter").items()
    assert key == ("NC415", 12, 9, "warning")
    assert finding.hint == "set kubelet.config.evictionHard instead"
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


def test_with_karpenter_the_unsafe_fix_leaves_the_taints_flag_in_place():
    """--fix --unsafe-fixes must not write kubelet.config.registerWithTaints, which Karpenter's part replaces."""
    from nodecfg.linter.fix import fix_bytes
    from nodecfg.pipeline import Request

    source = flags("--register-with-taints=dedicated=gpu:NoSchedule", "--max-pods=30")
    result = fix_bytes(source.encode(), unsafe=True, request=Request((), "karpenter"))
    assert "NC415" not in result.applied
    assert result.fixed.decode() == source


def test_with_a_managed_node_group_cluster_dns_stays_a_flag():
    (key, finding), = _config_field_findings("--cluster-dns=10.100.0.10", mode="managed-nodegroup").items()
    assert key == ("NC415", 12, 9, "warning")
    assert "the NodeConfig EKS appends is merged after yours" in finding.message and finding.fix is None
    assert finding.hint.startswith("keep the flag")


def test_without_an_appended_nodeconfig_the_taints_flag_is_moved():
    (key, finding), = _config_field_findings("--register-with-taints=dedicated=gpu:NoSchedule",
                                             mode="self-managed").items()
    assert key == ("NC415", 12, 9, "warning")
    assert finding.hint == "set kubelet.config.registerWithTaints instead" and finding.fix is not None


def test_a_label_name_is_checked_as_apimachinerys_pattern_for_every_character():
    """k8s_names._is_name without compiling ``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]``: the same answer for
    every code point alone (first and last) and inside, and for every short name of the characters that matter."""
    import itertools
    import re

    from nodecfg.nodeadm.k8s_names import _is_name

    pattern = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
    for code in range(0x110000):
        char = chr(code)
        for text in (char, "a" + char + "b"):
            assert _is_name(text) == (pattern.fullmatch(text) is not None), (hex(code), text)
    for size in range(5):
        for letters in itertools.product("a9-_.Z ", repeat=size):
            text = "".join(letters)
            assert _is_name(text) == (pattern.fullmatch(text) is not None), text
