#!/usr/bin/env python3
"""Check the JSON Schemas: valid draft 2020-12, without an $id, and published copies in step.

The packaged files in nodecfg/validate/schemas/ are the source; schemas/ publishes the
same bytes for editors.  A schema has no $id, so that the NodeConfig schema's reference
to the kubelet schema by its file name resolves against wherever the schema was read
from (a directory, a URL): docs/schemas.md says why.

    python scripts/check_schemas.py           # exit 1 on any problem
    python scripts/check_schemas.py --write   # copy the packaged files to schemas/
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGED = REPO / "nodecfg" / "validate" / "schemas"
PUBLISHED = REPO / "schemas"
NAMES = ("nodeconfig.v1alpha1.json", "kubelet-config.v1beta1.json", "instance.json")


def problems() -> list[str]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    found = []
    for name in NAMES:
        source, copy = PACKAGED / name, PUBLISHED / name
        try:
            schema = json.loads(source.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
        except (ValueError, SchemaError) as error:
            found.append(f"{source}: {error}")
        else:
            if "$id" in schema:
                found.append(f"{source}: has an $id; references would resolve against it, not the file's place")
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            found.append(f"{copy}: differs from {source} (run with --write)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="refresh the published copies")
    args = parser.parse_args()
    if args.write:
        for name in NAMES:
            shutil.copyfile(PACKAGED / name, PUBLISHED / name)
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
