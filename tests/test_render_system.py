"""systemd environment drop-ins and resolved.conf.d, as nodeadm writes them."""
import pytest

from nodecfg.core.diagnostics import Severity
from nodecfg.context.instance import DEFAULT_INSTANCE
from nodecfg.render import RenderContext
from nodecfg.render.system import (
    RESOLVED_PATH,
    SYSTEM_ENVIRONMENT_PATH,
    escape_systemd_value,
    render,
    resolved_conf,
)


def run(instance_spec):
    return render(RenderContext({"spec": {"instance": instance_spec}}, DEFAULT_INSTANCE, None))


def text(result, path):
    return result.files[path].data.decode()


def test_default_environment_sorted_in_manager_section():
    result = run({"environment": {"default": {"NO_PROXY": "10.0.0.0/8,.internal", "HTTP_PROXY": "http://p:3128"}}})
    assert text(result, SYSTEM_ENVIRONMENT_PATH) == (
        "[Manager]\n"
        'DefaultEnvironment="HTTP_PROXY=http://p:3128"\n'
        'DefaultEnvironment="NO_PROXY=10.0.0.0/8,.internal"\n'
    )


def test_service_environment_drop_ins():
    result = run({"environment": {"kubelet": {"B": "2", "A": "1"}, "containerd": {"GODEBUG": "x=1"}}})
    assert sorted(result.files) == [
        "etc/systemd/system/containerd.service.d/environment.conf",
        "etc/systemd/system/kubelet.service.d/environment.conf",
    ]
    assert text(result, "etc/systemd/system/kubelet.service.d/environment.conf") == (
        '[Service]\nEnvironment="A=1"\nEnvironment="B=2"\n')


@pytest.mark.parametrize("environment", [None, {}, {"default": {}, "kubelet": {}}])
def test_no_files_without_variables(environment):
    spec = {} if environment is None else {"environment": environment}
    assert run(spec).files == {}


@pytest.mark.parametrize("value, escaped", [
    ("plain value", "plain value"),
    ('with "quotes" inside', 'with \\"quotes\\" inside'),
    ("back\\slash", "back\\\\slash"),
    ("two\nlines\ttab", "two\\nlines\\ttab"),
    ("100%", "100%%"),
    ("caf\u00e9 \u2603", "caf\u00e9 \u2603"),          # printable Unicode kept
    ("nbsp\u00a0esc\x1b del\x7f", "nbsp\\u00a0esc\\x1b del\\x7f"),
    ('"leading', '\\"leading'),
    ('trailing"', "trailing\\"),                          # nodeadm's Trim eats the escaped quote
])
def test_escaping_matches_strconv_quote_then_trim(value, escaped):
    assert escape_systemd_value(value) == escaped


def test_trailing_quote_value_warns():
    result = run({"environment": {"default": {"OK": "x", "BAD": 'say "hi"'}}})
    [diag] = result.diagnostics
    assert (diag.code, diag.severity) == ("NC531", Severity.WARNING)
    assert diag.span.uri == "pointer:/spec/instance/environment/default/BAD"
    assert 'DefaultEnvironment="BAD=say \\"hi\\"\n' in text(result, SYSTEM_ENVIRONMENT_PATH)


def test_service_name_that_escapes_the_unit_directory_is_refused():
    result = run({"environment": {"../../etc/evil": {"A": "1"}}})
    assert result.files == {}
    [diag] = result.diagnostics
    assert (diag.code, diag.severity) == ("NC530", Severity.ERROR)


def test_resolved_with_ipv4_ipv6_nameservers_and_domains():
    result = run({"network": {"nameservers": ["10.0.0.2", "fd00:ec2::253"], "domains": ["corp.example", "ec2.internal"]}})
    assert text(result, RESOLVED_PATH) == "[Resolve]\nDNS=10.0.0.2 fd00:ec2::253\nDomains=corp.example ec2.internal\n"


def test_resolved_keeps_empty_lines_for_unset_parts():
    assert resolved_conf(["1.1.1.1"], []) == "[Resolve]\nDNS=1.1.1.1\n\n"
    assert resolved_conf([], ["a.example"]) == "[Resolve]\n\nDomains=a.example\n"


def test_no_resolved_file_without_nameservers_or_domains():
    assert RESOLVED_PATH not in run({"network": {"nameservers": [], "domains": []}}).files


def test_printable_ascii_is_printable_as_the_unicode_categories_say():
    """_go_is_print answers printable ASCII without unicodedata: the categories agree for every ASCII character."""
    import unicodedata

    from nodecfg.render.system import _go_is_print

    for code in range(0x80):
        ch = chr(code)
        assert _go_is_print(ch) == (ch == " " or unicodedata.category(ch)[0] in "LMNPS"), repr(ch)
    assert _go_is_print("é") and _go_is_print("世") and not _go_is_print("\u200b") and not _go_is_print("\x85")
