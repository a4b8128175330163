#!/usr/bin/env python3
"""Fairway's module graph from `import` lines, checked against Package.swift.

Usage: Scripts/module_graph.py [--check] [--markdown]

For every target it lists what its Swift files import (first-party modules and products
apart), how many declarations are `public`/`open` and how many are `package`, and with
`--check` exits 1 when a target imports a module Package.swift does not declare for it
(SwiftPM lets a target see modules its dependencies brought in; declaring them keeps each
target's needs visible and the graph honest). Reads `swift package dump-package`.
"""

import json
import os
import re
import subprocess
import sys

SYSTEM = {
    "Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Musl",
    "Darwin", "Synchronization", "XCTest", "Testing", "os", "_Concurrency", "CryptoKit",
}
IMPORT = re.compile(r"^\s*(?:@[\w()]+\s+)*(?:(?:public|package|internal|private|fileprivate)\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|typealias)\s+)?([A-Za-z_][\w]*)")
PUBLIC = re.compile(r"^\s*(?:@[\w()\"., ]+\s+)*(?:public|open)\s")
PACKAGE = re.compile(r"^\s*(?:@[\w()\"., ]+\s+)*package\s")


def package_description(root):
    output = subprocess.run(
        ["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True,
        text=True).stdout
    return json.loads(output)


def target_path(target):
    if target.get("path"):
        return target["path"]
    folder = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(folder, target["name"])


def scan(root, path):
    imports, public, package = set(), 0, 0
    for folder, _, files in os.walk(os.path.join(root, path)):
        for name in files:
            if not name.endswith(".swift"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                for line in handle:
                    match = IMPORT.match(line)
                    if match:
                        imports.add(match.group(1))
                        continue
                    if PUBLIC.match(line) and " extension " not in line:
                        public += 1
                    elif PACKAGE.match(line):
                        package += 1
    return imports - SYSTEM, public, package


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    description = package_description(root)
    targets = description["targets"]
    own = {target["name"] for target in targets}
    rows, problems = [], []
    for target in targets:
        declared = set()
        for dependency in target["dependencies"]:
            kind = next(iter(dependency))
            declared.add(dependency[kind][0])
        imports, public, package = scan(root, target_path(target))
        # The generated proto module is ours but not hand-written: counts are meaningless.
        counted = target["name"] != "FairwayProto"
        imports.discard(target["name"])
        # CYaml is Yams' own C target (not a product): reached through Yams, declared by it.
        missing = sorted(imports - declared - {"CYaml"})
        unused = sorted(declared - imports)
        if missing:
            problems.append(f"{target['name']} imports {', '.join(missing)} not declared in Package.swift")
        rows.append((target["name"], target["type"], sorted(imports & own),
                     sorted(imports - own), public if counted else None,
                     package if counted else None, unused))
    if "--markdown" in argv:
        print("| module | kind | imports (Fairway) | imports (packages) | public | package |")
        print("|---|---|---|---|---|---|")
        for name, kind, first, third, public, package, _ in rows:
            if kind == "test":
                continue
            print(f"| {name} | {kind} | {', '.join(first) or '-'} | {', '.join(third) or '-'} | "
                  f"{'-' if public is None else public} | {'-' if package is None else package} |")
    else:
        for name, kind, first, third, public, package, unused in rows:
            counts = "" if public is None else f"  public={public} package={package}"
            print(f"{name} ({kind}){counts}")
            print(f"  -> {' '.join(first) or '-'}   [{' '.join(third) or '-'}]")
            if unused:
                print(f"  declared, not imported: {' '.join(unused)}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if "--check" in argv and problems:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
