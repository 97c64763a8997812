"""The one catalogue of finding codes: every code any stage can emit, in one table.

A code is a ``Code``: its id, a stable name (used by SARIF, ``--list-rules``
and ``[tool.nodecfg]``), the default severity, the pipeline stage that emits
it, a one-line summary, and two attributes that steer the pipeline:

- ``blocking``: nodeadm stops on it (or nodecfg cannot render past it); no
  tree is rendered, and ``[tool.nodecfg]`` or a disable comment cannot drop
  or re-level it;
- ``usage``: the input could not be read at all (exit code 2).

Emitting a finding is ``NC406.at(span, message, hint)``.  Codes are grouped by
stage: NC09x instance context, NC1xx parse and MIME (NC18x the AMI release), NC2xx schema, NC3xx
cluster semantics, NC4xx kubelet, NC5xx containerd and systemd, NC6xx user-data
scripts, NC7xx modes, NC8xx migration from AL2.  This module imports nothing heavy: ``nodecfg check``
reads it at start-up.
"""

from typing import NamedTuple

from nodecfg.core.diagnostics import Diagnostic, Fix, Severity, Span

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


class Code(NamedTuple):
    id: str
    name: str
    severity: Severity
    stage: str
    summary: str
    blocking: bool = False
    usage: bool = False
    fix: str = ""  # "safe" or "unsafe": `nodecfg check --fix` can fix it (nodecfg/linter/fix.py)
    fix_does: str = ""  # what the fix does (--list-rules, the rule page, the editor's code action)
    # never reported any more: why, and what reports it instead.  The code stays in the catalogue so that
    # disable comments and settings naming it stay valid (no NC011); --list-rules and the rule pages say so.
    retired: str = ""

    def at(self, span: Span, message: str, hint: str = "", *, severity: Severity | None = None,
           related: tuple[Span, ...] = (), edits: tuple = ()) -> Diagnostic:
        """The finding at span; ``edits`` (core/diagnostics.Edit) are its fix, with this code's applicability."""
        fix = Fix(self.fix, tuple(edits)) if edits and self.fix else None
        return Diagnostic(self.id, severity or self.severity, span, message, hint, related, fix)

    @property
    def code(self) -> str:
        return self.id

    def __str__(self) -> str:
        return self.id


NC011 = Code('NC011', 'unknown-code-in-disable-comment', ERROR, 'config',
             'a disable comment names no known code or rule', blocking=True, usage=True)
NC090 = Code('NC090', 'instance-file-unreadable', ERROR, 'context',
             'instance context file cannot be read or parsed', blocking=True, usage=True)
NC091 = Code('NC091', 'instance-unknown-key', ERROR, 'context',
             'unknown key in the instance context', blocking=True, usage=True)
NC092 = Code('NC092', 'instance-bad-value', ERROR, 'context',
             'instance context value is invalid', blocking=True, usage=True)
NC093 = Code('NC093', 'instance-table-unreadable', ERROR, 'context',
             'instance table file cannot be read', blocking=True, usage=True)
NC094 = Code('NC094', 'instance-table-bad-entry', WARNING, 'context', 'instance table entry is invalid and skipped')
NC095 = Code('NC095', 'release-unknown', ERROR, 'context',
             'the AMI release or Kubernetes minor is not one nodecfg knows', blocking=True, usage=True)
NC096 = Code('NC096', 'unknown-instance-type', WARNING, 'context',
             'the instance type is in no instance table: maxPods falls back to 110')
NC101 = Code('NC101', 'mime-invalid', ERROR, 'parse',
             'not valid MIME, or a multipart structure problem', blocking=True)
NC102 = Code('NC102', 'gzip-corrupt', ERROR, 'parse', 'corrupt or truncated gzip data', blocking=True)
NC103 = Code('NC103', 'decoded-size-limit', ERROR, 'parse', 'decoded size exceeds limit', blocking=True)
NC104 = Code('NC104', 'mime-headers-without-blank-line', ERROR, 'parse',
             'MIME part headers not followed by a blank line', blocking=True, fix='safe',
             fix_does="inserts the blank line that ends a MIME part's headers")
NC105 = Code('NC105', 'mime-boundary-problem', ERROR, 'parse',
             'missing, unquoted or mismatched multipart boundary', blocking=True, fix='safe',
             fix_does='quotes a multipart boundary that needs quoting')
NC106 = Code('NC106', 'mime-missing-closing-delimiter', ERROR, 'parse',
             'missing closing multipart delimiter', blocking=True)
NC107 = Code('NC107', 'mime-duplicate-header', WARNING, 'parse', 'duplicate MIME part header')
NC108 = Code('NC108', 'mime-unused-content-type', WARNING, 'parse', 'part content type not used by nodeadm')
NC109 = Code('NC109', 'mime-no-nodeconfig-part', WARNING, 'parse', 'no NodeConfig part in multipart user data')
NC110 = Code('NC110', 'shell-part-without-shebang', ERROR, 'parse',
             'shell script part without #! line: cloud-init cannot execute it')
NC111 = Code('NC111', 'cloud-config-invalid-yaml', WARNING, 'parse', 'cloud-config part is not valid YAML')
NC112 = Code('NC112', 'mime-too-many-parts', ERROR, 'parse', 'too many MIME parts', blocking=True)
NC113 = Code('NC113', 'heredoc-unquoted-delimiter', WARNING, 'parse',
             'heredoc with an unquoted delimiter: runtime expansion not applied')
NC114 = Code('NC114', 'heredoc-target-not-a-dropin', WARNING, 'parse',
             'heredoc target is not a drop-in nodeadm reads; not extracted')
NC115 = Code('NC115', 'heredoc-unterminated', WARNING, 'parse', 'heredoc is not terminated')
NC116 = Code('NC116', 'dropin-write-not-followed', WARNING, 'parse',
             'write into /etc/eks/nodeadm.d/ that nodecfg cannot follow')
NC117 = Code('NC117', 'userdata-over-ec2-limit', ERROR, 'lint', "user data is larger than EC2's 16 KiB limit")
NC120 = Code('NC120', 'yaml-syntax', ERROR, 'parse', 'YAML syntax error', blocking=True)
NC121 = Code('NC121', 'yaml-duplicate-key', ERROR, 'parse',
             'duplicate mapping key: the last value wins, the earlier one is lost')
NC122 = Code('NC122', 'yaml-1-1-ambiguous-scalar', WARNING, 'parse',
             'YAML 1.1 and YAML 1.2 read this plain scalar differently', fix='safe',
             fix_does='writes the value as nodeadm reads it (true/false, a decimal number), or quotes it '
                      'where a string is expected')
NC123 = Code('NC123', 'yaml-nesting-limit', ERROR, 'parse',
             'document nesting or alias expansion over the limit', blocking=True)
NC124 = Code('NC124', 'invalid-utf8', ERROR, 'parse', 'input is not valid UTF-8 text', blocking=True)
NC130 = Code('NC130', 'empty-value-does-not-override', WARNING, 'merge',
             'an empty value in a later document does not override the earlier value')
NC131 = Code('NC131', 'outpost-false-does-not-override', WARNING, 'merge',
             'enableOutpost: false does not override an earlier true')
NC132 = Code('NC132', 'containerd-config-unmergeable', ERROR, 'merge',
             'containerd.config documents cannot be merged', blocking=True)
NC140 = Code('NC140', 'source-unreadable', ERROR, 'parse', 'source cannot be read', blocking=True, usage=True)
NC141 = Code('NC141', 'source-over-input-limit', ERROR, 'parse',
             'source is larger than the input limit', blocking=True)
NC142 = Code('NC142', 'extra-yaml-document-ignored', WARNING, 'parse',
             'nodeadm reads only the first YAML document of a file or MIME part')
NC143 = Code('NC143', 'no-nodeconfig', ERROR, 'parse', 'no NodeConfig document in any source', blocking=True)
NC144 = Code('NC144', 'empty-dropin-directory', WARNING, 'parse',
             'drop-in directory has no *.yaml, *.yml or *.json file')
NC145 = Code('NC145', 'nan-or-infinity', ERROR, 'parse',
             'NaN or infinity: nodeadm cannot convert the document to JSON', blocking=True)
NC146 = Code('NC146', 'json-number-out-of-range', ERROR, 'parse',
             'JSON number outside the range of a float64', blocking=True)
NC147 = Code('NC147', 'complex-mapping-key', ERROR, 'parse', 'mapping key is a sequence or mapping', blocking=True)
NC148 = Code('NC148', 'too-many-heredocs', ERROR, 'parse', 'script opens more heredocs than nodecfg reads',
             blocking=True)
NC150 = Code('NC150', 'fragment-cannot-render', ERROR, 'render',
             'a fragment lacks the cluster fields rendering needs', blocking=True)
NC160 = Code('NC160', 'nodeconfig-input-without-document', ERROR, 'compose',
             'a NodeConfig input holds no YAML document', blocking=True)
NC161 = Code('NC161', 'userdata-merge-impossible', ERROR, 'compose',
             'the user data to merge into cannot be extended', blocking=True)
NC162 = Code('NC162', 'script-crlf-line-endings', WARNING, 'compose', 'a script part has CRLF line endings')
NC170 = Code('NC170', 'unknown-input-kind', ERROR, 'parse', 'input is of a kind nodecfg does not read',
             blocking=True)
NC171 = Code('NC171', 'manifest-document-skipped', INFO, 'parse',
             'document of another kind in a manifest file: skipped')
NC172 = Code('NC172', 'container-without-user-data', WARNING, 'parse', 'container has no user data')
NC173 = Code('NC173', 'fn-sub-unresolved', WARNING, 'parse', 'Fn::Sub reference left unresolved')
NC174 = Code('NC174', 'user-data-not-readable', WARNING, 'parse', 'user data is not a literal nodecfg can read')
NC175 = Code('NC175', 'launch-template-user-data-not-base64', ERROR, 'parse',
             'launch template UserData is not base64', blocking=True)
NC176 = Code('NC176', 'several-user-data-in-file', INFO, 'parse', 'file holds several user data; one is read')
NC180 = Code('NC180', 'unsupported-by-release', ERROR, 'lint',
             'the chosen AMI release ignores or refuses this field, feature gate or source layout')
NC201 = Code('NC201', 'unknown-field', ERROR, 'schema', 'unknown NodeConfig field (nodeadm silently drops it)',
             fix='safe',
             fix_does='renames the field to the one known field it is a typo or mis-casing of')
NC202 = Code('NC202', 'wrong-type', ERROR, 'schema', 'NodeConfig value has the wrong type', blocking=True)
NC203 = Code('NC203', 'invalid-enum-value', ERROR, 'schema', 'value is not one of the allowed values')
NC204 = Code('NC204', 'wrong-apiversion-or-kind', ERROR, 'schema',
             'wrong or missing apiVersion or kind', blocking=True, fix='safe',
             fix_does='corrects a misspelt apiVersion or kind (v1alpha -> v1alpha1)')
NC205 = Code('NC205', 'document-not-a-mapping', ERROR, 'schema', 'document is not a mapping', blocking=True)
NC210 = Code('NC210', 'unknown-kubelet-config-field', WARNING, 'schema',
             'unknown KubeletConfiguration field (the kubelet ignores it)', fix='safe',
             fix_does='renames the KubeletConfiguration field to the one known field it is a typo or '
                      'mis-casing of')
NC211 = Code('NC211', 'invalid-kubelet-config-value', ERROR, 'schema',
             'KubeletConfiguration value has the wrong type or value')
NC301 = Code('NC301', 'missing-cluster-field', ERROR, 'semantics',
             'required cluster field is missing after merging', blocking=True)
NC302 = Code('NC302', 'ca-not-base64', ERROR, 'semantics', 'certificateAuthority is not valid base64', blocking=True)
NC303 = Code('NC303', 'ca-not-pem', ERROR, 'semantics', 'certificateAuthority does not decode to PEM certificates')
NC304 = Code('NC304', 'endpoint-not-https-url', ERROR, 'semantics',
             'apiServerEndpoint is not an https URL with a host')
NC305 = Code('NC305', 'invalid-cidr', ERROR, 'semantics', 'cidr is not a valid CIDR block', blocking=True)
NC306 = Code('NC306', 'cidr-host-bits', WARNING, 'semantics', 'cidr has host bits set')
NC307 = Code('NC307', 'outpost-without-id', ERROR, 'semantics',
             'enableOutpost is true but cluster id is missing', blocking=True)
NC308 = Code('NC308', 'invalid-environment-name', ERROR, 'semantics', 'environment variable name is invalid')
NC309 = Code('NC309', 'nameserver-not-ip', ERROR, 'semantics', 'nameserver is not an IP address')
NC311 = Code('NC311', 'cluster-dns-outside-service-cidr', WARNING, 'semantics',
             'clusterDNS address is outside the service CIDR')
NC312 = Code('NC312', 'max-pods-expression-beyond-limits', ERROR, 'lint',
             "maxPodsExpression cannot be evaluated offline within nodecfg's limits", blocking=True)
NC320 = Code('NC320', 'domain-not-dns-name', ERROR, 'semantics', 'search domain is not a DNS name')
NC401 = Code('NC401', 'max-pods-beside-expression', WARNING, 'render',
             'kubelet.config sets maxPods while maxPodsExpression is set: kubeReserved is still computed from the expression')
NC402 = Code('NC402', 'max-pods-expression-fallback', WARNING, 'render',
             'maxPodsExpression failed; the standard maxPods value is used',
             retired='every run also sweeps the instance table, so a failing expression is NC405 (which names '
                     'the instance type checked when it fails there) or NC404 (it does not compile)')
NC403 = Code('NC403', 'max-pods-above-eni-limit', WARNING, 'render',
             "kubelet.config.maxPods is above the pods the instance type's ENIs can address")
NC404 = Code('NC404', 'max-pods-expression-does-not-compile', ERROR, 'lint', 'maxPodsExpression does not compile')
NC405 = Code('NC405', 'max-pods-expression-fails-for-instance-types', WARNING, 'lint',
             'maxPodsExpression fails or is out of range for some instance types')
NC406 = Code('NC406', 'kubelet-flag-control-character', ERROR, 'semantics',
             'a kubelet flag contains a line break or control character', blocking=True)
NC410 = Code('NC410', 'malformed-kubelet-flag', ERROR, 'lint', 'kubelet flag is not --name or --name=value')
NC411 = Code('NC411', 'kubelet-flag-with-whitespace', WARNING, 'lint',
             'one kubelet.flags item holds several flags: systemd splits it at the blanks')
NC412 = Code('NC412', 'removed-kubelet-flag', ERROR, 'lint', 'kubelet flag was removed from the kubelet')
NC413 = Code('NC413', 'flag-owned-by-nodeadm', WARNING, 'lint',
             "kubelet flag is set by nodeadm; the user's copy overrides it")
NC414 = Code('NC414', 'duplicate-kubelet-flag', WARNING, 'lint',
             'single-value kubelet flag given more than once: the last one wins')
NC415 = Code('NC415', 'flag-has-config-field', WARNING, 'lint', 'kubelet flag has a kubelet.config field',
             fix='unsafe',
             fix_does='moves the flag into kubelet.config (a flag overrode the config; a config map is merged); '
                      'not a field the NodeConfig Karpenter or EKS appends sets')
NC416 = Code('NC416', 'restricted-node-label', ERROR, 'lint',
             '--node-labels sets a kubernetes.io/k8s.io label the kubelet may not set')
NC417 = Code('NC417', 'malformed-node-label', ERROR, 'lint', '--node-labels entry is not a valid label')
NC418 = Code('NC418', 'malformed-taint', ERROR, 'lint', 'taint is malformed')
NC420 = Code('NC420', 'kubelet-flag-unclosed-quote', ERROR, 'lint',
             'a quote in kubelet.flags is never closed: systemd joins what follows into one argument')
NC421 = Code('NC421', 'unknown-feature-gate', ERROR, 'lint', 'feature gate the kubelet does not know')
NC422 = Code('NC422', 'removed-feature-gate', ERROR, 'lint', 'feature gate removed from this kubelet version')
NC423 = Code('NC423', 'locked-feature-gate', ERROR, 'lint',
             'feature gate locked to its default is set to the other value')
NC424 = Code('NC424', 'malformed-feature-gates-flag', ERROR, 'lint', '--feature-gates entry is not name=true|false')
NC501 = Code('NC501', 'containerd-config-invalid-toml', ERROR, 'render',
             'containerd.config is not valid TOML', blocking=True)
NC502 = Code('NC502', 'containerd-v3-on-1x', ERROR, 'render',
             'containerd config schema v3 used with containerd 1.x', blocking=True)
NC503 = Code('NC503', 'containerd-v2-on-2x', WARNING, 'render',
             'schema v2 containerd.config on containerd 2.x is migrated by nodeadm', fix='unsafe',
             fix_does="rewrites the schema v2 containerd keys to their v3 spelling (nodeadm then uses its v3 "
                      "template instead of running 'containerd config migrate')")
NC504 = Code('NC504', 'containerd-mixed-v2-v3', WARNING, 'render',
             'containerd.config mixes schema v2 and v3 spellings')
NC505 = Code('NC505', 'containerd-plugin-nothing-reads', WARNING, 'lint',
             'containerd.config configures a plugin that containerd does not have')
NC506 = Code('NC506', 'containerd-socket-not-kubelet-endpoint', ERROR, 'lint',
             "containerd.config moves containerd's socket away from the kubelet's containerRuntimeEndpoint")
NC507 = Code('NC507', 'containerd-cri-plugin-disabled', ERROR, 'lint',
             'containerd.config disables a CRI plugin the kubelet needs')
NC530 = Code('NC530', 'invalid-environment-service', ERROR, 'render',
             'environment service name cannot form a unit drop-in path', blocking=True)
NC531 = Code('NC531', 'environment-value-trailing-quote', WARNING, 'render',
             "environment value ending in a double quote is cut by nodeadm's escaping")
NC540 = Code('NC540', 'resolved-value-breaks-line', ERROR, 'render',
             'nameserver or domain holds a line break or control character; resolved.conf not written',
             blocking=True)
NC601 = Code('NC601', 'script-runs-nodeadm-init', WARNING, 'parse', 'script runs nodeadm init')
NC602 = Code('NC602', 'al2-bootstrap-leftover', WARNING, 'parse', 'Amazon Linux 2 bootstrap leftover')
NC603 = Code('NC603', 'al2023-bootstrap-sh-stub', ERROR, 'parse',
             'script calls /etc/eks/bootstrap.sh, which on AL2023 only fails')
NC701 = Code('NC701', 'overwritten-by-managed-nodegroup', WARNING, 'lint',
             'setting is overwritten by the NodeConfig EKS managed node groups append')
NC702 = Code('NC702', 'overrides-karpenter', WARNING, 'lint',
             'setting is discarded by the NodeConfig Karpenter appends, or overrides it')
NC703 = Code('NC703', 'karpenter-unregistered-taint-dropped', ERROR, 'lint',
             '--register-with-taints replaces the taints Karpenter registers the node with')
NC704 = Code('NC704', 'managed-nodegroup-userdata-not-multipart', ERROR, 'parse',
             'managed node group user data is a plain script, not MIME multipart', blocking=True)
NC720 = Code('NC720', 'discarded-by-generated-part', WARNING, 'merge',
             'value is discarded: the NodeConfig Karpenter or EKS appends sets it')
NC721 = Code('NC721', 'cluster-facts-unreadable', ERROR, 'merge', 'cluster facts cannot be read',
             blocking=True, usage=True)
NC722 = Code('NC722', 'karpenter-nodeconfig-not-generated', WARNING, 'merge',
             'Karpenter cannot generate its NodeConfig from these facts')

NC800 = Code('NC800', 'migrate-no-bootstrap-call', ERROR, 'migrate',
             'no /etc/eks/bootstrap.sh call to migrate')
NC801 = Code('NC801', 'migrate-no-nodeadm-equivalent', WARNING, 'migrate',
             'bootstrap.sh setting with no nodeadm equivalent: not migrated')
NC802 = Code('NC802', 'migrate-unknown-bootstrap-argument', WARNING, 'migrate',
             'bootstrap.sh argument it does not know')
NC803 = Code('NC803', 'migrate-edits-file-nodeadm-owns', WARNING, 'migrate',
             'script edits a file that nodeadm owns on AL2023; kept as is')
NC804 = Code('NC804', 'migrate-cluster-field-missing', WARNING, 'migrate',
             'a cluster field bootstrap.sh looked up is not in the NodeConfig')
NC805 = Code('NC805', 'migrate-value-kept-verbatim', INFO, 'migrate',
             'value kept verbatim: it depends on text the script does not set')
NC806 = Code('NC806', 'migrate-kubelet-flag-kept', WARNING, 'migrate',
             'kubelet argument kept as a flag: its value does not convert to kubelet.config')
NC807 = Code('NC807', 'migrate-bootstrap-line-shared', WARNING, 'migrate',
             'bootstrap.sh call shares its line with other commands')
NC808 = Code('NC808', 'migrate-docker-setting', WARNING, 'migrate',
             'Docker setting: AL2023 runs containerd only')
NC809 = Code('NC809', 'migrate-bootstrap-call-ambiguous', ERROR, 'migrate',
             'bootstrap.sh is called more than once, conditionally, or inside a heredoc: nothing migrated')
NC810 = Code('NC810', 'migrate-shell-unreadable', ERROR, 'migrate',
             'the script cannot be read as bash reads it, within the limits: nothing migrated')
NC811 = Code('NC811', 'migrate-exit-status-changed', ERROR, 'migrate',
             '$? after the removed bootstrap.sh call reports another command')


CATALOGUE: dict[str, Code] = {code.id: code for code in sorted(
    (value for value in globals().values() if isinstance(value, Code)), key=lambda code: code.id)}
BY_NAME: dict[str, Code] = {code.name: code for code in CATALOGUE.values()}


def lookup(code_or_name: str) -> Code | None:
    """The Code for an id (``NC406``, any case) or a name (``kubelet-flag-control-character``)."""
    text = code_or_name.strip()
    return CATALOGUE.get(text.upper()) or BY_NAME.get(text.lower())


def is_usage_error(diagnostic: Diagnostic) -> bool:
    """The input could not be read at all: exit code 2."""
    code = CATALOGUE.get(diagnostic.code)
    return code is not None and code.usage


def is_blocking(diagnostic: Diagnostic) -> bool:
    """A blocking code blocks only as an error: NC101 and NC104 also have warning forms."""
    code = CATALOGUE.get(diagnostic.code)
    return code is not None and code.blocking and diagnostic.severity >= ERROR
