"""Compare Fairway's etcd subset (Protos/etcd/) with etcd's own descriptors.

etcd decodes our requests with its protos: a field whose number, type or label differs is
silently lost or misread. PyPI's etcd3 ships protoc output of etcd's rpc.proto and kv.proto
(etcd3/etcdrpc). Those modules target a protobuf runtime too old to import today, so the
serialized FileDescriptorProto is read out of their source instead of executed.
"""

from __future__ import annotations

import ast
import importlib.util
import pathlib

from google.protobuf import descriptor_pb2

import proto_conformance

# Our file -> the etcd3 module generated from etcd's file of the same content.
REFERENCES = {
    "etcd/api/etcdserverpb/rpc.proto": "rpc_pb2.py",
    "etcd/api/mvccpb/kv.proto": "kv_pb2.py",
}


def reference_file(module_file: str) -> descriptor_pb2.FileDescriptorProto:
    spec = importlib.util.find_spec("etcd3")
    if spec is None or spec.origin is None:
        raise RuntimeError("etcd3 is not installed (make venv installs it)")
    source = (pathlib.Path(spec.origin).parent / "etcdrpc" / module_file).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "serialized_pb":
            value = node.value
            # `_b('...')` in etcd3's generated code, a bytes literal in newer protoc output.
            if isinstance(value, ast.Call) and value.args:
                value = value.args[0]
            literal = ast.literal_eval(value)
            data = literal.encode("latin1") if isinstance(literal, str) else literal
            proto = descriptor_pb2.FileDescriptorProto()
            proto.ParseFromString(data)
            return proto
    raise RuntimeError(f"no serialized descriptor in etcd3/etcdrpc/{module_file}")


def run(compiled: descriptor_pb2.FileDescriptorSet | None = None) -> proto_conformance.Report:
    report = proto_conformance.Report()
    files = {fd.name: fd for fd in (compiled or proto_conformance.compile_protos()).file}
    for name, module_file in REFERENCES.items():
        ours = files.get(name)
        if ours is None:
            report.mismatches.append(f"{name}: missing from Protos/")
            continue
        proto_conformance.compare_file(ours, reference_file(module_file), report)
    return report
