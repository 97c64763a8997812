"""Bounded time and memory for container files, flag findings, decoding and aliases (issue 22, classes 7-9).

Every test runs nodecfg in a child process with a CPU-time limit and an
address-space limit, and checks the CPU time the child really used (never
wall-clock time: CI machines are loaded).  The inputs are ones that took
tens of seconds or gigabytes before; the numbers are in the commit messages.
"""
from __future__ import annotations

import base64
import gzip
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CPU_LIMIT_SECONDS = 20       # the child is killed past this (the old code ran for up to 70 s)
CPU_BOUND_SECONDS = 5.0      # what a run may use; the fixed code needs about a second
MEMORY_LIMIT_BYTES = 768 << 20

CLUSTER = """\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://abc.example.com
    certificateAuthority: Y2E=
    cidr: 10.100.0.0/16
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_SECONDS, CPU_LIMIT_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


# The child's peak memory is read from /proc/self/status (VmHWM: this process image's own high-water
# mark).  wait4's ru_maxrss would not do: Linux carries the forking test process's resident size over
# into the child, so after a few hundred tests every child would seem to need 150 MB.
LAUNCHER = """\
import sys
from nodecfg.cli.main import main
code = main(sys.argv[2:])
sys.stdout.flush()
sys.stderr.flush()
with open('/proc/self/status') as status, open(sys.argv[1], 'w') as peak:
    peak.write(next(line.split()[1] for line in status if line.startswith('VmHWM:')))
sys.exit(code)
"""


def run_bounded(arguments: list[str], cwd: Path, stdin: bytes | None = None):
    """(exit code, CPU seconds, peak RSS bytes, stdout, stderr) of one nodecfg run."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), NODECFG_NO_CACHE="1")
    out, err, peak = cwd / ".stdout", cwd / ".stderr", cwd / ".peak"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        child = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(peak), *arguments], cwd=cwd,
                                 env=environment, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                 stdout=stdout, stderr=stderr, preexec_fn=_limits)
        if stdin is not None:
            child.stdin.write(stdin)
            child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    rss = int(peak.read_text()) * 1024 if peak.exists() else usage.ru_maxrss * 1024  # killed: no report
    return child.returncode, cpu, rss, out.read_text(errors="replace"), err.read_text(errors="replace")


def assert_bounded(outcome, seconds: float = CPU_BOUND_SECONDS) -> None:
    code, cpu, _, stdout, stderr = outcome
    assert code in (0, 1), f"exit {code}\n{stderr[-2000:]}"
    assert "Traceback" not in stdout + stderr
    assert cpu < seconds, f"{cpu:.1f} s of CPU"


# --- class 7: quadratic containers -------------------------------------------------------------


def test_an_ec2nodeclass_stream_is_parsed_once_not_once_per_document(tmp_path):
    # 200 small EC2NodeClasses: check lints each user data in a run of its own (before: 72 s)
    documents = [f"""\
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: class{index}
spec:
  userData: |
    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      kubelet:
        config:
          maxPods: 20
""" for index in range(200)]
    (tmp_path / "classes.yaml").write_text("---\n".join(documents))
    outcome = run_bounded(["check", "classes.yaml"], tmp_path)
    assert_bounded(outcome)
    # every one of them is still linted on its own: one NC702 (maxPods discarded) each
    assert "180 more NC702 findings in classes.yaml not shown" in outcome[3] + outcome[4]
    assert "200 warnings" in outcome[4]


LAUNCH_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        UserData:
          Fn::Base64:
"""


def test_fn_sub_with_8000_unresolved_references_is_linear(tmp_path):
    # each unresolved ${X} used to scan the whole template for its line (before: 18 s)
    references = "".join(f"              echo ${{X{index}}}\n" for index in range(8000))
    text = LAUNCH_TEMPLATE + "            Fn::Sub: |\n              #!/bin/bash\n" + references
    (tmp_path / "template.yaml").write_text(text)
    outcome = run_bounded(["check", "template.yaml"], tmp_path)
    assert_bounded(outcome)
    # the first reference is on line 11, column 20 ("              echo " is 19 characters)
    assert "template.yaml:11:20: NC173 warning ${X0} is not resolved" in outcome[3]
    assert "7980 more NC173 findings" in outcome[3] + outcome[4]


def test_fn_join_with_8000_items_is_linear(tmp_path):
    # each item's position used to scan the whole template (before: 65 s)
    items = "".join(f'                - "echo {index}\\n"\n' for index in range(8000))
    text = LAUNCH_TEMPLATE + "            Fn::Join:\n              - ''\n              - - \"#!/bin/bash\\n\"\n" + items
    (tmp_path / "template.yaml").write_text(text)
    assert_bounded(run_bounded(["check", "template.yaml"], tmp_path))


def test_15000_node_label_findings_split_the_text_once(tmp_path):
    # one NC417 per flag; offset_span used to split the whole text for each (before: 11 s)
    flags = "".join(f"    - --node-labels=-a{index}=b\n" for index in range(15000))
    (tmp_path / "labels.yaml").write_text(CLUSTER + "  kubelet:\n    flags:\n" + flags)
    outcome = run_bounded(["check", "labels.yaml"], tmp_path)
    assert_bounded(outcome)
    # item 0 is on line 11; "    - --node-labels=" is 20 characters, so the label starts at column 21
    assert "labels.yaml:11:21: NC417" in outcome[3]
    assert "14980 more NC417 findings" in outcome[3] + outcome[4]


# --- class 8: one decoded-size budget per run ----------------------------------------------------


def _bomb_parts(count: int, inflated: int) -> str:
    """A multipart user data of ``count`` NodeConfig parts, each base64 gzip inflating to ``inflated`` bytes."""
    payload = base64.b64encode(gzip.compress(b"#" + b" " * (inflated - 2) + b"\n", 9, mtime=0)).decode()
    parts = "".join(f"--B\nContent-Type: application/node.eks.aws\nContent-Transfer-Encoding: base64\n\n{payload}\n"
                    for _ in range(count))
    return f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n{parts}--B--\n'


def test_a_hundred_gzip_parts_share_one_decoded_budget(tmp_path):
    # each part inflates to 600 KiB, under the 1 MiB limit on its own; together they are 60 MiB
    # (before: every part was inflated and parsed, 24 s)
    text = _bomb_parts(100, 600 << 10)
    assert len(text) < 150_000
    (tmp_path / "parts.mime").write_text(text)
    outcome = run_bounded(["check", "parts.mime"], tmp_path)
    assert_bounded(outcome, 2.0)
    stdout = outcome[3]
    # each part is 5 lines (delimiter, 2 headers, blank, body): part 1 (lines 4-8) fits; part 2's
    # body (line 13) passes the limit, and the reading stops at part 3's delimiter (line 14)
    assert "parts.mime:13:1: NC103 error gzip data inflates past the decoded size limit; refused" in stdout
    assert "parts.mime:14:1: NC103 error the decoded size limit is used up; the parts from here on are not read" \
        in stdout
    assert stdout.count(" NC103 ") == 2
    assert outcome[2] < 200 << 20


def test_the_budget_is_shared_by_the_user_data_of_a_whole_run(tmp_path):
    # two sources of 600 KiB each after gzip, merged into one node: the second passes what the run may decode
    member = gzip.compress(CLUSTER.encode() + b"#" * (600 << 10) + b"\n", 9, mtime=0)
    (tmp_path / "a.gz").write_bytes(member)
    (tmp_path / "b.gz").write_bytes(member)
    outcome = run_bounded(["check", "--merge", "a.gz", "b.gz"], tmp_path)
    assert_bounded(outcome)
    assert "a.gz:1:1: NC103" not in outcome[3]
    assert "b.gz:1:1: NC103 error gzip data inflates past the decoded size limit; refused" in outcome[3]


# --- class 9: aliases bounded by the characters they expand to; origins per run ----------------

EXAMPLE_CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]


def test_aliases_of_a_large_value_are_bounded_by_characters_not_nodes(tmp_path):
    # 2 KB of gzip: a 500,000-character value aliased 229 times in kubelet.config
    # (before: build wrote a 230 MB archive, 477 MB of memory)
    text = EXAMPLE_CLUSTER + "  kubelet:\n    config:\n" + f'      a0: &a "{"x" * 500_000}"\n' + \
        "".join(f"      a{index}: *a\n" for index in range(1, 230))
    data = gzip.compress(text.encode(), 9, mtime=0)
    assert len(data) < 4096
    (tmp_path / "aliases.yaml.gz").write_bytes(data)
    outcome = run_bounded(["build", "aliases.yaml.gz", "-o", "out.tar"], tmp_path)
    code, cpu, rss, stdout, stderr = outcome
    assert code == 1 and cpu < CPU_BOUND_SECONDS and rss < 200 << 20, outcome[1:3]
    # the third use of the value is the first past 1 MiB of characters; an alias is the anchored
    # node itself, so the finding points at the anchored value (line 12 of the decoded text)
    assert "aliases.yaml.gz#gzip:12:11: NC123 error the document's values expand to more than 1048576 " \
           "characters" in stdout + stderr
    assert not (tmp_path / "out.tar").exists()


def test_aliased_kubelet_flags_stay_small(tmp_path):
    # 74 KB: a 63,000-character flag aliased 1000 times (before: check passed 2.9 GB and died, exit 3)
    flag = "--node-labels=" + ",".join(f"k{index}=v" for index in range(8000))
    text = EXAMPLE_CLUSTER + "  kubelet:\n    flags:\n" + f'      - &a "{flag}"\n' + "      - *a\n" * 1000
    (tmp_path / "flags.yaml").write_text(text)
    outcome = run_bounded(["check", "flags.yaml"], tmp_path)
    assert_bounded(outcome)
    assert outcome[2] < 200 << 20
    assert " NC123 error the document's values expand to more than 1048576 characters" in outcome[3]


def test_a_megabyte_of_flags_costs_runs_of_origins_not_a_tuple_per_character(tmp_path):
    # 0.9 MB of kubelet flags without aliases (the input limit is 1 MiB): 100,000 labels, half of them
    # in a quoted run that takes the slow path of systemd's reader; every label is refused (a key
    # must start with a letter or digit), so each gets its finding, located in its long line
    # (before: 150 MB for the origins alone, and minutes locating the findings)
    labels = ",".join(f"-k{index}=v" for index in range(50000))
    text = EXAMPLE_CLUSTER + "  kubelet:\n    flags:\n" + \
        f'      - "--node-labels={labels}"\n      - "--node-labels=\'{labels}\'"\n'
    assert len(text) < 1 << 20
    (tmp_path / "flags.yaml").write_text(text)
    outcome = run_bounded(["check", "flags.yaml"], tmp_path)
    assert_bounded(outcome)
    assert outcome[2] < 150 << 20, outcome[2] >> 20
    # the labels of the second item (line 13) are reported, one finding per label;
    # '      - "--node-labels=\'' is 24 characters
    assert "flags.yaml:13:25: NC417 error --node-labels '-k0'" in outcome[3]
    assert "49980 more NC417 findings" in outcome[3] + outcome[4]
