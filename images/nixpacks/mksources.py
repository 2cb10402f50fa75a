"""Writes the stand-in nixpkgs' sources.nix and stages its fixed-output sources.

Run in the Nix kit builder:
    mksources.py MIRROR DEBS_DIR FOD_DIR SUITE=SETFILE... cpython:VER=VERSION=TARBALL...
Every .deb of the sets (and each CPython build) becomes an entry with the store name,
sha256 and URL of a fixed-output derivation; the file is linked into FOD_DIR under that
name, so `nix-store --add-fixed sha256` gives exactly the derivation's output path.
"""
import hashlib
import os
import re
import subprocess
import sys


def upstream(version):
    v = version.split(":", 1)[-1].rsplit("-", 1)[0]
    v = v.split("really")[-1]
    return re.sub(r"[+.~](ds|dfsg)\d*$", "", v)


def sha256(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def nixstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'


def stage(src, fod, name):
    dst = os.path.join(fod, name)
    if not os.path.exists(dst):
        os.link(src, dst) if os.stat(src).st_dev == os.stat(fod).st_dev else subprocess.run(["cp", src, dst], check=True)


def main():
    mirror, debs_dir, fod = sys.argv[1:4]
    os.makedirs(fod, exist_ok=True)
    suites, cpython = {}, {}
    for arg in sys.argv[4:]:
        if arg.startswith("cpython:"):
            ver, version, tarball = arg[len("cpython:"):].split("=", 2)
            name = "cpython-%s-bootmatrix-kit.tar" % version
            stage(tarball, fod, name)
            cpython[ver] = {"name": name, "version": version, "sha256": sha256(tarball),
                            "url": "file:///opt/bootmatrix/cpython/" + name}
            continue
        suite, setfile = arg.split("=", 1)
        entries = suites.setdefault(suite, {})
        for line in open(setfile):
            f = line.strip()
            p = os.path.join(debs_dir, suite, f)
            out = subprocess.run(["dpkg-deb", "-f", p, "Package", "Version", "Source", "Depends", "Pre-Depends"],
                                 check=True, capture_output=True, text=True).stdout
            fields = {}
            for l in out.splitlines():
                k, _, v = l.partition(": ")
                fields[k] = v
            pkg = fields["Package"]
            source = fields.get("Source", pkg).split()[0]
            deps = []
            for d in (fields.get("Depends", "") + "," + fields.get("Pre-Depends", "")).split(","):
                d = d.split("|")[0].strip().split(" ")[0].split(":")[0]
                if d and d not in deps:
                    deps.append(d)
            name = f.replace("%3a", "-").replace("~", "_")  # store names allow neither
            stage(p, fod, name)
            prefix = source[:4] if source.startswith("lib") else source[0]
            entries[pkg] = {"name": name, "version": fields["Version"], "upstream": upstream(fields["Version"]),
                            "sha256": sha256(p), "url": "%s/pool/main/%s/%s/%s" % (mirror, prefix, source, f),
                            "depends": deps}
    print("# Generated when the kit was built (images/nixpacks/mksources.py): the Debian")
    print("# packages and CPython builds the stand-in's derivations are made from.")
    print("{")
    print("  debs = {")
    for suite in sorted(suites):
        print("    %s = {" % suite)
        for pkg in sorted(suites[suite]):
            e = suites[suite][pkg]
            print("      %s = { name = %s; version = %s; upstream = %s; sha256 = %s; url = %s; depends = [ %s ]; };" % (
                nixstr(pkg), nixstr(e["name"]), nixstr(e["version"]), nixstr(e["upstream"]), nixstr(e["sha256"]),
                nixstr(e["url"]), " ".join(nixstr(d) for d in e["depends"])))
        print("    };")
    print("  };")
    print("  cpython = {")
    for ver in sorted(cpython):
        e = cpython[ver]
        print("    %s = { name = %s; version = %s; sha256 = %s; url = %s; };" % (
            nixstr(ver), nixstr(e["name"]), nixstr(e["version"]), nixstr(e["sha256"]), nixstr(e["url"])))
    print("  };")
    print("}")


main()
