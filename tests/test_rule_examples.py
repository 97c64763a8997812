"""Every rule page's examples are complete documents that nodecfg really judges as the page says.

A rule page (nodecfg/linter/docs/CODE.md) has a failing and a passing example: the files, and the
nodecfg command (with the mode and options it needs) in a ``console`` block.  Each is run here the
way scripts/gen_reference_docs.py runs it for the page: the failing one must report the page's code,
the passing one must not.  The output printed under each command is the generator's
(tests/test_reference_docs.py holds it to the code).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from nodecfg.core.codes import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gen_reference_docs as generator  # noqa: E402

sys.path.remove(str(ROOT / "scripts"))

# codes whose example cannot be a document on a page, or that `nodecfg` cannot be shown to report
NOT_RUN = {
    "NC112": "needs a MIME document of more than 100 parts",
    "NC117": "needs more than 16 KiB of user data",
    "NC148": "needs a script with more than 100 heredocs",
    "NC103": "a base64 or gzip layer that decodes past the limit is refused before the input limit applies",
}
RUN = sorted(code for code in CATALOGUE if code not in NOT_RUN and not CATALOGUE[code].retired)


FORMAT = ("each of a rule page's Failing and Passing example sections holds its files (a line `NAME`:, a blank "
          "line, a fenced block) and one ```console block whose first line is `$ nodecfg ...`; then run "
          "python scripts/gen_reference_docs.py to write the output (its docstring has the details)")


def page_examples(code: str, title: str) -> list[generator.Example]:
    text = (generator.RULE_PAGES / f"{code}.md").read_text()
    found = [example for _, example in generator.examples(generator.section(text, title))]
    assert len(found) == 1, f"{code}.md, {title}: {FORMAT}"
    return found


@pytest.mark.parametrize("code", RUN)
def test_failing_example_reports_the_code_and_passing_example_passes(code):
    (failing,), (passing,) = page_examples(code, "Failing example"), page_examples(code, "Passing example")
    output, _ = generator.run_example(failing)
    assert code in generator.reported_codes(output), output
    output, exit_code = generator.run_example(passing)
    assert code not in generator.reported_codes(output), output
    assert exit_code == 0, output  # nothing else wrong with it either


@pytest.mark.parametrize("code", RUN)
def test_failing_example_shows_its_output_on_the_page(code):
    text = generator.section((generator.RULE_PAGES / f"{code}.md").read_text(), "Failing example")
    ((match, _),) = generator.examples(text)
    assert code in generator.reported_codes(match.group("output"))


def complete(name: str, data: bytes) -> bool:
    """A YAML file that has a spec also says what it is (a fragment is what a page used to show)."""
    text = data.decode("utf-8", "replace")
    if not (name.endswith((".yaml", ".yml")) and re.search(r"^-? ?spec:", text, re.M)):
        return True
    return bool(re.search(r"^-? ?apiVersion: ", text, re.M) and re.search(r"^ *kind: ", text, re.M))


@pytest.mark.parametrize("code", RUN)
def test_examples_are_complete_documents(code):
    for title in ("Failing example", "Passing example"):
        (example,) = page_examples(code, title)
        assert example.files, (code, title)
        for name, data in example.files.items():
            assert complete(name, data), (code, title, name)


def test_completeness_check_tells_a_fragment_from_a_document():
    assert not complete("nodeconfig.yaml", b"spec:\n  cluster:\n    name: demo\n")  # the old NC301 example
    assert complete("nodeconfig.yaml", b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    assert complete("nodeclass.yaml", b"apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nspec:\n  role: R\n")


def test_pages_not_run_say_what_the_example_would_be_and_have_no_command():
    for code in NOT_RUN:
        text = (generator.RULE_PAGES / f"{code}.md").read_text()
        assert not generator.examples(text), code
        assert generator.section(text, "Failing example").strip(), code
