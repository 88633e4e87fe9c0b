#!/usr/bin/env python3
"""Fails when a third-party library's header is reachable from a folder of
src/ that should not see it (docs/architecture.md, "Layers").

The include path of each layer (src/Makefile.am) already stops one layer
from including another's headers; libpq's headers are off the default path
too. jansson, libfcgi, libgit2, libcurl and libsystemd install into /usr/include, where
every file could reach them, so this check follows each source file's
quoted includes to the library headers they pull in: a handler that
includes request.h must not get fcgiapp.h with it.

Usage: layering.py [SRC_DIR]    (default: the src/ beside this folder)
"""

import os
import re
import sys

# Library header -> the paths (folders or files, relative to src/) that may
# reach it.
ALLOWED = {
    "libpq-fe.h": ["common/db.c", "common/db_query.h", "common/model_rows.c", "common/model_rows.h", "api/store/", "dispatch/", "ctl/ctl_store.c"],
    "fcgiapp.h": ["api/main.c", "api/worker.c", "api/serve.c", "api/serve.h",
                  "api/http/request.c", "api/http/response.c"],
    "jansson.h": ["api/handlers/input.c", "dispatch/"],
    "git2.h": ["api/git/"],
    "curl/curl.h": ["dispatch/dispatch_http.c"],
    "systemd/sd-daemon.h": ["common/service_notify.c"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def sources(src):
    for root, _, files in os.walk(src):
        for name in files:
            if name.endswith((".c", ".h")):
                path = os.path.join(root, name)
                yield os.path.relpath(path, src), path


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "src")
    includes = {}   # relative path -> (quoted names, angle names)
    headers = {}    # basename -> relative path; basenames are unique in src/
    for rel, path in sources(src):
        with open(path, encoding="utf-8") as f:
            found = INCLUDE.findall(f.read())
        includes[rel] = ([n for kind, n in found if kind == '"'],
                         [n for kind, n in found if kind == "<"])
        if rel.endswith(".h"):
            name = os.path.basename(rel)
            if name in headers:
                print(f"layering: two headers named {name}: {headers[name]}, {rel}")
                return 1
            headers[name] = rel

    def reached(rel, seen):
        """The library headers rel pulls in, through our own headers."""
        if rel in seen:
            return {}
        seen.add(rel)
        quoted, angled = includes[rel]
        out = {lib: rel for lib in angled if lib in ALLOWED}
        for name in quoted:
            if name in headers:
                for lib, via in reached(headers[name], seen).items():
                    out.setdefault(lib, via)
        return out

    failures = 0
    for rel in sorted(includes):
        for lib, via in sorted(reached(rel, set()).items()):
            if not any(rel == a or (a.endswith("/") and rel.startswith(a)) for a in ALLOWED[lib]):
                how = "" if via == rel else f" (through {via})"
                print(f"layering: src/{rel} includes <{lib}>{how}; "
                      f"only {', '.join(ALLOWED[lib])} may")
                failures += 1
    if failures:
        print(f"layering: {failures} violation(s)")
        return 1
    print(f"layering: {len(includes)} files, no violation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
