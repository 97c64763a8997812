"""Checks on the merged NodeConfig: NC301-NC309."""
from __future__ import annotations

import base64
import textwrap

import pytest

from nodecfg.core.diagnostics import Severity
from nodecfg.core.document import Document
from nodecfg.parse.yaml import parse_yaml_documents
from nodecfg.validate.semantics import check_merged

# A PEM block whose body is a DER SEQUENCE: the shape the kubelet's loader needs.
PEM = b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"
CA = base64.b64encode(PEM).decode()


def parse(text: str) -> Document:
    documents, diagnostics = parse_yaml_documents(textwrap.dedent(text), "m.yaml")
    assert len(documents) == 1, diagnostics
    return documents[0]


def cluster_doc(**overrides: str) -> Document:
    fields = {
        "name": "my-cluster",
        "apiServerEndpoint": "https://example.com",
        "certificateAuthority": CA,
        "cidr": "10.100.0.0/16",
    }
    fields.update(overrides)
    lines = "".join(f"    {k}: {v}\n" for k, v in fields.items() if v is not None)
    return parse("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n" + lines)


def check(document: Document, mode: str = "self-managed"):
    return check_merged(document.data, document.span_of, mode)


def codes_at(document: Document, mode: str = "self-managed") -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in check(document, mode)]


def test_a_complete_cluster_has_no_findings():
    assert check(cluster_doc()) == []


# --- NC301 ------------------------------------------------------------------------------


def test_every_missing_cluster_field_is_reported_in_nodeadm_order():
    document = parse("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    id: x\n")
    found = check(document)
    # Missing values are reported at the nearest existing ancestor, the cluster mapping: one place,
    # one finding, naming the fields in nodeadm's order (it stops at the first)
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("NC301", 5, 5)]
    assert found[0].message.startswith(
        "spec.cluster.name, apiServerEndpoint, certificateAuthority and cidr are missing after merging")


def test_empty_string_counts_as_missing_like_nodeadm():
    assert codes_at(cluster_doc(cidr='""')) == [("NC301", 8, 11)]


@pytest.mark.parametrize("mode", ["managed-nodegroup", "karpenter"])
def test_cluster_fields_are_not_required_when_they_are_injected_later(mode):
    document = parse("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    assert check(document, mode) == []


def test_missing_spec_altogether_reports_all_four_fields():
    document = parse("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n")
    [found] = check(document)
    assert found.code == "NC301" and "name, apiServerEndpoint, certificateAuthority and cidr are missing" in found.message


# --- NC302 / NC303: the CA bundle --------------------------------------------------------


def test_ca_that_is_not_base64_is_reported_at_its_value():
    found = codes_at(cluster_doc(certificateAuthority="not*base64"))
    assert found == [("NC302", 7, 27)]


def test_ca_without_padding_is_rejected_like_gos_std_encoding():
    padded = base64.b64encode(PEM + b"\n").decode()
    unpadded = padded.rstrip("=")
    assert check(cluster_doc(certificateAuthority=padded)) == []
    assert unpadded != padded
    assert [d.code for d in check(cluster_doc(certificateAuthority=unpadded))] == ["NC302"]


def test_ca_with_line_breaks_is_accepted_like_gos_decoder():
    wrapped = "|\n      " + "\n      ".join(CA[i:i + 16] for i in range(0, len(CA), 16))
    assert check(cluster_doc(certificateAuthority=wrapped)) == []


def test_raw_pem_pasted_as_ca_gets_an_encoding_hint():
    document = Document("m.json", {"spec": {"cluster": {
        "name": "c", "apiServerEndpoint": "https://e", "cidr": "10.0.0.0/16",
        "certificateAuthority": PEM.decode(),
    }}})
    (finding,) = check(document)
    assert finding.code == "NC302" and "base64-encode" in finding.hint


def test_ca_that_decodes_to_something_else_than_pem():
    # nodeadm's own e2e fixtures use this value: it decodes to the text 'certificateAuthority'.
    (finding,) = check(cluster_doc(certificateAuthority="Y2VydGlmaWNhdGVBdXRob3JpdHk="))
    assert (finding.code, finding.span.line, finding.span.col) == ("NC303", 7, 27)


def test_doubly_encoded_ca_is_recognised():
    twice = base64.b64encode(CA.encode()).decode()
    (finding,) = check(cluster_doc(certificateAuthority=twice))
    assert finding.code == "NC303" and "twice" in finding.hint


def test_empty_ca_is_present_for_nodeadm_but_holds_no_certificate():
    assert [d.code for d in check(cluster_doc(certificateAuthority='""'))] == ["NC303"]


# --- NC304: endpoint ----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint, hint_part", [
    ("http://example.com", "https"),
    ("ABCD.gr7.us-west-2.eks.amazonaws.com", "https://ABCD"),
    ("https://", "HOST"),
    ("'https://exa mple.com'", "spaces"),
])
def test_endpoint_must_be_an_https_url_with_a_host(endpoint, hint_part):
    (finding,) = check(cluster_doc(apiServerEndpoint=endpoint))
    assert (finding.code, finding.span.line, finding.span.col) == ("NC304", 6, 24)
    assert hint_part in finding.hint


def test_endpoint_with_port_is_fine():
    assert check(cluster_doc(apiServerEndpoint="https://10.0.0.1:443")) == []


# --- NC305 / NC306: service CIDR -----------------------------------------------------------


@pytest.mark.parametrize("cidr", ["10.100.0.0", "10.100.0.0/33", "10.100.0/16",
                                  "10.100.0.0/255.255.0.0", "010.100.0.0/16", "banana"])
def test_invalid_cidr(cidr):
    assert codes_at(cluster_doc(cidr=cidr)) == [("NC305", 8, 11)]


def test_ipv6_cidr_is_valid():
    assert check(cluster_doc(cidr="fd00:10:96::/108")) == []


def test_cidr_with_host_bits_warns_and_names_the_dns_address_nodeadm_derives():
    (finding,) = check(cluster_doc(cidr="10.100.5.0/16"))
    assert (finding.code, finding.severity) == ("NC306", Severity.WARNING)
    assert "10.100.5.10" in finding.message
    assert finding.hint == "did you mean '10.100.0.0/16'?"


def test_ipv4_mapped_cidr_names_the_address_nodeadm_cuts_from_the_text():
    # GetCIDRIpFamily: To4() succeeds, so GetClusterDns cuts at the last '.' (internal/api/net.go)
    (finding,) = check(cluster_doc(cidr="::ffff:10.100.0.5/112"))
    assert (finding.code, finding.severity) == ("NC306", Severity.WARNING)
    assert "::ffff:10.100.0.10" in finding.message


def test_ipv4_mapped_cidr_without_a_dot_is_an_error_nodeadm_panics_on():
    (finding,) = check(cluster_doc(cidr="'::ffff:a64:0/104'"))
    assert (finding.code, finding.span.line, finding.span.col) == ("NC305", 8, 11)
    assert "panics" in finding.message and "10.0.0.0/8" in finding.hint  # a64:0 is 10.100.0.0; /104 is /8


def test_cluster_dns_inside_an_ipv4_mapped_service_cidr_is_inside():
    document = parse("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n"
                     "    cidr: ::ffff:10.100.0.0/112\n  kubelet:\n    config:\n      clusterDNS: [10.100.0.10, 10.0.0.2]\n")
    assert codes_at(document, "karpenter") == [("NC311", 8, 33)]


# --- NC406: kubelet flags that would break the environment file ------------------------------


def test_a_line_break_in_a_kubelet_flag_is_found_at_its_item():
    document = parse('apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n'
                     '    flags:\n      - --v=2\n      - "--node-labels=a=b\\nEVIL=1"\n      - "--x=\\u2028"\n')
    found = [(d.code, d.span.line, d.span.col, d.severity) for d in check(document, "karpenter")]
    assert found == [("NC406", 7, 9, Severity.ERROR), ("NC406", 8, 9, Severity.ERROR)]
    assert "U+000A" in check(document, "karpenter")[0].message


# --- NC307: outposts -------------------------------------------------------------------------


def test_outpost_without_id():
    assert codes_at(cluster_doc(enableOutpost="true")) == [("NC307", 9, 20)]


def test_outpost_with_id_is_fine_and_disabled_outpost_needs_none():
    assert check(cluster_doc(enableOutpost="true", id="abc")) == []
    assert check(cluster_doc(enableOutpost="false")) == []


def test_outpost_is_checked_in_every_mode():
    document = parse("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
                     "spec:\n  cluster:\n    enableOutpost: true\n")
    assert [d.code for d in check(document, "karpenter")] == ["NC307"]


# --- NC308 / NC309: instance options -----------------------------------------------------------

INSTANCE = """\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  instance:
    environment:
      default:
        GOOD_NAME: a
        2BAD: b
      kubelet:
        BAD-NAME: c
    network:
      nameservers:
        - 10.0.0.2
        - "[fd00::2]:53"
        - 1.1.1.1#cloudflare-dns.com
        - dns.example.com
"""


def test_invalid_environment_names_and_nameservers():
    document = parse(INSTANCE)
    assert codes_at(document, "karpenter") == [
        ("NC308", 8, 15), ("NC308", 10, 19), ("NC309", 16, 11),
    ]


def test_bad_shapes_never_raise():
    for config in ({}, {"spec": []}, {"spec": {"cluster": "x", "instance": {"environment": [1]}}},
                   {"spec": {"instance": {"network": {"nameservers": [None, 5]}}}}):
        check_merged(config, lambda pointer: Document("x", None).span_of(pointer))


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u2003", "\x1c", "\u3000"])
def test_an_endpoint_with_any_white_space_is_told_so(space):
    from nodecfg.validate.semantics import _endpoint_problem

    for endpoint in (f"https://a{space}b.example", f"{space}https://ab.example", f"https://ab.example{space}"):
        assert _endpoint_problem(endpoint) == ("contains white space", "remove the spaces")
    assert _endpoint_problem("https://ab.example") is None
