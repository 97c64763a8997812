"""var/lib/kubelet/kubeconfig (and the outpost bootstrap variant), pki/ca.crt.

Expected text written by hand from nodeadm internal/kubelet/kubeconfig.go:
its template output with the server verbatim and quoted get-token args.
"""
from __future__ import annotations

import types

from nodecfg.context.instance import instance_from_mapping
from nodecfg.render import RenderContext
from nodecfg.render import kubeconfig

KUBECONFIG = "var/lib/kubelet/kubeconfig"
BOOTSTRAP = "var/lib/kubelet/bootstrap-kubeconfig"
CA = "etc/kubernetes/pki/ca.crt"


def context(**cluster):
    values = {"name": "payments-prod", "apiServerEndpoint": "https://1F2E.yl4.ap-south-1.eks.amazonaws.com",
              "certificateAuthority": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==", "cidr": "10.100.0.0/16"}
    values.update(cluster)
    config = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
              "spec": {"cluster": values}}
    instance = instance_from_mapping({"region": "ap-south-1"})
    return RenderContext(config, instance, types.SimpleNamespace(value=29))


def test_kubeconfig_text_is_exact():
    rendered = kubeconfig.render(context())
    assert rendered.files[KUBECONFIG].data.decode() == """---
apiVersion: v1
kind: Config
clusters:
  - name: kubernetes
    cluster:
      certificate-authority: /etc/kubernetes/pki/ca.crt
      server: https://1F2E.yl4.ap-south-1.eks.amazonaws.com
current-context: kubelet
contexts:
  - name: kubelet
    context:
      cluster: kubernetes
      user: kubelet
users:
  - name: kubelet
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: aws
        args:
          - "eks"
          - "get-token"
          - "--cluster-name"
          - "payments-prod"
          - "--region"
          - "ap-south-1"
"""
    assert BOOTSTRAP not in rendered.files
    assert rendered.files[KUBECONFIG].mode == 0o644


def test_outpost_writes_bootstrap_kubeconfig_named_by_cluster_id():
    rendered = kubeconfig.render(context(enableOutpost=True, id="0a1b2c3d-4e5f"))
    assert KUBECONFIG not in rendered.files
    data = rendered.files[BOOTSTRAP].data.decode()
    assert '          - "--cluster-name"\n          - "0a1b2c3d-4e5f"\n' in data
    assert "payments-prod" not in data
    assert rendered.origins[f"{BOOTSTRAP}#/users/0/user/exec/args/3"] == "config:/spec/cluster/id"


def test_outpost_false_is_the_normal_kubeconfig():
    rendered = kubeconfig.render(context(enableOutpost=False, id="0a1b2c3d-4e5f"))
    assert '"payments-prod"' in rendered.files[KUBECONFIG].data.decode()


def test_values_are_inserted_verbatim_like_the_template():
    rendered = kubeconfig.render(context(apiServerEndpoint="https://host:8443/path?x=1"))
    assert "      server: https://host:8443/path?x=1\n" in rendered.files[KUBECONFIG].data.decode()


def test_missing_values_render_empty_without_raising():
    config = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {}}
    ctx = RenderContext(config, instance_from_mapping({}), types.SimpleNamespace(value=110))
    rendered = kubeconfig.render(ctx)
    assert '          - ""\n' in rendered.files[KUBECONFIG].data.decode()
    assert rendered.files[CA].data == b""


def test_ca_certificate_is_the_decoded_authority():
    rendered = kubeconfig.render(context())
    assert rendered.files[CA].data == b"-----BEGIN CERTIFICATE-----\n"
    assert rendered.origins[f"{CA}#"] == "config:/spec/cluster/certificateAuthority"


def test_ca_base64_may_be_wrapped_over_lines():
    rendered = kubeconfig.render(context(certificateAuthority="aGVs\r\nbG8="))
    assert rendered.files[CA].data == b"hello"


def test_undecodable_ca_writes_no_file():
    for bad in ("not base64!", "aGVsbG8", "-----BEGIN CERTIFICATE-----"):
        assert CA not in kubeconfig.render(context(certificateAuthority=bad)).files
