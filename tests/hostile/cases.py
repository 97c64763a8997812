"""Hostile inputs for the command line: each case writes its files and says how to call nodecfg.

A case is a function ``make(directory) -> Invocation``.  Inputs are built
here from small Python expressions (nothing large is stored in the repo);
the expensive ones (gzip bombs) are built once and cached.
"""
from __future__ import annotations

import base64
import functools
import gzip
import os
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
VALID = (ROOT / "examples" / "nodeconfig.yaml").read_text()
CLUSTER_ONLY = VALID.split("  kubelet:")[0]  # the example without its kubelet section
HEADER = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
ALL_COMMANDS = ("check", "render", "build")


@dataclass
class Invocation:
    sources: list[str]
    stdin: bytes | None = None  # None: stdin is /dev/null
    options: list[str] = field(default_factory=list)  # given to every command
    build_options: list[str] = field(default_factory=list)  # given to build only, replaces -o OUT


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], Invocation]
    why: str
    commands: tuple[str, ...] = ALL_COMMANDS
    exits: frozenset[int] = frozenset({1, 2})
    reports: tuple[str, ...] = ()  # the output must name one of these codes


CASES: list[Case] = []


def case(why: str, commands: tuple[str, ...] = ALL_COMMANDS, exits=frozenset({1, 2}), reports: tuple[str, ...] = ()):
    def register(function: Callable[[Path], Invocation | bytes]) -> Callable:
        def make(directory: Path) -> Invocation:
            made = function(directory)
            if isinstance(made, bytes):
                made = Invocation([str(_write(directory, "input", made))])
            return made
        CASES.append(Case(function.__name__, make, why, commands, frozenset(exits), reports))
        return function
    return register


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def _valid_with(extra_spec: str) -> bytes:
    """The example's cluster with ``extra_spec`` (lines indented under spec:) appended."""
    return (CLUSTER_ONLY + extra_spec).encode()


def _mime(parts: list[tuple[str, bytes]], boundary: str = "BOUNDARY", closing: bool = True) -> bytes:
    out = [f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'.encode()]
    for headers, body in parts:
        out.append(f"--{boundary}\n{headers}\n\n".encode() + body + b"\n")
    if closing:
        out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


NODECONFIG_PART = "Content-Type: application/node.eks.aws"
CEL_FALLBACK = ("NC402", "NC405", "NC312")  # fails (nodeadm falls back) or is beyond nodecfg's limits


@functools.lru_cache(maxsize=None)
def gzip_bomb(inflated_mib: int = 64) -> bytes:
    """A gzip stream of zeros that inflates to ``inflated_mib`` MiB (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([compressor.compress(zeros) for _ in range(inflated_mib)] + [compressor.flush()])


# --- encodings and raw bytes ------------------------------------------------

@case("invalid UTF-8 inside a value")
def invalid_utf8(directory):
    return HEADER.encode() + b"spec:\n  cluster:\n    name: caf\xe9\xff\n"


@case("NUL bytes in the middle of a document")
def nul_bytes(directory):
    return HEADER.encode() + b"spec:\n  cluster:\n    name: a\x00b\n"


@case("random binary garbage")
def binary_garbage(directory):
    return random.Random(5).randbytes(8192)


@case("an empty file")
def empty_input(directory):
    return b""


@case("only white space")
def only_whitespace(directory):
    return b"  \n\t\n   \r\n\n"


@case("only comments")
def only_comments(directory):
    return b"# nothing here\n# really nothing\n"


@case("a document of control characters")
def control_characters(directory):
    return bytes(range(1, 32)) * 10


@case("a byte-order mark, CRLF line ends and a misspelt key")
def bom_crlf_typo(directory):
    return b"\xef\xbb\xbf" + _valid_with("  kubelt: {}\n").replace(b"\n", b"\r\n")


@case("a UTF-16 byte-order mark")
def utf16(directory):
    return VALID.encode("utf-16")


@case("a lone surrogate escape in a double-quoted scalar")
def lone_surrogate_yaml(directory):
    return _valid_with('  instance:\n    environment:\n      kubelet:\n        A: "\\ud800"\n')


@case("a lone surrogate escape in JSON that only the JSON reader accepts")
def lone_surrogate_json(directory):
    return (b'{"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",\n\t"spec": '
            b'{"cluster": {"name": "\\udc00"}}}')


# --- MIME -------------------------------------------------------------------

@case("MIME cut off in the middle of a part")
def truncated_mime(directory):
    return _mime([(NODECONFIG_PART, VALID.encode())])[:260]


@case("MIME with 10,000 parts")
def mime_ten_thousand_parts(directory):
    return _mime([(NODECONFIG_PART, b"kind: NodeConfig")] * 10_000)


@case("a multipart boundary that never appears")
def mime_missing_boundary(directory):
    return _mime([(NODECONFIG_PART, VALID.encode())], boundary="B").replace(b"--B", b"--X")


@case("multipart without a boundary parameter")
def mime_no_boundary_parameter(directory):
    return b"MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n--x\n\nkind: NodeConfig\n--x--\n"


@case("a MIME header block of 20,000 headers")
def mime_many_headers(directory):
    return b"MIME-Version: 1.0\n" + b"X-Filler: a\n" * 20_000 + b"Content-Type: multipart/mixed; boundary=b\n\n"


@case("one 500 KB folded MIME header")
def mime_long_folded_header(directory):
    return b"MIME-Version: 1.0\nContent-Type: multipart/mixed;\n" + b" x=y;\n" * 80_000 + b" boundary=b\n\n--b--\n"


@case("a base64 part that decodes to binary garbage")
def mime_base64_garbage(directory):
    garbage = base64.b64encode(random.Random(7).randbytes(3000))
    return _mime([(NODECONFIG_PART + "\nContent-Transfer-Encoding: base64", garbage)])


@case("a part declared base64 that is not base64")
def mime_bad_base64(directory):
    return _mime([(NODECONFIG_PART + "\nContent-Transfer-Encoding: base64", b"!!!! not base64 ****")])


@case("a quoted-printable part with broken escapes")
def mime_bad_quoted_printable(directory):
    return _mime([(NODECONFIG_PART + "\nContent-Transfer-Encoding: quoted-printable", b"kind: =ZZ=\x01=")])


@case("user data that is base64 of random bytes")
def base64_garbage(directory):
    return base64.b64encode(random.Random(9).randbytes(6000))


@case("a gzip bomb as the whole user data")
def gzip_bomb_top_level(directory):
    return gzip_bomb()


@case("a base64 gzip bomb inside a MIME part")
def gzip_bomb_in_part(directory):
    return _mime([(NODECONFIG_PART, base64.b64encode(gzip_bomb()))])


@case("a truncated gzip stream")
def gzip_truncated(directory):
    return gzip.compress(VALID.encode())[:-12]


@case("gzip inside base64 inside gzip: nodeadm unwraps one layer of each")
def nested_gzip_base64_gzip(directory):
    return gzip.compress(base64.b64encode(gzip.compress(VALID.encode())))


# --- YAML structure ------------------------------------------------------------

@case("billion laughs: aliases that expand exponentially")
def alias_bomb(directory):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return (HEADER + "spec:\n  cluster:\n    x: *a9\n" + "\n".join(lines) + "\n").encode()


@case("10,000-deep flow nesting")
def deep_flow_nesting(directory):
    return (HEADER + "spec: " + "[" * 10_000 + "]" * 10_000 + "\n").encode()


@case("10,000-deep block sequences on one line")
def deep_block_nesting(directory):
    return (HEADER + "spec:\n" + "- " * 10_000 + "x\n").encode()


@case("10,000-deep JSON objects (tab indented, so the JSON reader gets it)")
def deep_json_nesting(directory):
    return ('{\t"spec": ' + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "}").encode()


@case("a 900 KB scalar")
def huge_scalar(directory):
    return _valid_with("  kubelet:\n    flags: [--node-labels=" + "x" * 900_000 + "]\n  typo: 1\n")


@case("a source over the 1 MiB input limit")
def over_input_limit(directory):
    return _valid_with("  cluster:\n    name: " + "y" * (2 << 20) + "\n")


@case("100,000 keys (gzip-compressed to pass the input limit)")
def hundred_thousand_keys(directory):
    keys = "".join(f"    k{i}: {i}\n" for i in range(100_000))
    return gzip.compress(_valid_with("  kubelet:\n   config:\n" + keys))


@case("200,000 empty documents")
def many_documents(directory):
    return b"---\n" * 200_000


@case("the same key a thousand times at every level")
def duplicate_keys(directory):
    body = "spec:\n" * 3 + "  cluster:\n" + "    name: a\n" * 1000 + "  cluster: {}\n" * 1000
    return (HEADER * 50 + body).encode()


@case("tab-indented YAML")
def tab_indented(directory):
    return (HEADER + "spec:\n\tcluster:\n\t\tname: x\n").encode()


@case("a YAML syntax error")
def yaml_syntax_error(directory):
    return (HEADER + "spec: {cluster: [\n").encode()


@case("custom tags, a binary scalar and a complex key")
def odd_tags(directory):
    return (HEADER + "spec: !!python/object:os.system\n  ? [a, b]\n  : !!binary aGk=\n  cluster: !foo {}\n").encode()


# --- wrong documents -----------------------------------------------------------------

@case("kind: Pod")
def kind_pod(directory):
    return b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n"


@case("apiVersion v1 with kind NodeConfig")
def api_version_v1(directory):
    return VALID.replace("node.eks.aws/v1alpha1", "v1").encode()


@case("a document that is a list")
def document_is_list(directory):
    return b"- apiVersion: node.eks.aws/v1alpha1\n- kind: NodeConfig\n"


@case("a document that is a scalar")
def document_is_scalar(directory):
    return b"just some words\n"


@case("a document that is null")
def document_is_null(directory):
    return b"null\n"


@case("a JSON array")
def json_array(directory):
    return b'[{"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig"}]'


@case("every field of the wrong type")
def wrong_types(directory):
    return (HEADER + "spec:\n  cluster: [1]\n  kubelet: 3\n  containerd: {config: [x]}\n"
            "  instance: {environment: [a], network: {nameservers: {a: b}}}\n  featureGates: yes\n").encode()


# --- numbers ------------------------------------------------------------------------------

@case("a 2**200 integer where NodeConfig has a string")
def huge_integer(directory):
    return _valid_with(f"  instance:\n    localStorage:\n      strategy: {2 ** 200}\n")


@case(".nan and .inf in kubelet.config")
def nan_and_inf(directory):
    return _valid_with("  kubelet:\n    config:\n      maxPods: .nan\n      podsPerCore: .inf\n"
                       "      imageGCHighThresholdPercent: -.inf\n")


# --- CEL ----------------------------------------------------------------------------------

# nodeadm falls back to the default maxPods when the expression fails: build warns (exit 0),
# check also calls an expression over nodecfg's limits an error (exit 1).
@case("a CEL expression that maps over nested list comprehensions", ("check", "build"), {0, 1}, CEL_FALLBACK)
def cel_nested_maps(directory):
    expression = "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3].map(c, a*b*c))).size()"
    return _valid_with(f"  kubelet:\n    maxPodsExpression: '{expression}'\n")


@case("a CEL expression that sizes a giant string", ("check", "build"), {0, 1}, CEL_FALLBACK)
def cel_giant_string(directory):
    expression = "size('" + "a" * 200_000 + "')"
    return _valid_with(f"  kubelet:\n    maxPodsExpression: \"{expression}\"\n")


@case("a CEL expression with 10,000 nested parentheses", ("check", "build"), {0, 1}, CEL_FALLBACK)
def cel_deep_parens(directory):
    expression = "(" * 10_000 + "1" + ")" * 10_000
    return _valid_with(f"  kubelet:\n    maxPodsExpression: '{expression}'\n")


@case("a CEL expression that overflows int64", ("check", "build"), {0, 1}, CEL_FALLBACK)
def cel_overflow(directory):
    return _valid_with("  kubelet:\n    maxPodsExpression: '9223372036854775807 * default_enis * 2'\n")


# --- containerd TOML --------------------------------------------------------------------------

# Under EC2's 16 KiB, so that check does not stop at the user-data size first.  render prints the
# merged NodeConfig, where the TOML is only a string: it is not run for these.
@case("containerd TOML with a 5,000-deep table header", ("check", "build"), reports=("NC501",))
def toml_deep_table(directory):
    return _valid_with("  containerd:\n    config: |\n      [" + ".".join(["a"] * 5_000) + "]\n      x = 1\n")


@case("containerd TOML with 2,000-deep inline tables", ("check", "build"), reports=("NC501",))
def toml_deep_inline(directory):
    return _valid_with("  containerd:\n    config: |\n      a = " + "{b = " * 2_000 + "1" + "}" * 2_000 + "\n")


@case("containerd TOML with 5,000-deep arrays", ("check", "build"), reports=("NC501",))
def toml_deep_arrays(directory):
    return _valid_with("  containerd:\n    config: |\n      a = " + "[" * 5_000 + "]" * 5_000 + "\n")


@case("containerd TOML with invalid dates and duplicate keys", ("check", "build"), reports=("NC501",))
def toml_bad_dates(directory):
    return _valid_with("  containerd:\n    config: |\n      a = 2024-13-45T25:61:61Z\n      b = 1\n      b = 2\n")


# --- sizes that multiply in rendering ------------------------------------------------------------

@case("environment with 10,000 services and an invalid name")
def ten_thousand_services(directory):
    services = "".join(f"      s{i}: {{A: b}}\n" for i in range(10_000))
    return _valid_with("  instance:\n    environment:\n" + services + "      '../../x': {A: b}\n")


@case("10,000 kubelet flags and an environment with a misspelt field")
def ten_thousand_flags(directory):
    return _valid_with("  kubelet:\n    flags:\n" + "".join(f"      - --f{i}=v\n" for i in range(10_000))
                       + "  instance:\n    enviroment: {}\n")


# --- how sources are named ------------------------------------------------------------------

@case("a file that does not exist")
def missing_file(directory):
    return Invocation([str(directory / "absent.yaml")])


@case("stdin that is closed")
def stdin_closed(directory):
    return Invocation(["-"])


@case("stdin with garbage")
def stdin_garbage(directory):
    return Invocation(["-"], stdin=random.Random(3).randbytes(4096))


@case("file:///dev/zero: an endless source")
def dev_zero(directory):
    return Invocation(["file:///dev/zero"])


@case("a FIFO with no writer")
def fifo(directory):
    path = directory / "fifo"
    os.mkfifo(path)
    return Invocation([str(path)])


@case("a directory with 10,000 files")
def directory_of_ten_thousand(directory):
    dropins = directory / "nodeadm.d"
    dropins.mkdir()
    for index in range(10_000):
        (dropins / f"{index:05}.yaml").write_bytes(b"kind: NodeConfig\n")
    return Invocation([str(dropins)])


@case("a symbolic link loop")
def symlink_loop(directory):
    (directory / "loop").symlink_to(directory / "loop")
    return Invocation([str(directory / "loop")])


# --- instance context and output (commands that take them) ---------------------------------------

@case("an --instance file of garbage", commands=("check", "build"))
def instance_garbage(directory):
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    instance = _write(directory, "instance.yaml", random.Random(11).randbytes(2048))
    return Invocation([str(source)], options=["--instance", str(instance)])


@case("--instance naming a directory", commands=("check", "build"))
def instance_directory(directory):
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    return Invocation([str(source)], options=["--instance", str(directory)])


@case("--instance naming /dev/zero", commands=("check", "build"))
def instance_dev_zero(directory):
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    return Invocation([str(source)], options=["--instance", "/dev/zero"])


@case("an output path in a missing directory", commands=("build",))
def output_missing_directory(directory):
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    return Invocation([str(source)], build_options=["-o", str(directory / "missing" / "out.tar")])


@case("an output directory path that is an existing file", commands=("build",))
def output_is_a_file(directory):
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    _write(directory, "rootfs", b"precious")
    return Invocation([str(source)], build_options=["-o", str(directory / "rootfs")])


@case("an output archive path that is an existing directory", commands=("build",))
def output_archive_is_a_directory(directory):
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    (directory / "out.tar").mkdir()
    return Invocation([str(source)], build_options=["-o", str(directory / "out.tar")])


@case("a failed build next to an existing archive it must not clobber", commands=("build",))
def existing_output_kept(directory):
    source = _write(directory, "nodeconfig.yaml", (HEADER + "spec: {cluster: {name: x}}\n").encode())
    _write(directory, "kept.tar", b"the previous build")
    return Invocation([str(source)], build_options=["-o", str(directory / "kept.tar")])


@case("a JSON document 500 levels deep (under the JSON reader's own recursion limit)")
def json_500_deep(directory):
    return ('{\t"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": '
            + '{"a": ' * 500 + "1" + "}" * 500 + "}").encode()


@case("merge keys that would expand exponentially")
def merge_key_bomb(directory):
    lines = ["a0: &a0 {k0: 1, k1: 2}"]
    lines += [f"a{i}: &a{i} {{<<: [" + ", ".join([f"*a{i - 1}"] * 8) + f"], k{i}: 1}}" for i in range(1, 14)]
    return (HEADER + "\n".join(lines) + "\nspec:\n  kubelet:\n    config: *a13\n").encode()


@case("a megabyte of comment lines")
def comment_lines(directory):
    return HEADER.encode() + b"#\n" * 500_000


@case("user data whose shell part writes a drop-in outside /etc/eks/nodeadm.d")
def heredoc_escape(directory):
    script = b"#!/bin/bash\ncat > /etc/eks/nodeadm.d/../../../tmp/x.yaml <<'EOF'\nkind: NodeConfig\nEOF\n"
    return _mime([("Content-Type: text/x-shellscript", script)])


# --- composite inputs (issue 15): each class the first suite missed ----------------------------

def _alias_ladder(rungs: int, name: str = "a") -> list[str]:
    """Anchors that each hold the previous one twice: rung n stands for 2**n nodes."""
    lines = [f"{name}0: &{name}0 [x, x]"]
    lines += [f"{name}{i}: &{name}{i} [*{name}{i - 1}, *{name}{i - 1}]" for i in range(1, rungs)]
    return lines


@case("a complex (sequence) key", reports=("NC147",))
def complex_key(directory):
    return _valid_with("  kubelet:\n    config:\n      ? [a, b]\n      : 1\n")


@case("aliases inside a complex key (exponential if the key were turned into text)", reports=("NC147", "NC123"))
def aliases_in_complex_key(directory):
    return (HEADER + "\n".join(_alias_ladder(30)) + "\n? [*a29, *a29]\n: 1\nspec: {}\n").encode()


@case("a merge key pulling in a mapping that has a complex key", reports=("NC147",))
def merge_into_complex_key(directory):
    return (HEADER + "base: &b {? [1, 2] : x, y: 1}\n" + CLUSTER_ONLY.split("\n", 2)[2]
            + "  kubelet:\n    config:\n      <<: *b\n      z: 1\n").encode()


@case("6,000 findings on one long line", reports=("NC122",))
def many_findings_one_line(directory):
    return (HEADER + "spec: {kubelet: {flags: [" + ",".join(["yes"] * 6_000) + "]}}\n").encode()


@case("a MIME file of 40 parts with long lines full of findings", reports=("NC122", "NC141", "NC123"))
def many_findings_mime(directory):
    body = (HEADER + "spec: {featureGates: {x: [" + ",".join(["on"] * 2_000) + "]}}\n").encode()
    return _mime([(NODECONFIG_PART, body)] * 40)


@case("six parts, each a large baseRuntimeSpec map", reports=("NC123", "NC117"))
def many_parts_large_maps(directory):
    keys = "".join(f"      key{i}: {{v: {i}}}\n" for i in range(1_200))
    body = (CLUSTER_ONLY + "  containerd:\n    baseRuntimeSpec:\n" + keys).encode()
    return _mime([(NODECONFIG_PART, body)] * 6)


@case("a script with 5,000 heredoc drop-ins", reports=("NC148",))
def many_heredocs(directory):
    script = "#!/bin/bash\n" + "".join(
        f"cat <<'EOF' > /etc/eks/nodeadm.d/d{i}.yaml\n{HEADER}spec: {{}}\nEOF\n" for i in range(5_000))
    return Invocation([str(_write(directory, "userdata", _mime([(NODECONFIG_PART, VALID.encode()),
                                                             ("Content-Type: text/x-shellscript",
                                                              script.encode())])))],
                      options=["--max-input-bytes", "2000000"])


@case("a cloud-config part that is a merge-key bomb", reports=("NC111", "NC123"))
def cloud_config_merge_bomb(directory):
    lines = ["a0: &a0 {k0: 1}"] + [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: 1}}" for i in range(1, 60)]
    cloud = ("#cloud-config\n" + "\n".join(lines) + "\n" + "\n".join(_alias_ladder(40, "b")) + "\n").encode()
    return _mime([("Content-Type: text/cloud-config", cloud), (NODECONFIG_PART, b"kind: [\n")])


@case("a nameserver and a domain that inject lines into resolved.conf", reports=("NC309", "NC320"))
def resolved_line_injection(directory):
    return _valid_with('  instance:\n    network:\n      nameservers: ["10.0.0.2#dns.example\\nDNSStubListener=no"]\n'
                       '      domains: ["corp.example\\nDNS=192.0.2.66"]\n')


@case("NaN in baseRuntimeSpec", reports=("NC145",))
def nan_in_base_runtime_spec(directory):
    return _valid_with("  containerd:\n    baseRuntimeSpec:\n      process: {oomScoreAdj: .nan}\n")


@case("a JSON number beyond float64 in baseRuntimeSpec (read by the JSON path)", reports=("NC146",))
def huge_json_number(directory):
    return ('{\t"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {"containerd": '
            '{"baseRuntimeSpec": {"a": 1' + "0" * 400 + '}}}}').encode()


def _with_instance(directory, text: str) -> Invocation:
    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    return Invocation([str(source)], options=["--instance", str(_write(directory, "instance.yaml", text.encode()))])


@case("an --instance file with a nested sequence key", commands=("check", "build"), exits={2})
def instance_sequence_key(directory):
    return _with_instance(directory, "? [[a]]\n: 1\n")


@case("an --instance file of a megabyte of comment lines", commands=("check", "build"), exits={2})
def instance_comment_lines(directory):
    return _with_instance(directory, "#\n" * 500_000)


@case("an --instance file of deep flow nesting", commands=("check", "build"), exits={2})
def instance_flow_nesting(directory):
    return _with_instance(directory, "[" * 3_000 + "]" * 3_000)


@case("--instance-table entries of the wrong shapes and absurd figures", commands=("check", "build"),
      exits={0, 1}, reports=("NC094",))
def instance_table_shapes(directory):
    entries = [
        {"InstanceType": "x1.large", "VCpuInfo": [2], "NetworkInfo": {"NetworkCards": [
            {"MaximumNetworkInterfaces": 3}], "Ipv4AddressesPerInterface": 10}},
        {"InstanceType": "x2.large", "NetworkInfo": {"NetworkCards": 4, "Ipv4AddressesPerInterface": 10}},
        {"InstanceType": "x3.large", "MemoryInfo": "lots", "NetworkInfo": {"NetworkCards": [
            {"MaximumNetworkInterfaces": 3}], "Ipv4AddressesPerInterface": 10}},
        {"InstanceType": "x4.large", "NetworkInfo": {"NetworkCards": [
            {"MaximumNetworkInterfaces": 3}], "Ipv4AddressesPerInterface": -8}},
        {"InstanceType": "x5.large", "NetworkInfo": {"NetworkCards": [
            {"MaximumNetworkInterfaces": 10 ** 40}], "Ipv4AddressesPerInterface": 10}},
    ]
    import json

    source = _write(directory, "nodeconfig.yaml", VALID.encode())
    table = _write(directory, "table.json", json.dumps({"InstanceTypes": entries}).encode())
    return Invocation([str(source)], options=["--instance-table", str(table), "--instance-type", "x4.large"])
