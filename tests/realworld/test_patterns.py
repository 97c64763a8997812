"""Patterns seen in public AL2023 user data, each rewritten as a small input of our own.

The real samples are linted by test_corpus.py (opt-in, from fetched checkouts);
these tests pin the behaviour each pattern needs, with (code, line, col, severity).
"""
from __future__ import annotations

from nodecfg.core.diagnostics import Severity
from nodecfg.linter.engine import lint

HEAD = 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="==B=="\n\n'


def mime(*parts: str, end: str = "--==B==--\n") -> bytes:
    body = "".join(f"--==B==\n{part}\n" for part in parts)
    return (HEAD + body + end).encode()


def found(*sources: bytes, mode: str = "self-managed", codes: tuple[str, ...] = ()) -> list[tuple]:
    result = lint(list(sources), mode=mode)
    return [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics
            if not codes or d.code in codes]


SHELL = 'Content-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\nset -e\nsysctl -w vm.max_map_count=262144\n'
MOUNT_CONFIG = ("Content-Type: application/node.eks.aws\n\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
                "spec:\n  instance:\n    localStorage:\n      strategy: RAID0\n")


# --- item 2: a final '--BOUNDARY' line and then the end of the input -----------------

def test_nodeclass_userdata_ending_in_an_open_delimiter_is_clean():
    data = mime(MOUNT_CONFIG, SHELL, end="--==B==\n")
    assert found(data, mode="karpenter") == []


def test_open_delimiter_after_a_lone_script_is_clean_in_a_fragment_mode():
    assert found(mime(SHELL, end="--==B==\n"), mode="managed-nodegroup") == []


def test_a_blank_line_after_the_last_delimiter_is_still_an_error():
    # 1-3 head, 4 delimiter, 5-6 headers, 7-9 script, 10 separator, 11 delimiter, 12 blank
    assert found(mime(SHELL, end="--==B==\n\n"), mode="karpenter", codes=("NC106",)) == [
        ("NC106", 12, 1, Severity.ERROR)]


# --- item 3: user data with only shell scripts --------------------------------------

def test_script_only_userdata_is_complete_in_both_fragment_modes():
    data = mime(SHELL)
    for mode in ("managed-nodegroup", "karpenter"):
        assert found(data, mode=mode) == []


def test_script_only_userdata_still_fails_self_managed():
    assert found(mime(SHELL)) == [("NC143", 1, 1, Severity.ERROR), ("NC109", 2, 1, Severity.WARNING)]


def test_script_problems_are_still_reported_in_a_fragment_mode():
    no_shebang = 'Content-Type: text/x-shellscript\n\necho "tuning"\n'
    assert found(mime(no_shebang), mode="karpenter") == [("NC110", 7, 1, Severity.ERROR)]


# --- item 5: a fragment linted without --mode -------------------------------------

def test_fragment_without_mode_names_the_modes_in_the_hint():
    text = b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    flags: [--v=2]\n"
    result = lint([text])
    nc301 = [d for d in result.diagnostics if d.code == "NC301"]
    assert [(d.span.line, d.span.col, d.severity) for d in nc301] == [(3, 1, Severity.ERROR)]  # one, for 4 fields
    assert all("--mode managed-nodegroup|karpenter" in d.hint for d in nc301)


def test_a_self_managed_config_missing_one_field_gets_the_plain_hint():
    text = (b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: c\n"
            b"    apiServerEndpoint: https://x.example.com\n    certificateAuthority: ''\n")
    nc301 = [d for d in lint([text]).diagnostics if d.code == "NC301"]
    # the CA and the cidr, both at the cluster mapping: one finding naming both
    assert [(d.span.line, d.span.col) for d in nc301] == [(4, 3)]
    assert nc301[0].message.startswith("spec.cluster.certificateAuthority and cidr are missing")
    assert not any("--mode" in d.hint for d in nc301)


# --- item 13: one undecodable NodeConfig part discards the whole user data -----------

def test_wrong_kind_in_one_part_says_the_whole_userdata_is_discarded():
    bad = MOUNT_CONFIG.replace("kind: NodeConfig", "kind: NodeConfiguration")
    result = lint([mime(SHELL, bad)], mode="karpenter")
    nc204 = [d for d in result.diagnostics if d.code == "NC204"]
    # 4 delimiter, 5-10 script part, 11 delimiter, 12-13 headers, 14 apiVersion, 15 kind
    assert [(d.span.line, d.span.col, d.severity) for d in nc204] == [(15, 7, Severity.ERROR)]
    assert "discard the whole user data" in nc204[0].message


def test_wrong_type_in_a_part_says_the_whole_userdata_is_discarded():
    bad = MOUNT_CONFIG.replace("      strategy: RAID0\n", "      strategy: RAID0\n  kubelet:\n    config: [1]\n")
    nc202 = [d for d in lint([mime(bad)], mode="karpenter").diagnostics if d.code == "NC202"]
    assert [(d.span.line, d.span.col, d.severity) for d in nc202] == [(14, 13, Severity.ERROR)]
    assert "discard the whole user data" in nc202[0].message


def test_ca_not_base64_in_a_part_says_the_whole_userdata_is_discarded():
    bad = MOUNT_CONFIG.replace("spec:\n", "spec:\n  cluster:\n    certificateAuthority: not*base64\n")
    nc302 = [d for d in lint([mime(bad)], mode="karpenter").diagnostics if d.code == "NC302"]
    assert [(d.span.line, d.span.col, d.severity) for d in nc302] == [(11, 27, Severity.ERROR)]
    assert "discard the whole user data" in nc302[0].message


def test_a_plain_nodeconfig_file_does_not_claim_parts_are_discarded():
    text = b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfiguration\nspec: {}\n"
    nc204 = [d for d in lint([text], mode="karpenter").diagnostics if d.code == "NC204"]
    assert [(d.span.line, d.span.col) for d in nc204] == [(2, 7)]
    assert "user data" not in nc204[0].message


# --- item 7: clusterDNS outside the service CIDR -------------------------------------

def _with_dns(cidr: str, servers: str) -> bytes:
    from lint.lint_helpers import nodeconfig

    return nodeconfig(f"kubelet:\n  config:\n    clusterDNS: {servers}\n").replace(
        "cidr: 10.100.0.0/16", f"cidr: {cidr}").encode()


def test_cluster_dns_from_another_cluster_is_reported_at_the_list():
    # lint_helpers.CLUSTER_HEADER is 9 lines; clusterDNS is on line 12.  clusterDNS merges as a
    # whole list, so the finding points at its key (column 7), as NC309 does for nameservers.
    assert found(_with_dns("172.20.0.0/16", "[172.20.0.10, 10.100.0.10]"), codes=("NC311",)) == [
        ("NC311", 12, 7, Severity.WARNING)]


def test_node_local_dns_cache_addresses_are_exempt():
    assert found(_with_dns("172.20.0.0/16", "[169.254.20.10]"), codes=("NC311",)) == []
    assert found(_with_dns("fd00:10:96::/112", "['fe80::a']"), codes=("NC311",)) == []


def test_ipv6_cluster_dns_is_checked_against_an_ipv6_cidr():
    assert found(_with_dns("fd00:10:96::/112", "['fd00:10:96::a']"), codes=("NC311",)) == []
    assert found(_with_dns("fd00:10:96::/112", "['fd00:10:97::a']"), codes=("NC311",)) == [
        ("NC311", 12, 7, Severity.WARNING)]
    assert found(_with_dns("fd00:10:96::/112", "[10.100.0.10]"), codes=("NC311",)) == [
        ("NC311", 12, 7, Severity.WARNING)]


# --- item 10: /etc/eks/bootstrap.sh on AL2023 ----------------------------------------

def test_bootstrap_sh_in_a_script_part_is_an_error_at_the_call():
    script = ("Content-Type: text/x-shellscript\n\n#!/bin/bash\nset -ex\n"
              "# the AL2 way, kept from an old template:\n"
              "/etc/eks/bootstrap.sh demo --kubelet-extra-args '--max-pods=58'\n")
    # 4-10 first part, 11 delimiter, 12-13 headers, 14 #!, 15 set -ex, 16 comment (not reported), 17 the call
    assert found(mime(SHELL, script), mode="managed-nodegroup") == [("NC603", 17, 1, Severity.ERROR)]


def test_bootstrap_sh_behind_a_file_test_is_still_an_error():
    script = "Content-Type: text/x-shellscript\n\n#!/bin/bash\nif [ -f /etc/eks/bootstrap.sh ]; then\n  echo al2\nfi\n"
    assert found(mime(script), mode="karpenter") == [("NC603", 8, 9, Severity.ERROR)]


# --- item 11: duplicate keys ---------------------------------------------------------

def test_a_duplicate_key_is_an_error_but_nodeadm_still_renders():
    from lint.lint_helpers import nodeconfig

    from nodecfg.api import compile as compile_config

    text = nodeconfig("kubelet:\n  config:\n    maxPods: 58\n    maxPods: 110\n").encode()
    assert found(text, codes=("NC121",)) == [("NC121", 13, 7, Severity.ERROR)]
    assert compile_config([text]).files  # nodeadm accepts the document: the later value wins


# --- item 9: containerd sections nothing reads ------------------------------------------

def _containerd(toml: str) -> bytes:
    body = "".join(f"      {line}\n" for line in toml.splitlines())
    return ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  containerd:\n    config: |\n"
            + body).encode()


def test_soci_as_a_plugin_section_is_reported_and_no_cri_section_is_suggested():
    data = _containerd('[plugins."io.containerd.snapshotter.v1.soci"]\nroot_path = "/var/lib/soci"\n')
    result = lint([data], mode="karpenter")
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics if d.code == "NC505"] == [
        ("NC505", 6, 17, Severity.WARNING)]
    assert not any("io.containerd.cri.v1" in d.hint for d in result.diagnostics)


def test_builtin_snapshotter_and_proxy_plugin_sections_are_fine():
    data = _containerd('[plugins."io.containerd.snapshotter.v1.overlayfs"]\nsync_remove = true\n'
                       '[proxy_plugins.stargz]\ntype = "snapshot"\naddress = "/run/stargz.sock"\n')
    assert found(data, mode="karpenter", codes=("NC505",)) == []


def test_unknown_snapshotter_name_is_reported():
    data = _containerd("version = 3\n[plugins.'io.containerd.snapshotter.v1.overlayfss']\nsync_remove = true\n")
    assert found(data, mode="karpenter", codes=("NC505",)) == [("NC505", 7, 17, Severity.WARNING)]


# --- item 12: an expression beyond nodecfg's own limits is unknown, not a fallback -----------

NESTED_MAPS = "[1, 2].map(a, [1, 2].map(b, [1, 2].map(c, a * b * c))).size()"


def test_expression_beyond_the_limits_is_an_error_that_claims_no_fallback():
    from lint.lint_helpers import nodeconfig

    text = nodeconfig(f'kubelet:\n  maxPodsExpression: "{NESTED_MAPS}"\n').encode()
    result = lint([text])
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC312", 11, 24, Severity.ERROR)]
    message = result.diagnostics[0].message
    assert "cannot be evaluated offline within the limits" in message and "maxPods is unknown" in message
    assert "falls back" not in message


def test_build_refuses_an_expression_beyond_the_limits():
    from lint.lint_helpers import nodeconfig

    from nodecfg.api import compile as compile_config

    text = nodeconfig(f'kubelet:\n  maxPodsExpression: "{NESTED_MAPS}"\n').encode()
    result = compile_config([text])
    assert [(d.code, d.span.line, d.severity) for d in result.diagnostics if d.code.startswith("NC4")
            or d.code == "NC312"] == [("NC312", 11, Severity.ERROR)]
    assert not result.ok


def test_an_expression_that_fails_on_the_node_still_falls_back():
    from lint.lint_helpers import nodeconfig

    text = nodeconfig("kubelet:\n  maxPodsExpression: max_pods / (default_enis - default_enis)\n").encode()
    assert found(text, codes=("NC312", "NC405", "NC404")) == [("NC405", 11, 24, Severity.WARNING)]


# --- item 8: what cloud-init execs must start with #! ----------------------------------

def test_a_blank_line_before_the_shebang_is_reported_with_its_own_hint():
    script = "Content-Type: text/x-shellscript\n\n\n#!/bin/bash\necho hi\n"
    result = lint([mime(script)], mode="karpenter")
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC110", 7, 1, Severity.ERROR)]
    assert "very first bytes" in result.diagnostics[0].hint


# --- item 2: a warning form of a blocking code does not stop rendering -----------------

def test_headers_cut_by_the_end_warn_and_the_node_files_are_still_rendered():
    from lint.lint_helpers import CLUSTER_HEADER

    from nodecfg.api import compile as compile_config

    config = "Content-Type: application/node.eks.aws\n\n" + CLUSTER_HEADER
    data = mime(config, end="--==B==\nContent-Type: text/x-shellscript\n")
    result = compile_config([data])
    assert [(d.code, d.severity) for d in result.diagnostics] == [("NC104", Severity.WARNING)]
    assert result.files


# --- issue 23, class 1: a part or a NodeConfig in the MIME preamble ---------------------------
# Go's multipart Reader.nextPart skips every line before the first delimiter of the declared
# boundary (src/mime/multipart/multipart.go, "skip line" while partsRead == 0).

PREAMBLE_PART = (
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="==OUTER=="\n\n'  # 1-3
    "--INNER\n"                                                                    # 4
    "Content-Type: application/node.eks.aws\n\n"                                   # 5-6
    "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"                        # 7-8
    "spec:\n  kubelet:\n    config:\n      systemReserved:\n        memory: 1Gi\n"  # 9-13
    "--INNER--\n\n"                                                                # 14-15
    "--==OUTER==\n" + SHELL + "--==OUTER==--\n")                                   # 16-


def test_a_part_in_the_preamble_is_reported_where_its_headers_start():
    for mode in ("managed-nodegroup", "karpenter"):
        assert found(PREAMBLE_PART.encode(), mode=mode) == [("NC101", 5, 1, Severity.WARNING)]
    nc101 = lint([PREAMBLE_PART.encode()], mode="karpenter").diagnostics[0]
    assert "NodeConfig" in nc101.message and "preamble" in nc101.message
    assert "'--INNER' is not a delimiter" in nc101.hint


def test_a_nodeconfig_in_the_preamble_without_part_headers_is_reported_at_its_first_line():
    data = HEAD.replace("==B==", "==OUTER==") + "kind: NodeConfig\nspec: {}\n--==OUTER==\n" + SHELL + "--==OUTER==--\n"
    assert found(data.encode(), mode="managed-nodegroup") == [("NC101", 4, 1, Severity.WARNING)]


def test_a_prose_preamble_is_fine():
    data = HEAD + "This is a multi-part message in MIME format.\n\n" + mime(SHELL).decode()[len(HEAD):]
    assert found(data.encode(), mode="karpenter") == []


def test_the_preamble_finding_is_at_least_as_serious_as_the_epilogue_one():
    epilogue = mime(SHELL).decode() + "--==B==\nContent-Type: application/node.eks.aws\n\nkind: NodeConfig\n"
    after = found(epilogue.encode(), mode="karpenter", codes=("NC101",))
    before = found(PREAMBLE_PART.encode(), mode="karpenter", codes=("NC101",))
    assert after and before and before[0][3] >= after[0][3]


# --- issue 23, class 2: --register-with-taints in EC2NodeClass user data -----------------------

def _flags(*flags: str) -> bytes:
    return ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    flags:\n"
            + "".join(f"      - {flag}\n" for flag in flags)).encode()


def test_register_with_taints_flag_in_karpenter_user_data_is_an_error():
    data = _flags("--node-labels=team=a", "--register-with-taints=dedicated=gpu:NoSchedule")
    assert found(data, mode="karpenter", codes=("NC702", "NC703")) == [("NC703", 7, 9, Severity.ERROR)]
    (nc703,) = [d for d in lint([data], mode="karpenter").diagnostics if d.code == "NC703"]
    assert "without karpenter.sh/unregistered:NoExecute" in nc703.message
    assert "UnregisteredTaintNotFound" in nc703.message


def test_register_with_taints_that_keeps_the_unregistered_taint_is_the_override_warning():
    data = _flags("--register-with-taints=karpenter.sh/unregistered:NoExecute,dedicated=gpu:NoSchedule")
    assert found(data, mode="karpenter", codes=("NC702", "NC703")) == [("NC702", 6, 9, Severity.WARNING)]


def test_register_with_taints_in_the_config_is_discarded_not_an_error():
    # Karpenter's NodeConfig comes later and its registerWithTaints replaces the user's (nodeadm
    # internal/api/merge.go: mergo.WithOverride), so the unregistered taint is kept
    data = (b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n"
            b"      registerWithTaints: [{key: a, effect: NoSchedule}]\n")
    assert found(data, mode="karpenter", codes=("NC702", "NC703")) == [("NC702", 6, 27, Severity.WARNING)]


def test_register_with_taints_flag_is_no_mode_finding_in_self_managed_user_data():
    data = _flags("--register-with-taints=dedicated=gpu:NoSchedule")
    assert found(data, codes=("NC702", "NC703")) == []


# --- issue 23, class 3: broken MIME is not "no config in chain" where a NodeConfig is added ----

NO_BLANK_AFTER_PART_HEADERS = (HEAD + "--==B==\n" + 'Content-Type: text/x-shellscript; charset="us-ascii"\n'
                               + "#!/bin/bash\necho hi\n--==B==--\n")


def test_malformed_part_headers_are_the_finding_in_both_fragment_modes():
    # 4 delimiter, 5 headers, 6 the script's first line where the blank line should be
    for mode in ("managed-nodegroup", "karpenter"):
        assert found(NO_BLANK_AFTER_PART_HEADERS.encode(), mode=mode) == [("NC104", 6, 1, Severity.ERROR)]


def test_malformed_part_headers_are_the_one_root_cause_in_self_managed_mode():
    # nodeadm is left with no config, but that follows from the headers: one finding (issue 25, item 5)
    assert found(NO_BLANK_AFTER_PART_HEADERS.encode()) == [("NC104", 6, 1, Severity.ERROR)]


FOLDED_NODECLASS = """\
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: folded
spec:
  amiFamily: AL2023
  userData: >
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="//"

    --//
    Content-Type: text/x-shellscript; charset="us-ascii"

    #!/bin/bash
    echo "hello"
    --//--
"""


def test_folded_userdata_runs_the_mime_headers_together():
    # '>' folds lines 8-9 into one header line and the blank line 10 into a line break, so the
    # delimiter line 11 is read as one more header: Karpenter's mime.NewArchive refuses it
    result = lint([FOLDED_NODECLASS.encode()])
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC104", 11, 5, Severity.ERROR)]
    (nc104,) = result.diagnostics
    assert nc104.message.startswith("the MIME headers have no blank line after them")
    assert "mime.NewArchive" in nc104.message and "userData: |" in nc104.hint


def test_the_same_userdata_as_a_literal_block_is_clean():
    assert found(FOLDED_NODECLASS.replace("userData: >", "userData: |").encode()) == []


def test_headers_that_run_on_are_refused_where_karpenter_or_eks_read_the_user_data_first():
    # as pasted in amazon-eks-ami issues: no blank line between the top headers and the first delimiter
    data = b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n--B\n' + SHELL.encode() + b"--B--\n"
    for mode, who in (("karpenter", "mime.NewArchive"), ("managed-nodegroup", "not in the MIME multipart format")):
        result = lint([data], mode=mode)
        assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
            ("NC104", 3, 1, Severity.ERROR)]
        assert "have no blank line after them" in result.diagnostics[0].message
        assert who in result.diagnostics[0].message
    # nodeadm itself reads the whole text as one NodeConfig: the YAML error it reports
    assert ("NC120", 4, 1, Severity.ERROR) in found(data)


def test_headers_without_a_content_type_are_refused_by_karpenter():
    data = b"MIME-Version: 1.0\nX-Note: a: b\n#!/bin/bash\n"
    assert found(data, mode="karpenter") == [("NC104", 3, 1, Severity.ERROR)]
    assert ("NC104", 3, 1, Severity.ERROR) not in found(data)


def test_a_single_part_content_type_is_refused_by_karpenter():
    # mime.go getReader: "archive is not in multipart format"
    data = b'Content-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\necho hi\n'
    result = lint([data], mode="karpenter")
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC104", 1, 1, Severity.ERROR)]
    assert "text/x-shellscript, not multipart" in result.diagnostics[0].message


# --- issue 23, class 4: containerd's socket and CRI plugins, as the kubelet needs them ---------
# The kubelet's containerRuntimeEndpoint is nodeadm's constant unix:///run/containerd/containerd.sock
# (nodeadm internal/containerd/config.go ContainerRuntimeEndpoint, internal/kubelet/config.go).

def test_grpc_address_moved_in_schema_3_is_an_error_at_the_address():
    data = _containerd('version = 3\n[grpc]\n  address = "/run/foo/foo.sock"\n')
    # line 8 of the file, after 6 columns of block indentation and the 2 of the TOML
    assert found(data, mode="managed-nodegroup", codes=("NC506",)) == [("NC506", 8, 9, Severity.ERROR)]


def test_grpc_address_moved_in_schema_2_is_an_error_too():
    data = _containerd('version = 2\n[grpc]\naddress = "/run/foo/foo.sock"\n'
                       '[plugins."io.containerd.grpc.v1.cri"]\nenable_cdi = true\n')
    assert found(data, mode="karpenter", codes=("NC506",)) == [("NC506", 8, 7, Severity.ERROR)]


def test_grpc_address_followed_by_the_kubelet_is_fine():
    toml = 'version = 3\n[grpc]\naddress = "/run/foo/foo.sock"\n'
    config = _containerd(toml).decode() + "  kubelet:\n    config:\n      containerRuntimeEndpoint: unix:///run/foo/foo.sock\n"
    assert found(config.encode(), mode="managed-nodegroup", codes=("NC506",)) == []
    flag = _containerd(toml).decode() + "  kubelet:\n    flags: [--container-runtime-endpoint=unix:///run/foo/foo.sock]\n"
    assert found(flag.encode(), mode="managed-nodegroup", codes=("NC506",)) == []


def test_grpc_address_at_its_default_is_fine():
    data = _containerd('version = 3\n[grpc]\naddress = "/run/containerd/containerd.sock"\n')
    assert found(data, mode="managed-nodegroup", codes=("NC506",)) == []


def test_a_kubelet_endpoint_elsewhere_than_the_moved_socket_is_named():
    toml = 'version = 3\n[grpc]\naddress = "/run/foo/foo.sock"\n'
    config = _containerd(toml).decode() + "  kubelet:\n    config:\n      containerRuntimeEndpoint: unix:///run/bar.sock\n"
    (nc506,) = [d for d in lint([config.encode()], mode="managed-nodegroup").diagnostics if d.code == "NC506"]
    assert "unix:///run/bar.sock (kubelet.config.containerRuntimeEndpoint)" in nc506.message


def test_disabling_the_cri_plugin_is_an_error_at_the_plugin():
    data = _containerd('version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n')
    assert found(data, mode="managed-nodegroup", codes=("NC507",)) == [("NC507", 7, 28, Severity.ERROR)]
    v3 = _containerd("version = 3\ndisabled_plugins = ['io.containerd.snapshotter.v1.btrfs', "
                     "'io.containerd.cri.v1.images']\n")
    assert found(v3, mode="managed-nodegroup", codes=("NC507",)) == [("NC507", 7, 66, Severity.ERROR)]


# --- issue 23, corpus: Karpenter's e2e user data ends in a delimiter line without a newline ---

def test_an_open_delimiter_without_a_newline_is_fine_for_karpenter_only():
    # Go's NextPart returns a wrapped io.EOF there: nodeadm (err == io.EOF) fails, Karpenter's
    # mime.NewArchive (errors.Is) keeps the part and serializes it again with a closing delimiter
    data = (HEAD + "--==B==\n" + SHELL + "--==B==").encode()  # 1-3 head, 4, 5-6 headers, 7-9 script, 10
    assert found(data, mode="karpenter") == []
    assert ("NC106", 10, 1, Severity.ERROR) in found(data)


def test_a_nodeconfig_after_the_closing_delimiter_is_reported_where_it_starts():
    # 4 delimiter, 5-6 headers, 7-9 script, 10 separator, 11 closing delimiter, 12 blank, 13 the part's header
    data = mime(SHELL).decode() + "\n" + MOUNT_CONFIG
    assert found(data.encode(), mode="karpenter", codes=("NC101",)) == [("NC101", 13, 1, Severity.WARNING)]


# --- issue threads, round four: type keys written in another case --------------------

CLUSTER = ("spec:\n  cluster:\n    name: demo\n    apiServerEndpoint: https://api.demo.example\n"
           "    certificateAuthority: Zm9v\n    cidr: 172.20.0.0/16\n")


def test_type_keys_in_another_case_still_name_the_type():
    # nodeadm finds apiVersion and kind with encoding/json, which ignores case: the document decodes
    data = ("APIVersion: node.eks.aws/v1alpha1\nKIND: NodeConfig\n" + CLUSTER).encode()
    assert found(data, codes=("NC201", "NC204", "NC301")) == []


def test_a_wrong_kind_under_a_miscased_key_is_reported_at_that_key():
    data = ("apiVersion: node.eks.aws/v1alpha1\nKind: NodeConfigs\n" + CLUSTER).encode()
    assert found(data, codes=("NC201", "NC204")) == [("NC204", 2, 7, Severity.ERROR)]


def test_flattened_spec_is_dropped_and_the_cluster_is_missing():
    # the keys under a miscased, flattened 'Spec:' are top-level fields the decoder drops;
    # nodeadm then stops with 'Name is missing in cluster configuration'
    data = "APIVersion: node.eks.aws/v1alpha1\nKind: NodeConfig\nSpec:\nCluster:\nName: demo\n".encode()
    assert found(data) == [("NC301", 1, 1, Severity.ERROR), ("NC201", 3, 1, Severity.ERROR),
                           ("NC201", 4, 1, Severity.ERROR), ("NC201", 5, 1, Severity.ERROR)]


# --- a plain AL2 override script as self-managed user data ---------------------------

def test_a_plain_script_is_run_by_cloud_init_and_read_by_nodeadm_self_managed():
    # cloud-init runs user data that starts with #!; nodeadm reads the same text as one NodeConfig
    data = b"#!/bin/bash\nset -e\n/etc/eks/bootstrap.sh my-cluster\n"
    assert found(data) == [("NC205", 2, 1, Severity.ERROR), ("NC301", 2, 1, Severity.ERROR),
                           ("NC603", 3, 1, Severity.ERROR)]


def test_a_plain_script_in_karpenter_mode_is_read_once_as_the_part_karpenter_wraps():
    data = b"#!/bin/bash\nset -e\n/etc/eks/bootstrap.sh my-cluster\n"
    assert found(data, mode="karpenter") == [("NC603", 3, 1, Severity.ERROR)]


def test_a_plain_script_as_managed_node_group_user_data_is_refused_by_eks():
    # EKS merges its NodeConfig only into MIME multipart user data; nothing of the script runs
    data = b"#!/bin/bash\nset -e\n/etc/eks/bootstrap.sh my-cluster\n"
    assert found(data, mode="managed-nodegroup") == [("NC704", 1, 1, Severity.ERROR)]
    (nc704,) = lint([data], mode="managed-nodegroup").diagnostics
    assert "not MIME multipart" in nc704.message and "Ec2LaunchTemplateInvalidConfiguration" in nc704.message


def test_a_nodeconfig_fragment_is_still_linted_in_managed_node_group_mode():
    data = (b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n"
            b"      systemReserved:\n        cpu: 150m\n")
    assert found(data, mode="managed-nodegroup") == []
