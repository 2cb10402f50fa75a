"""Wheels made from Debian's python3-* packages, repaired the way auditwheel repairs a
wheel built for PyPI.

Each line of the spec (images/lib/wheels.list) names the Debian packages that make one
wheel. Their files under dist-packages become the wheel; their .dist-info or .egg-info
becomes its dist-info (an egg-info's requires.txt turned into Requires-Dist). A wheel
with no ELF object is tagged py3-none-any. Otherwise every library its objects need that
is outside the manylinux allow-list (mkwheels.ALLOW) is copied into <wheel name>.libs/
as <stem>-<sha256[:8]>.so.<N>, with its SONAME and every NEEDED entry naming it
rewritten, and RUNPATH $ORIGIN-relative on each object that needs one of them; the tag
is cpXY-cpXY-<PLATFORM>, PLATFORM being the glibc the suite was built against.
"""
import gzip
import hashlib
import os
import re
import shutil
import tempfile

import mkwheels
from mkwheels import ALLOW, LIBDIRS, SITE, die, is_elf, needed, patchelf

# Requirements Debian removed from an egg-info that pip needs to resolve as it does from
# PyPI. pandas' Debian packaging drops install_requires (python3-pandas depends on
# python3-numpy etc. instead) and leaves the emptied sections behind. These are
# upstream's: pandas 1.5.3's setup.cfg and 2.2.3's pyproject.toml, cffi's setup.py.
RESTORED_REQUIRES = {
    # cffi's setup.py install_requires; Debian's python3-cffi depends on python3-pycparser.
    ("cffi", "1.15.1"): ["pycparser"],
    ("cffi", "1.17.1"): ["pycparser"],
    ("pandas", "1.5.3"): [
        "numpy>=1.20.3; python_version < \"3.10\"",
        "numpy>=1.21.0; python_version >= \"3.10\"",
        "numpy>=1.23.2; python_version >= \"3.11\"",
        "python-dateutil>=2.8.1",
        "pytz>=2020.1",
    ],
    ("pandas", "2.2.3"): [
        "numpy>=1.22.4; python_version < \"3.11\"",
        "numpy>=1.23.2; python_version == \"3.11\"",
        "numpy>=1.26.0; python_version >= \"3.12\"",
        "python-dateutil>=2.8.2",
        "pytz>=2020.1",
        "tzdata>=2022.7",
    ],
}

# Each suite's only CPython: the python tag of a wheel whose modules are all abi3.
SUITE_PYTHON = {"bookworm": "cp311", "trixie": "cp313"}

# Debian's repack suffixes (+dfsg, +ds, +ds1): upstream's release is the version.
REPACK = re.compile(r"\+(dfsg|ds)\d*$")


def normalize(name):
    return re.sub(r"[-_.]+", "_", name)


def read_spec(spec, suite):
    """Yields (packages, options) for SUITE's lines; bad lines stop with file:line."""
    shown = os.environ.get("SPEC_NAME", spec)  # the checkout's path, not the mount's
    for n, line in enumerate(open(spec), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) < 2:
            die("%s:%d: want '<suite> <package>[+<package>...] [name=<dist>]'" % (shown, n))
        opts = {}
        for o in line[2:]:
            k, eq, v = o.partition("=")
            if not eq or k != "name":
                die("%s:%d: unknown option %r (only name=<dist>)" % (shown, n, o))
            opts[k] = v
        if line[0] == suite:
            yield line[1].split("+"), opts


def requires_from_egg(path):
    """setuptools' requires.txt sections ([extra], [:marker], [extra:marker]) as
    Requires-Dist values, and the extras it names."""
    reqs, extras = [], []
    section = ""
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line[1:-1]
            extra, _, marker = section.partition(":")
            if extra and extra not in extras:
                extras.append(extra)
            continue
        extra, _, marker = section.partition(":")
        conds = []
        if marker:
            conds.append("(%s)" % marker)
        if extra:
            conds.append('extra == "%s"' % extra)
        reqs.append(line + ("; " + " and ".join(conds) if conds else ""))
    return reqs, extras


def find_metadata(site):
    for d in sorted(os.listdir(site)):
        p = os.path.join(site, d)
        if d.endswith(".dist-info") and os.path.exists(os.path.join(p, "METADATA")):
            return p, open(os.path.join(p, "METADATA")).read(), [], []
        if d.endswith(".egg-info") and os.path.exists(os.path.join(p, "PKG-INFO")):
            reqs, extras = [], []
            if os.path.exists(os.path.join(p, "requires.txt")):
                reqs, extras = requires_from_egg(os.path.join(p, "requires.txt"))
            return p, open(os.path.join(p, "PKG-INFO")).read(), reqs, extras
    die("no .dist-info or .egg-info under %s" % site)


def rewrite_metadata(text, name, version, reqs, extras):
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    out = []
    for line in lines:
        if line.startswith("Name: "):
            line = "Name: " + name
        elif line.startswith("Version: "):
            line = "Version: " + version
        out.append(line)
    have = {l for l in out}
    for e in extras:
        if "Provides-Extra: " + e not in have:
            out.append("Provides-Extra: " + e)
    for r in reqs:
        if "Requires-Dist: " + r not in have:
            out.append("Requires-Dist: " + r)
    return "\n".join(out) + (sep + body if sep else "\n")


def header(text, key):
    for line in text.split("\n\n", 1)[0].split("\n"):
        if line.startswith(key + ": "):
            return line[len(key) + 2:].strip()
    return None


def copy_entry(src, dst, root):
    if os.path.islink(src):
        target = os.path.realpath(src)
        if not target.startswith(root) or not os.path.exists(target):
            return
        src = target
    if os.path.isdir(src):
        mkwheels.copy_tree_resolving(src, dst, root)
    else:
        shutil.copy2(src, dst)


def find_lib(libtrees, soname, obj):
    for tree in libtrees:
        for d in LIBDIRS:
            p = os.path.join(tree, d, soname)
            if os.path.exists(p):
                real = os.path.realpath(p)
                if os.path.exists(real):
                    return real
    die("library %s needed by %s is in none of the extracted packages: add the package that provides it to the "
        "suite's library set in images/stages/wheelhouse.sh" % (soname, obj))


def repair(stage, libname, libtrees, abi3_python):
    """Bundles non-allow-listed libraries into stage/libname; returns the wheel's
    python and ABI tags (cp313-cp313, or cp313-abi3 when every module is abi3)."""
    objs = []
    for dirpath, _, filenames in os.walk(stage):
        for fn in filenames:
            p = os.path.join(dirpath, fn)
            if ".so" in fn and not os.path.islink(p) and is_elf(p):
                objs.append(p)
    if not objs:
        return None
    libdir = os.path.join(stage, libname)
    bundled = {}
    queue = list(objs)
    while queue:
        obj = queue.pop(0)
        for n in needed(obj):
            if n in ALLOW or n in bundled:
                continue
            src = find_lib(libtrees, n, os.path.relpath(obj, stage))
            os.makedirs(libdir, exist_ok=True)
            h = hashlib.sha256(open(src, "rb").read()).hexdigest()[:8]
            stem, rest = n.split(".so", 1)
            new = "%s-%s.so%s" % (stem, h, rest)
            shutil.copy(src, os.path.join(libdir, new))
            os.chmod(os.path.join(libdir, new), 0o755)
            bundled[n] = new
            queue.append(os.path.join(libdir, new))
    for obj in objs + [os.path.join(libdir, b) for b in bundled.values()]:
        args = []
        for n in needed(obj):
            if n in bundled:
                args += ["--replace-needed", n, bundled[n]]
        inlib = obj.startswith(libdir + os.sep)
        if inlib:
            args += ["--set-soname", os.path.basename(obj)]
        if args:
            rel = os.path.relpath(libdir, os.path.dirname(obj))
            args += ["--set-rpath", "$ORIGIN" if rel == "." else "$ORIGIN/" + rel]
            patchelf(*args, obj)
    tags, abi3 = set(), False
    for o in objs:
        m = re.search(r"\.cpython-3(\d+)-x86_64-linux-gnu\.so$", o)
        if m:
            tags.add("cp3" + m.group(1))
        abi3 = abi3 or o.endswith(".abi3.so")
    if not tags and abi3:
        # Only stable-ABI modules (PyQt5's): the wheel is cpXY-abi3, for the suite's
        # Python and later, as PyPI's cp38-abi3 is for 3.8 and later.
        return abi3_python + "-abi3"
    if len(tags) != 1:
        die("%s: want extension modules of exactly one CPython, found %s" % (stage, sorted(tags) or "none"))
    cp = tags.pop()
    return cp + "-" + cp


def build_wheel(pkgdirs, libtrees, platform, outdir, python, rename=None):
    stage = tempfile.mkdtemp()
    meta = None
    for d in pkgdirs:
        root = os.path.realpath(d)
        site = os.path.join(root, SITE)
        if not os.path.isdir(site):
            die("%s has no %s" % (d, SITE))
        if meta is None:
            meta = find_metadata(site)
        for e in sorted(os.listdir(site)):
            if e.endswith((".dist-info", ".egg-info")) or e == "__pycache__":
                continue
            copy_entry(os.path.join(site, e), os.path.join(stage, e), root)
    src, text, reqs, extras = meta
    upstream = header(text, "Name")
    version = REPACK.sub("", header(text, "Version"))
    name = rename or upstream
    reqs = reqs + RESTORED_REQUIRES.get((upstream.lower(), version), [])
    wname = normalize(name)
    di = "%s-%s.dist-info" % (wname, version)
    os.makedirs(os.path.join(stage, di))
    with open(os.path.join(stage, di, "METADATA"), "w") as f:
        f.write(rewrite_metadata(text, name, version, reqs, extras))
    for extra in ("entry_points.txt", "top_level.txt"):
        if os.path.exists(os.path.join(src, extra)):
            shutil.copy(os.path.join(src, extra), os.path.join(stage, di, extra))
    cp = repair(stage, wname + ".libs", libtrees, python)
    tag = "py3-none-any" if cp is None else "%s-%s" % (cp, platform)
    mkwheels.write_wheel(stage, di, tag, cp is None, outdir, wname, version)
    shutil.rmtree(stage)


def build_suite(spec, suite, pkgroot, libtrees, platform, outdir):
    trees = libtrees.split(":")
    for pkgs, opts in read_spec(spec, suite):
        build_wheel([os.path.join(pkgroot, p) for p in pkgs], trees, platform, outdir, SUITE_PYTHON[suite], opts.get("name"))


def build_tzdata(tree, outdir):
    """PyPI's tzdata package (the IANA database as package data, what zoneinfo falls back
    to) made from Debian's tzdata: every TZif file under usr/share/zoneinfo, one Python
    package per directory. Its version is the database's: 2025b -> 2025.2."""
    tree = os.path.realpath(tree)
    zi = os.path.join(tree, "usr/share/zoneinfo")
    # Debian's version is the database's plus its revision: "tzdata (2025b-4+deb13u1) ...".
    log = os.path.join(tree, "usr/share/doc/tzdata/changelog.Debian.gz")
    first = gzip.open(log, "rt").readline()
    m = re.match(r"tzdata \((\d{4})([a-z])-", first)
    if not m:
        die("%s does not start with 'tzdata (<yyyy><letter>-...)': %r" % (log, first))
    iana = m.group(1) + m.group(2)
    version = "%s.%d" % (m.group(1), ord(m.group(2)) - ord("a") + 1)
    stage = tempfile.mkdtemp()
    pkg = os.path.join(stage, "tzdata")
    zones = []
    for dirpath, dirnames, filenames in os.walk(zi):
        rel = os.path.relpath(dirpath, zi)
        # posix/ and right/ are Debian's alternative trees, not part of the package.
        dirnames[:] = sorted(d for d in dirnames if not (rel == "." and d in ("posix", "right")))
        for fn in sorted(filenames):
            p = os.path.realpath(os.path.join(dirpath, fn))
            if not os.path.isfile(p) or open(p, "rb").read(4) != b"TZif":
                continue
            dst = os.path.join(pkg, "zoneinfo", rel, fn)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(p, dst)
            zones.append(os.path.normpath(os.path.join(rel, fn)))
    for dirpath, _, _ in os.walk(pkg):
        open(os.path.join(dirpath, "__init__.py"), "a").close()
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write('__version__ = "%s"\nIANA_VERSION = "%s"\n' % (version, iana))
    with open(os.path.join(pkg, "zones"), "w") as f:
        f.write("\n".join(sorted(zones)) + "\n")
    di = "tzdata-%s.dist-info" % version
    os.makedirs(os.path.join(stage, di))
    with open(os.path.join(stage, di, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: tzdata\nVersion: %s\n"
                "Summary: Provider of IANA time zone data (from Debian's tzdata %s)\n"
                "License: Apache-2.0\nRequires-Python: >=2\n\n" % (version, iana))
    mkwheels.write_wheel(stage, di, "py2.py3-none-any", True, outdir, "tzdata", version)
    shutil.rmtree(stage)
