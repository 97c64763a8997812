"""nodecfg schema: print a packaged JSON Schema, for editors and yaml-language-server."""
from __future__ import annotations

import argparse
import sys

KINDS = {
    "nodeconfig": "nodeconfig.v1alpha1.json",
    "kubelet": "kubelet-config.v1beta1.json",
    "instance": "instance.json",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=KINDS, default="nodeconfig",
                        help="nodeconfig: a NodeConfig document; kubelet: spec.kubelet.config; "
                             "instance: an --instance file")


def run(args) -> int:
    from nodecfg.validate.schemas import schema_text

    sys.stdout.write(schema_text(KINDS[args.kind]))
    return 0
