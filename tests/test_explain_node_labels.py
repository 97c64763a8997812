"""explain shows every --node-labels the kubelet gets, and what it makes of them (issue 25 item 8).

nodeadm appends the user's kubelet flags after its own; --node-labels is a
MapStringString flag in the kubelet, so all occurrences merge (a later key
wins) instead of the last one replacing the others.
"""
from __future__ import annotations

import subprocess
import sys

from nodecfg.output.explain import merge_map_flag
from helpers import COMPLETE_NODECONFIG

NODE = COMPLETE_NODECONFIG + """\
  kubelet:
    flags:
      - --node-labels=team=web,tier=front
      - --v=2
      - --node-labels=tier=back,zone=a
"""


def test_the_kubelets_merge_of_repeated_label_flags():
    # each occurrence adds its pairs; a later key replaces an earlier one; blanks around keys are trimmed
    assert merge_map_flag(["team=web,tier=front", "tier=back, zone = a"]) == "team=web,tier=back,zone=a"
    assert merge_map_flag(["a=1,,b="]) == "a=1,b="


def test_explain_shows_every_node_labels_flag_with_its_origin_and_the_merged_labels(tmp_path):
    node = tmp_path / "node.yaml"
    node.write_text(NODE)
    done = subprocess.run([sys.executable, "-m", "nodecfg", "explain", str(node), "--field", "node-labels",
                           "--kubelet-version", "v1.35.0", "--accelerator", "nvidia"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "etc/eks/kubelet/environment",
        # nodeadm's own label for an NVIDIA node (1.35 on), first: nodeadm's flags come before the user's
        "  --node-labels = nvidia.com/gpu.present=true",
        "      <- instance accelerator",
        "  --node-labels = team=web,tier=front",
        f"      <- {node}:11:9 (spec.kubelet.flags.0)",
        "  --node-labels = tier=back,zone=a",
        f"      <- {node}:13:9 (spec.kubelet.flags.2)",
        "  --node-labels (merged) = nvidia.com/gpu.present=true,team=web,tier=back,zone=a",
        "      <- the kubelet merges all 3 --node-labels flags; a later key wins",
    ]


def test_a_single_node_labels_flag_is_one_row(tmp_path):
    node = tmp_path / "node.yaml"
    node.write_text(NODE.replace("      - --node-labels=tier=back,zone=a\n", ""))
    done = subprocess.run([sys.executable, "-m", "nodecfg", "explain", str(node), "--field", "node-labels"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[1:] == ["  --node-labels = team=web,tier=front",
                                            f"      <- {node}:11:9 (spec.kubelet.flags.0)"]
