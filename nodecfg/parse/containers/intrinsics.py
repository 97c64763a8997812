"""CloudFormation's intrinsic functions in a UserData value, evaluated with the position of each character.

What is evaluated (CloudFormation User Guide, "Intrinsic function reference"):
``Fn::Sub`` substitutes ``${Name}`` from parameters, pseudo parameters
(``AWS::Region``...) and its own variable map, and ``${!x}`` is a literal
``${x}``; ``Fn::Join`` joins its items; ``Ref`` gives a known value.  The short
YAML tags (``!Sub``, ``!Join``...) mean the same.  Anything else is reported
(NC174) and leaves the user data unchecked; a ``${Name}`` nodecfg cannot
resolve stays as written (NC173).
"""
from __future__ import annotations

import re
from typing import Any

from nodecfg.core.codes import NC173, NC174
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.document import Document, join_pointer
from nodecfg.parse.containers.positions import LineIndex, value_offsets


_SUB_REFERENCE = re.compile(r"\$\{(!?)([^}]*)\}")
_TAG = re.compile(r"!\w+")
_SHORT_TAGS = {"!Base64": "Fn::Base64", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!Ref": "Ref",
               "!GetAtt": "Fn::GetAtt", "!ImportValue": "Fn::ImportValue", "!Select": "Fn::Select",
               "!If": "Fn::If", "!FindInMap": "Fn::FindInMap"}


class Intrinsics:
    """Evaluates the intrinsic functions a UserData value is written with, keeping positions."""

    def __init__(self, text: str, lines: LineIndex, document: Document, values: dict[str, str]) -> None:
        self.text = text
        self.lines = lines
        self.document = document
        self.values = values
        self.diagnostics: list[Diagnostic] = []

    def _tag(self, pointer: str) -> str | None:
        span = self.document.positions.get(pointer)
        if span is None:
            return None
        start = self.lines.offset(span.line, span.col)
        match = _TAG.match(self.text, start)
        return _SHORT_TAGS.get(match.group(0)) if match else None

    def function(self, value: Any, pointer: str, tagged: bool = True) -> tuple[str | None, Any, str, bool]:
        """(function, its argument, the argument's pointer, whether that may carry a tag) of an intrinsic.

        A short form (``!Sub text``) tags the node itself, so its argument is
        the same node: its tag must not be read a second time.
        """
        tag = self._tag(pointer) if tagged else None
        if tag is not None:
            return tag, value, pointer, False
        if isinstance(value, dict) and len(value) == 1:
            (name, argument), = value.items()
            if name == "Ref" or name.startswith("Fn::"):
                return name, argument, join_pointer(pointer, name), True
        return None, value, pointer, True

    def string(self, value: Any, pointer: str, tagged: bool = True) -> tuple[str, list[int]] | None:
        name, argument, inner, _ = self.function(value, pointer, tagged)
        if name is None and isinstance(value, str):
            return value, value_offsets(self.text, self.document.span_of(pointer), value, self.lines)
        if name == "Fn::Sub":
            return self._sub(argument, inner)
        if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 \
                and isinstance(argument[0], str) and isinstance(argument[1], list):
            return self._join(argument[0], argument[1], inner)
        if name == "Ref" and isinstance(argument, str) and argument in self.values:
            return self.values[argument], [self._offset(pointer)] * len(self.values[argument])
        self.diagnostics.append(NC174.at(
            self.document.span_of(pointer),
            f"{name or type(value).__name__} in UserData is not evaluated by nodecfg; "
            "its user data is not checked", "give the value with --param NAME=VALUE, or use Fn::Sub"))
        return None

    def _offset(self, pointer: str) -> int:
        span = self.document.span_of(pointer)
        return self.lines.offset(span.line, span.col)

    def _join(self, separator: str, items: list, pointer: str) -> tuple[str, list[int]] | None:
        texts: list[str] = []
        offsets: list[int] = []
        separator_offsets = [self._offset(join_pointer(pointer, 0))] * len(separator)
        for index, item in enumerate(items):
            part = self.string(item, join_pointer(join_pointer(pointer, 1), index))
            if part is None:
                return None
            if index:
                offsets += separator_offsets
            texts.append(part[0])
            offsets += part[1]
        return separator.join(texts), offsets

    def _sub(self, argument: Any, pointer: str) -> tuple[str, list[int]] | None:
        variables: dict[str, Any] = {}
        template_pointer = pointer
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            variables = argument[1]
            argument = argument[0]
            template_pointer = join_pointer(pointer, 0)
        if not isinstance(argument, str):
            self.diagnostics.append(NC174.at(self.document.span_of(pointer),
                                               "Fn::Sub needs a string template"))
            return None
        raw_offsets = value_offsets(self.text, self.document.span_of(template_pointer), argument, self.lines)
        text, offsets, unresolved = [], [], []
        position = 0
        for match in _SUB_REFERENCE.finditer(argument):
            text.append(argument[position:match.start()])
            offsets += raw_offsets[position:match.start()]
            literal, name = match.group(1), match.group(2)
            if literal:
                replacement = "${" + name + "}"
            else:
                replacement = self._variable(name, variables)
                if replacement is None:
                    unresolved.append((name, raw_offsets[match.start()] if raw_offsets else 0))
                    replacement = match.group(0)
            text.append(replacement)
            offsets += [raw_offsets[match.start()] if raw_offsets else 0] * len(replacement)
            position = match.end()
        text.append(argument[position:])
        offsets += raw_offsets[position:]
        for name, offset in unresolved:
            line, col = self.lines.position(offset)
            self.diagnostics.append(NC173.at(
                Span(self.document.uri, line, col),
                f"${{{name}}} is not resolved: it is a parameter, pseudo parameter or attribute "
                "nodecfg does not know, so it stays as written", f"pass --param {name}=VALUE"))
        return "".join(text), offsets

    def _variable(self, name: str, variables: dict[str, Any]) -> str | None:
        if name in self.values:
            return self.values[name]
        value = variables.get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        return None
