"""fixture_header.py - the header comment of a test program, for the Python checkers.

It is parsed by tests/fixture_header.h, the parser the C tests use, through
tests/fixture_header.c (built with gcc on first use, into a temporary
directory), so that every checker reads a header the same way.

  import fixture_header
  h = fixture_header.read("tests/fixtures/deadlock/sem_abba.c")
  h["kind"], h["title"], h["items"]   # "deadlock", "AB-BA on ...", [(4, "expect", "deadlock"), ...]
  fixture_header.values(path)           # {"expect": "deadlock", ...}: the first value of each key
"""
import atexit
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_tool = None


def _build():
    global _tool
    if _tool is None:
        d = tempfile.mkdtemp(prefix="fixture-header.")
        atexit.register(shutil.rmtree, d, True)
        tool = os.path.join(d, "fixture_header")
        subprocess.run(["gcc", "-std=gnu11", "-O2", "-o", tool, os.path.join(HERE, "fixture_header.c")],
                       check=True)
        _tool = tool
    return _tool


def read(path):
    """The header of the file at path; ValueError when it does not parse."""
    r = subprocess.run([_build(), path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        raise ValueError(r.stderr.strip())
    h = {"kind": "", "title": "", "items": []}
    for line in r.stdout.splitlines():
        parts = line.split(" ", 2) + ["", ""]
        lineno, key, value = int(parts[0]), parts[1], parts[2]
        if lineno == 1:
            h["kind"], h["title"] = key, value
        else:
            h["items"].append((lineno, key, value))
    return h


def values(path):
    """{key: first value} of the header of the file at path."""
    v = {}
    for _, key, value in read(path)["items"]:
        v.setdefault(key, value)
    return v
