#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""get_fields of the three plugins against the upstream field sets (spec
plugin-api.md section 11): same names in the same order (field ids), types,
list flags and argument forms; plus identity (name, id, source, version)."""
import json
import subprocess

import common
import sakertest

checks = sakertest.Checks("audit fields manifest")

CONTAINER_ATTRS = ["name", "image", "image.repository", "command", "args", "privileged",
                   "allow_privilege_escalation", "read_only_fs", "run_as_user",
                   "eff_run_as_user", "run_as_group", "eff_run_as_group", "proc_mount",
                   "add_capabilities"]

K8S_BASE = """ka.auditid ka.stage ka.auth.decision ka.auth.reason ka.auth.openshift.decision
ka.validations.admission.policy.failure ka.security.pod.violations ka.auth.openshift.username
ka.user.name ka.user.groups ka.impuser.name ka.verb ka.uri ka.uri.param ka.target.name
ka.target.namespace ka.target.resource ka.target.subresource ka.target.pod.name
ka.req.binding.subjects ka.req.binding.subjects.user_names
ka.req.binding.subjects.serviceaccount_names ka.req.binding.subjects.serviceaccount_ns_names
ka.req.binding.subjects.group_names ka.req.binding.role ka.req.binding.subject.has_name
ka.req.configmap.name ka.req.configmap.obj ka.req.pod.containers.args
ka.req.pod.containers.command ka.req.pod.containers.name ka.req.pod.containers.image
ka.req.container.image ka.req.pod.containers.image.repository ka.req.container.image.repository
ka.req.pod.host_ipc ka.req.pod.host_network ka.req.container.host_network ka.req.pod.host_pid
ka.req.pod.containers.host_port ka.req.pod.containers.privileged ka.req.container.privileged
ka.req.pod.containers.allow_privilege_escalation ka.req.pod.containers.read_only_fs
ka.req.pod.run_as_user ka.req.pod.containers.run_as_user ka.req.pod.containers.eff_run_as_user
ka.req.pod.run_as_group ka.req.pod.containers.run_as_group ka.req.pod.containers.eff_run_as_group
ka.req.pod.containers.proc_mount ka.req.role.rules ka.req.role.rules.apiGroups
ka.req.role.rules.nonResourceURLs ka.req.role.rules.verbs ka.req.role.rules.resources
ka.req.pod.fs_group ka.req.pod.supplemental_groups ka.req.pod.containers.add_capabilities
ka.req.service.type ka.req.service.ports ka.req.pod.volumes.hostpath ka.req.volume.hostpath
ka.req.pod.volumes.flexvolume_driver ka.req.pod.volumes.volume_type ka.resp.name
ka.response.code ka.response.reason ka.useragent ka.sourceips ka.cluster.name""".split()
K8S = (K8S_BASE + [f"ka.req.pod.initContainers.{a}" for a in CONTAINER_ATTRS + ["host_port"]]
       + [f"ka.req.pod.ephemeralContainers.{a}" for a in CONTAINER_ATTRS])
K8S_SINGLE = {"ka.auditid", "ka.stage", "ka.auth.decision", "ka.auth.reason",
              "ka.auth.openshift.decision", "ka.validations.admission.policy.failure",
              "ka.security.pod.violations", "ka.auth.openshift.username", "ka.user.name",
              "ka.impuser.name", "ka.verb", "ka.uri", "ka.uri.param", "ka.target.name",
              "ka.target.namespace", "ka.target.resource", "ka.target.subresource",
              "ka.target.pod.name", "ka.req.binding.role", "ka.req.binding.subject.has_name",
              "ka.req.configmap.name", "ka.req.configmap.obj", "ka.req.container.image",
              "ka.req.container.image.repository", "ka.req.pod.host_ipc",
              "ka.req.pod.host_network", "ka.req.container.host_network", "ka.req.pod.host_pid",
              "ka.req.container.privileged", "ka.req.pod.run_as_user", "ka.req.pod.run_as_group",
              "ka.req.pod.fs_group", "ka.req.service.type", "ka.req.volume.hostpath",
              "ka.resp.name", "ka.response.code", "ka.response.reason", "ka.useragent",
              "ka.cluster.name"}
K8S_KEY = {"ka.uri.param", "ka.req.binding.subject.has_name", "ka.req.volume.hostpath"}
K8S_LIST_NOARG = {"ka.user.groups", "ka.req.binding.subjects",
                  "ka.req.binding.subjects.user_names",
                  "ka.req.binding.subjects.serviceaccount_names",
                  "ka.req.binding.subjects.serviceaccount_ns_names",
                  "ka.req.binding.subjects.group_names", "ka.req.role.rules",
                  "ka.req.pod.supplemental_groups"}

CT = """ct.id ct.error ct.errormessage ct.time ct.src ct.shortsrc ct.name ct.user ct.originaluser
ct.user.accountid ct.user.identitytype ct.user.principalid ct.user.arn ct.region
ct.response.subnetid ct.response.reservationid ct.response ct.request.availabilityzone
ct.request.cluster ct.request.functionname ct.request.groupname ct.request.host ct.request.name
ct.request.policy ct.request.reason ct.request.target ct.request.documentname
ct.request.serialnumber ct.request.servicename ct.request.subnetid ct.request.taskdefinition
ct.request.username ct.request ct.srcip ct.useragent ct.info ct.managementevent ct.readonly
ct.requestid ct.eventtype ct.apiversion ct.resources ct.recipientaccountid ct.serviceeventdetails
ct.sharedeventid ct.vpcendpointid ct.eventcategory ct.addendum.reason ct.addendum.updatedfields
ct.addendum.originalrequestid ct.addendum.originaleventid ct.sessioncredentialfromconsole
ct.edgedevicedetails ct.tlsdetails.tlsversion ct.tlsdetails.ciphersuite
ct.tlsdetails.clientprovidedhostheader ct.additionaleventdata s3.uri s3.bucket s3.key s3.bytes
s3.bytes.in s3.bytes.out s3.cnt.get s3.cnt.put s3.cnt.other ec2.name ec2.imageid ec2.imageids
ecr.repository ecr.imagetag iam.role iam.policy""".split()
CT_U64 = {"s3.bytes", "s3.bytes.in", "s3.bytes.out", "s3.cnt.get", "s3.cnt.put", "s3.cnt.other"}
CT_PROPS = {"ct.time": ["hidden"], "ct.user": ["conversation"], "ct.srcip": ["conversation"],
            "ct.info": ["info"], "s3.uri": ["conversation"], "s3.bucket": ["conversation"],
            "s3.bytes.in": ["hidden"], "s3.bytes.out": ["hidden"], "s3.cnt.get": ["hidden"],
            "s3.cnt.put": ["hidden"], "s3.cnt.other": ["hidden"]}

JSON_FIELDS = ["json.value", "json.obj", "json.rawtime", "jevt.value", "jevt.obj", "jevt.rawtime"]


def fields_of(name):
    p = subprocess.run([common.plughost(), "--plugin", common.plugin(name), "--list-fields"],
                       capture_output=True, text=True, timeout=60, check=True)
    return json.loads(p.stdout)


def arg_form(f):
    a = f.get("arg") or {}
    return ("required " if a.get("isRequired") else "") + \
        ("index" if a.get("isIndex") else "") + ("key" if a.get("isKey") else "")


def check_k8saudit():
    fs = fields_of("k8saudit")
    checks.check([f["name"] for f in fs] == K8S, "k8saudit field names/order differ from upstream")
    for f in fs:
        n = f["name"]
        checks.check(f["type"] == "string", f"{n}: type {f['type']}")
        checks.check(bool(f.get("isList")) == (n not in K8S_SINGLE), f"{n}: isList")
        if n in K8S_KEY:
            want = "required key"
        elif n in K8S_SINGLE or n in K8S_LIST_NOARG:
            want = ""
        else:
            want = "index"
        checks.check(arg_form(f) == want, f"{n}: arg {arg_form(f)!r}, want {want!r}")
        checks.check(bool(f.get("desc")), f"{n}: no description")


def check_cloudtrail():
    fs = fields_of("cloudtrail")
    checks.check([f["name"] for f in fs] == CT, "cloudtrail field names/order differ from upstream")
    for f in fs:
        n = f["name"]
        checks.check(f["type"] == ("uint64" if n in CT_U64 else "string"), f"{n}: type")
        checks.check(bool(f.get("isList")) == (n == "ec2.imageids"), f"{n}: isList")
        checks.check(arg_form(f) == ("index" if n == "ec2.imageids" else ""), f"{n}: arg")
        checks.check(f.get("properties", []) == CT_PROPS.get(n, []), f"{n}: properties")
        checks.check(bool(f.get("display")) and bool(f.get("desc")), f"{n}: display/desc")


def check_json():
    fs = fields_of("json")
    checks.check([f["name"] for f in fs] == JSON_FIELDS, "json field names/order")
    for f in fs:
        want = "required key" if f["name"].endswith(".value") else ""
        checks.check(f["type"] == "string" and arg_form(f) == want, f"{f['name']}: type/arg")


def check_identity():
    # name, id, source, version, required API: as upstream, readable by any host
    import ctypes
    for name, pid, src, version in [("k8saudit", 1, "k8s_audit", "0.18.0"),
                                    ("cloudtrail", 2, "aws_cloudtrail", "0.17.1"),
                                    ("json", None, None, "0.7.4")]:
        if sakertest.sanitized():
            # a sanitized plugin cannot be dlopened into an unsanitized python
            continue
        lib = ctypes.CDLL(common.plugin(name))
        for sym, want in [("plugin_get_name", name), ("plugin_get_version", version)]:
            fn = getattr(lib, sym)
            fn.restype = ctypes.c_char_p
            checks.check(fn().decode() == want, f"{name}: {sym}")
        if pid is not None:
            lib.plugin_get_id.restype = ctypes.c_uint32
            lib.plugin_get_event_source.restype = ctypes.c_char_p
            checks.check(lib.plugin_get_id() == pid, f"{name}: id")
            checks.check(lib.plugin_get_event_source().decode() == src, f"{name}: source")
        else:
            checks.check(not hasattr(lib, "plugin_get_id"), f"{name}: must not be a source")
        lib.plugin_get_required_api_version.restype = ctypes.c_char_p
        major = lib.plugin_get_required_api_version().decode().split(".")[0]
        checks.check(major == "3", f"{name}: required API major")


check_k8saudit()
check_cloudtrail()
check_json()
check_identity()
checks.finish()
