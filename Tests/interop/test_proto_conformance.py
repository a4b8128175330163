"""Protos/ must match Envoy's data-plane-api exactly (see proto_conformance.py)."""

import copy

from google.protobuf import descriptor_pb2

import proto_conformance


def test_protos_match_envoy_descriptors():
    report = proto_conformance.run()
    print(report.summary())
    assert report.messages > 50 and report.fields > 300, report.summary()
    assert report.mismatches == [], "\n".join(report.mismatches)


def test_a_wrong_field_number_is_named(monkeypatch):
    """The comparison itself must catch a mismatch and name the field, or it proves nothing."""
    real = proto_conformance.compile_protos

    def tampered():
        fds = copy.deepcopy(real())
        for fd in fds.file:
            if fd.name == "envoy/config/endpoint/v3/endpoint_components.proto":
                for m in fd.message_type:
                    if m.name == "LbEndpoint":
                        for f in m.field:
                            if f.name == "load_balancing_weight":
                                f.number = 7
                            if f.name == "health_status":
                                f.label = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
        return fds

    monkeypatch.setattr(proto_conformance, "compile_protos", tampered)
    report = proto_conformance.run()
    text = "\n".join(report.mismatches)
    assert "envoy.config.endpoint.v3.LbEndpoint.load_balancing_weight: number is 7" in text
    assert "envoy.config.endpoint.v3.LbEndpoint.health_status: label" in text
