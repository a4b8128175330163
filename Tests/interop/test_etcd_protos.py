"""Protos/etcd must match etcd's own descriptors (see etcd_proto_conformance.py)."""

import copy

import etcd_proto_conformance
import proto_conformance


def test_etcd_protos_match_etcd_descriptors():
    report = etcd_proto_conformance.run()
    print(report.summary())
    assert report.messages >= 30 and report.fields >= 100, report.summary()
    assert report.mismatches == [], "\n".join(report.mismatches)


def test_a_wrong_etcd_field_number_is_named():
    """The comparison must catch a changed number, or it proves nothing."""
    fds = copy.deepcopy(proto_conformance.compile_protos())
    for fd in fds.file:
        if fd.name == "etcd/api/etcdserverpb/rpc.proto":
            for m in fd.message_type:
                if m.name == "Compare":
                    for f in m.field:
                        if f.name == "mod_revision":
                            f.number = 9
    report = etcd_proto_conformance.run(fds)
    assert "etcdserverpb.Compare.mod_revision: number is 9" in "\n".join(report.mismatches)
