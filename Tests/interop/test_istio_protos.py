"""Protos/istio must carry Istio's own names, field numbers and types (istio_field_table.py,
written from istio/api: no PyPI package ships Istio's descriptors)."""

import copy

from google.protobuf import descriptor_pb2

import istio_field_table
import proto_conformance

FD = descriptor_pb2.FieldDescriptorProto
SCALARS = {
    FD.TYPE_STRING: "string", FD.TYPE_BOOL: "bool", FD.TYPE_INT32: "int32", FD.TYPE_UINT32: "uint32",
    FD.TYPE_INT64: "int64", FD.TYPE_UINT64: "uint64", FD.TYPE_DOUBLE: "double", FD.TYPE_BYTES: "bytes",
}


def istio_messages(fds) -> dict:
    """Full name -> descriptor of every message (nested ones included) in Protos/istio."""
    messages = {}

    def walk(prefix, msg):
        name = f"{prefix}.{msg.name}"
        messages[name] = msg
        for nested in msg.nested_type:
            walk(name, nested)

    for fd in fds.file:
        if fd.name.startswith("istio/"):
            for msg in fd.message_type:
                walk(fd.package, msg)
    return messages


def our_fields(fds):
    """(message, field) -> (number, type, label) for every field of Protos/istio; map entries
    folded into `map<K,V>`."""
    messages = istio_messages(fds)

    def type_of(f):
        if f.type in SCALARS:
            return SCALARS[f.type]
        return f.type_name.lstrip(".")

    out = {}
    for name, msg in messages.items():
        if msg.options.map_entry:
            continue
        for f in msg.field:
            entry = messages.get(f.type_name.lstrip(".")) if f.type == FD.TYPE_MESSAGE else None
            if entry is not None and entry.options.map_entry:
                key, value = entry.field[0], entry.field[1]
                out[(name, f.name)] = (f.number, f"map<{type_of(key)},{type_of(value)}>", "")
            else:
                label = "repeated" if f.label == FD.LABEL_REPEATED else ""
                out[(name, f.name)] = (f.number, type_of(f), label)
    return out


def our_enums(fds):
    """(enum, value) -> number for every enum of Protos/istio (all are nested in messages)."""
    return {
        (f"{name}.{enum.name}", v.name): v.number
        for name, msg in istio_messages(fds).items()
        for enum in msg.enum_type
        for v in enum.value
    }


def compare(fds):
    ours = our_fields(fds)
    mismatches = []
    table = {(m, f): (n, t, l) for m, f, n, t, l in istio_field_table.ROWS}
    for key, expected in table.items():
        got = ours.get(key)
        if got is None:
            mismatches.append(f"{key[0]}.{key[1]}: missing")
        elif got != expected:
            mismatches.append(f"{key[0]}.{key[1]}: ours is {got}, Istio's is {expected}")
    for key in ours.keys() - table.keys():
        mismatches.append(f"{key[0]}.{key[1]}: not in Istio's table")
    enums = our_enums(fds)
    expected_enums = {(e, v): n for e, v, n in istio_field_table.ENUMS}
    for key, number in expected_enums.items():
        if enums.get(key) != number:
            mismatches.append(f"{key[0]}.{key[1]}: ours is {enums.get(key)}, Istio's is {number}")
    for key in enums.keys() - expected_enums.keys():
        mismatches.append(f"{key[0]}.{key[1]}: not in Istio's table")
    return len(ours), mismatches


def test_istio_protos_match_istio_field_table():
    fields, mismatches = compare(proto_conformance.compile_protos())
    print(f"istio protos: {fields} fields compared")
    assert fields >= 200
    assert mismatches == [], "\n".join(mismatches)


def test_a_wrong_istio_field_number_is_named():
    """The comparison must catch a changed number, or it proves nothing."""
    fds = copy.deepcopy(proto_conformance.compile_protos())
    for fd in fds.file:
        if fd.name == "istio/networking/v1alpha3/virtual_service.proto":
            for m in fd.message_type:
                if m.name == "HTTPRoute":
                    for f in m.field:
                        if f.name == "headers":
                            f.number = 15
    _, mismatches = compare(fds)
    assert any("HTTPRoute.headers: ours is (15" in m for m in mismatches), mismatches
