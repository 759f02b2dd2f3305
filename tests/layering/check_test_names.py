#!/usr/bin/env python3
"""Fails when a Catch2 TEST_CASE name would not run under CTest.

catch_discover_tests turns every test case into a CTest test whose command carries the
name as a Catch filter, through a CMake list: a ';' in the name splits it into two tests
whose filters match nothing, and Catch then reports "No tests ran" with exit 0 — the test
looks green and never runs. (Commas and brackets are escaped by catch_discover_tests.)
"""
import os
import re
import sys

NAME = re.compile(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"', re.S)


def main():
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests")
    bad = []
    for dirpath, _, files in os.walk(root):
        if "node_modules" in dirpath:
            continue
        for name in files:
            if not name.endswith(".cpp"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in NAME.finditer(text):
                test = m.group(1)
                if ";" in test:
                    line = text.count("\n", 0, m.start()) + 1
                    bad.append(f"{os.path.relpath(path, os.path.dirname(root))}:{line}: {test}")
    for b in bad:
        print(f"test name would not run under CTest: {b}")
    print(f"{len(bad)} unrunnable test names")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
