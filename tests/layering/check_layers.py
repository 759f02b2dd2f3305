#!/usr/bin/env python3
"""Checks that the source folders depend on each other one way only.

Reads every #include "..." of the project's own headers under audit/, rules/ and reports/,
maps each file to its folder (audit/<stage>/, rules/, reports/), and fails when an include
points to a folder on the same or a higher layer than the includer's, or when the folder
graph has a cycle. With --dot it prints the folder graph as Graphviz dot.
"""
import os
import re
import sys

# Lower layers never include higher ones. Folders on one layer do not include each other.
LAYERS = [
    ["model"],
    ["io"],
    ["ingest", "refdata"],
    ["rules", "qa", "sampling", "generate"],
    ["runs"],
    ["store", "reports"],
    ["service"],
    ["server"],
    ["cli"],
]
RANK = {folder: i for i, layer in enumerate(LAYERS) for folder in layer}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(path):
    parts = path.split("/")
    if parts[0] == "audit" and len(parts) > 2:
        return parts[1]
    if parts[0] in ("rules", "reports") and len(parts) > 1:
        return parts[0]
    return None


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    edges, problems = {}, []
    for top in ("audit", "rules", "reports"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith((".hpp", ".cpp")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                src = folder_of(rel)
                if src is None:
                    continue
                if src not in RANK:
                    problems.append(f"{rel}: folder '{src}' has no layer in {__file__}")
                    continue
                with open(os.path.join(root, rel), encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        dst = folder_of(m.group(1))
                        if dst is None or dst == src:
                            continue
                        edges.setdefault(src, set()).add(dst)
                        if dst not in RANK or RANK[dst] >= RANK[src]:
                            problems.append(f"{rel}:{lineno}: {src} includes {m.group(1)} "
                                            f"({dst} is not below {src})")
    # Cycle check over the folder graph (independent of the layer table).
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                problems.append("cycle: " + " -> ".join(stack + [node, nxt]))
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    if "--dot" in sys.argv:
        print("digraph folders {")
        for src in sorted(edges):
            for dst in sorted(edges[src]):
                print(f'  "{src}" -> "{dst}";')
        print("}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"{len(edges)} folders, {sum(len(v) for v in edges.values())} dependencies, "
          "one way, no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
