"""Compare every message and enum Fairway defines in Protos/ with Envoy's own descriptors.

Envoy, MOSN and grpc clients decode our bytes with their own protos: a field whose number,
type, label or oneof differs from Envoy's is silently lost or misread. This module compiles
Protos/ to a descriptor set and compares it, definition by definition, with the descriptors
shipped in PyPI's xds-protos.
"""

from __future__ import annotations

import importlib
import pathlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from google.protobuf import descriptor_pb2, descriptor_pool

REPO = pathlib.Path(__file__).resolve().parents[2]
PROTOS = REPO / "Protos"


@dataclass
class Report:
    messages: int = 0
    fields: int = 0
    enums: int = 0
    enum_values: int = 0
    mismatches: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"conformance: {self.messages} messages, {self.fields} fields, {self.enums} enums, "
            f"{self.enum_values} enum values compared, {len(self.mismatches)} mismatches"
        )


def compile_protos() -> descriptor_pb2.FileDescriptorSet:
    """Compile Protos/ with grpc_tools' protoc (it carries the well-known types)."""
    from grpc_tools import protoc  # imported lazily: only the test needs it

    import grpc_tools

    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    files = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "fairway.pb"
        rc = protoc.main(
            ["protoc", f"-I{PROTOS}", f"-I{wkt}", "--include_imports", f"--descriptor_set_out={out}", *files]
        )
        if rc != 0:
            raise RuntimeError(f"protoc failed with exit code {rc}")
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read_bytes())
    return fds


def reference_file(name: str) -> descriptor_pb2.FileDescriptorProto | None:
    """The xds-protos descriptor of the file with the same path as ours, if there is one."""
    module = name[: -len(".proto")].replace("/", ".") + "_pb2"
    try:
        importlib.import_module(module)
    except ImportError:
        return None
    fd = descriptor_pool.Default().FindFileByName(name)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    return proto


def compare_enum(ours, ref, scope: str, report: Report) -> None:
    report.enums += 1
    ref_values = {v.name: v.number for v in ref.value}
    for value in ours.value:
        report.enum_values += 1
        if value.name not in ref_values:
            report.mismatches.append(f"{scope}: enum value {value.name} does not exist in Envoy's")
        elif ref_values[value.name] != value.number:
            report.mismatches.append(
                f"{scope}.{value.name}: number {value.number}, Envoy's is {ref_values[value.name]}"
            )


def compare_message(ours, ref, scope: str, report: Report) -> None:
    report.messages += 1
    ref_by_name = {f.name: f for f in ref.field}

    def oneof_name(msg, f):
        return msg.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else None

    for f in ours.field:
        report.fields += 1
        where = f"{scope}.{f.name}"
        r = ref_by_name.get(f.name)
        if r is None:
            report.mismatches.append(f"{where}: no such field in Envoy's {scope}")
            continue
        for attr in ("number", "type", "label", "type_name"):
            a, b = getattr(f, attr), getattr(r, attr)
            if a != b:
                report.mismatches.append(f"{where}: {attr} is {a!r}, Envoy's is {b!r}")
        if oneof_name(ours, f) != oneof_name(ref, r):
            report.mismatches.append(
                f"{where}: oneof is {oneof_name(ours, f)!r}, Envoy's is {oneof_name(ref, r)!r}"
            )
    ref_nested = {m.name: m for m in ref.nested_type}
    for nested in ours.nested_type:
        if nested.options.map_entry:
            continue  # map entries are checked through the map field's type_name
        if nested.name not in ref_nested:
            report.mismatches.append(f"{scope}.{nested.name}: no such message in Envoy's")
            continue
        compare_message(nested, ref_nested[nested.name], f"{scope}.{nested.name}", report)
    ref_enums = {e.name: e for e in ref.enum_type}
    for enum in ours.enum_type:
        if enum.name not in ref_enums:
            report.mismatches.append(f"{scope}.{enum.name}: no such enum in Envoy's")
            continue
        compare_enum(enum, ref_enums[enum.name], f"{scope}.{enum.name}", report)


def compare_services(ours, ref, scope: str, report: Report) -> None:
    ref_methods = {m.name: m for m in ref.method}
    for m in ours.method:
        r = ref_methods.get(m.name)
        if r is None:
            report.mismatches.append(f"{scope}.{m.name}: no such rpc in Envoy's")
            continue
        for attr in ("input_type", "output_type", "client_streaming", "server_streaming"):
            if getattr(m, attr) != getattr(r, attr):
                report.mismatches.append(f"{scope}.{m.name}: {attr} differs from Envoy's")


def run() -> Report:
    report = Report()
    for fd in compile_protos().file:
        if fd.name.startswith(("google/protobuf/", "etcd/", "istio/")):
            # etcd's protos are checked by etcd_proto_conformance.py, Istio's by test_istio_protos.py
            continue
        ref = reference_file(fd.name)
        if ref is None:
            report.mismatches.append(f"{fd.name}: no file of that name in xds-protos")
            continue
        compare_file(fd, ref, report)
    return report


def compare_file(fd, ref, report: Report) -> None:
    """Package, messages, enums and services of one of our files against the reference's."""
    if fd.package != ref.package:
        report.mismatches.append(f"{fd.name}: package {fd.package}, the reference's is {ref.package}")
    ref_messages = {m.name: m for m in ref.message_type}
    for m in fd.message_type:
        scope = f"{fd.package}.{m.name}"
        if m.name not in ref_messages:
            report.mismatches.append(f"{scope}: no such message in Envoy's {fd.name}")
            continue
        compare_message(m, ref_messages[m.name], scope, report)
    ref_enums = {e.name: e for e in ref.enum_type}
    for e in fd.enum_type:
        scope = f"{fd.package}.{e.name}"
        if e.name not in ref_enums:
            report.mismatches.append(f"{scope}: no such enum in Envoy's {fd.name}")
            continue
        compare_enum(e, ref_enums[e.name], scope, report)
    ref_services = {s.name: s for s in ref.service}
    for s in fd.service:
        scope = f"{fd.package}.{s.name}"
        if s.name not in ref_services:
            report.mismatches.append(f"{scope}: no such service in Envoy's {fd.name}")
            continue
        compare_services(s, ref_services[s.name], scope, report)


if __name__ == "__main__":
    result = run()
    for line in result.mismatches:
        print("MISMATCH", line)
    print(result.summary())
    sys.exit(1 if result.mismatches else 0)
