"""Fuzzing ``check --fix`` (issue 22): fixing never makes a file unparsable, never changes a byte outside the
spans it names.

Each generated file is a template of literal text and *slots*: the places where the generator planted a
fixable mistake, each with the spelling nodecfg must write instead (NC204 apiVersion, NC201/NC210 field
names, NC122 values, NC104 blank line, NC105 boundary quoting: the safe fixes of nodecfg/linter/fix.py).
The file may start with a UTF-8 byte order mark, use CRLF line ends, be a MIME part, and be base64-encoded.
After ``fix_bytes``:

- every literal byte is where it was (the text matches the template with each slot broken or fixed);
- every slot is fixed (the expected file, byte for byte);
- the result parses (no YAML, MIME or "no NodeConfig" finding) and fixing it again changes nothing.

The example budget comes from the hypothesis profile (tests/conftest.py): "ci" by default,
``HYPOTHESIS_PROFILE=long`` runs 10,000 examples.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

from hypothesis import given, strategies as st

from nodecfg.context.instance import instance_from_mapping
from nodecfg.linter.engine import lint
from nodecfg.linter.fix import fix_bytes
from nodecfg.pipeline import Request

CA = (Path(__file__).resolve().parents[2] / "golden" / "outpost" / "nodeconfig.yaml").read_text().split(
    "certificateAuthority: ")[1].split("\n")[0]
INSTANCE = instance_from_mapping({"instanceType": "m5.large", "kubeletVersion": "v1.34.1",
                                  "containerdVersion": "2.1.4"})
OPTIONS = {"instance": INSTANCE}
UNPARSABLE = {"NC101", "NC104", "NC105", "NC106", "NC120", "NC124", "NC143"}


class Slot:
    """A planted mistake: ``broken`` is in the generated file, ``fixed`` is what --fix must write."""

    def __init__(self, broken: str, fixed: str) -> None:
        self.broken, self.fixed = broken, fixed


def either(good: str, *mistakes: tuple[str, str]):
    """The correct spelling, or one of the mistakes (each a (broken, fixed) pair)."""
    return st.sampled_from([good, *(Slot(broken, fixed) for broken, fixed in mistakes)])


# kubelet.config entries: (key, value), each correct or planted wrong
KUBELET_ENTRIES = {
    "maxPods": st.tuples(either("maxPods", ("MaxPods", "maxPods"), ("maxPod", "maxPods")), st.just("58")),
    "serializeImagePulls": st.tuples(st.just("serializeImagePulls"),
                                     either("true", ("yes", "true"), ("on", "true"), ("off", "false"))),
    "podPidsLimit": st.tuples(st.just("podPidsLimit"), either("448", ("0700", "448"))),
    "containerLogMaxSize": st.tuples(st.just("containerLogMaxSize"), either('"10Mi"', ("no", '"no"'))),
}


@st.composite
def nodeconfig_segments(draw) -> list:
    segments: list = ["apiVersion: node.eks.aws/", draw(either("v1alpha1", ("v1alpha", "v1alpha1"))),
                      "\nkind: NodeConfig\nspec:\n  cluster:\n    name: demo\n"
                      "    apiServerEndpoint: https://example.eks.amazonaws.com\n"
                      f"    certificateAuthority: {CA}\n    cidr: 10.100.0.0/16\n"]
    if draw(st.booleans()):
        comment = draw(st.sampled_from(["", "  # fast disks"]))
        segments += ["  instance:\n    localStorage:\n      ",
                     draw(either("strategy", ("strategyy", "strategy"), ("Strategy", "strategy"))),
                     f": RAID0{comment}\n"]
    keys = draw(st.lists(st.sampled_from(sorted(KUBELET_ENTRIES)), unique=True))
    if keys:
        segments.append("  kubelet:\n    config:\n")
        for key in keys:
            name, value = draw(KUBELET_ENTRIES[key])
            segments += ["      ", name, ": ", value, "\n"]
    return segments


@st.composite
def fixable_files(draw) -> tuple[list, bool]:
    """(segments, base64): the template of one file."""
    segments = draw(nodeconfig_segments())
    if draw(st.booleans()):  # a MIME part after a script part
        boundary = draw(either('"//"', ("==B==", '"==B=="')))
        delimiter = "//" if boundary == '"//"' else "==B=="
        blank = draw(either("\n", ("", "\n")))  # NC104: a part's headers not ended by a blank line
        segments = ["MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=", boundary, "\n\n",
                    f"--{delimiter}\nContent-Type: text/x-shellscript\n", blank, "#!/bin/bash\necho hi\n\n",
                    f"--{delimiter}\nContent-Type: application/node.eks.aws\n\n", *segments,
                    f"\n--{delimiter}--\n"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    segments = [_newlines(segment, newline) for segment in segments]
    if draw(st.booleans()):
        segments.insert(0, "\ufeff")
    return segments, draw(st.booleans())


def _newlines(segment, newline: str):
    if isinstance(segment, Slot):
        return Slot(segment.broken.replace("\n", newline), segment.fixed.replace("\n", newline))
    return segment.replace("\n", newline)


def render(segments: list, pick: str) -> bytes:
    return "".join(getattr(s, pick) if isinstance(s, Slot) else s for s in segments).encode()


def template(segments: list) -> re.Pattern:
    """Literal bytes exactly; each slot either spelling."""
    parts = [b"(?:" + re.escape(s.broken.encode()) + b"|" + re.escape(s.fixed.encode()) + b")"
             if isinstance(s, Slot) else re.escape(s.encode()) for s in segments]
    return re.compile(b"".join(parts), re.DOTALL)


@given(fixable_files())
def test_fix_changes_only_the_named_spans_and_the_result_parses(file):
    segments, wrapped = file
    broken, expected = render(segments, "broken"), render(segments, "fixed")
    source = base64.b64encode(broken) if wrapped else broken
    result = fix_bytes(source, request=Request((), instance=INSTANCE))
    fixed = base64.b64decode(result.fixed) if wrapped else result.fixed
    assert template(segments).fullmatch(fixed), (broken, fixed)  # no byte outside a planted span moved
    assert fixed == expected, (broken, fixed)
    assert len(result.applied) == sum(isinstance(s, Slot) for s in segments)
    found = {d.code for d in lint([result.fixed], **OPTIONS).diagnostics}
    assert not found & UNPARSABLE, found
    assert fix_bytes(result.fixed, request=Request((), instance=INSTANCE)).fixed == result.fixed
