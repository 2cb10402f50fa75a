"""Repackages Debian's python3-numpy and pure-Python packages into wheels.

Run inside the kit builder (python3 + patchelf). numpy is repaired the way auditwheel
repairs a wheel: every library outside the manylinux allow-list is copied into
numpy.libs/ under a content-hashed name, NEEDED entries are rewritten to those names and
RUNPATH points there relative to $ORIGIN; libstdc++.so.6, libgcc_s.so.1 and glibc stay
system dependencies, as in PyPI's wheels.

usage: mkwheels.py numpy TREE PLATFORM OUTDIR   (PLATFORM e.g. manylinux_2_36_x86_64)
       mkwheels.py pure TREE DISTNAME OUTDIR
       mkwheels.py debs SPEC SUITE PKGROOT LIBTREE PLATFORM OUTDIR
       mkwheels.py tzdata TREE OUTDIR

The debs command builds every wheel SPEC (images/lib/wheels.list) names for SUITE; see
debwheels.py.
"""
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

# auditwheel's manylinux policy allow-list (the libraries every manylinux system has).
ALLOW = {
    "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libdl.so.2", "librt.so.1",
    "libc.so.6", "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libresolv.so.2",
    "libX11.so.6", "libXext.so.6", "libXrender.so.1", "libICE.so.6", "libSM.so.6",
    "libGL.so.1", "libgobject-2.0.so.0", "libgthread-2.0.so.0", "libglib-2.0.so.0",
    "libz.so.1", "libexpat.so.1", "ld-linux-x86-64.so.2",
}
SITE = "usr/lib/python3/dist-packages"
LIBDIRS = ["usr/lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu/blas",
           "usr/lib/x86_64-linux-gnu/lapack", "lib/x86_64-linux-gnu"]


def die(msg):
    sys.exit("error: images: mkwheels: " + msg)


def patchelf(*args):
    return subprocess.run(["patchelf", *args], check=True, capture_output=True, text=True).stdout


def needed(path):
    return patchelf("--print-needed", path).split()


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def copy_tree_resolving(src, dst, root):
    """Copies a package directory; symlinks become copies of their targets when the
    target exists in the extracted tree, and are dropped when it does not."""
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in list(dirnames) + filenames:
            s = os.path.join(dirpath, name)
            d = os.path.join(dst, rel, name)
            if os.path.islink(s):
                target = os.path.realpath(s)
                if not target.startswith(root) or not os.path.exists(target):
                    if name in dirnames:
                        dirnames.remove(name)
                    continue
                if os.path.isdir(target):
                    shutil.copytree(target, d, symlinks=False)
                    dirnames.remove(name)
                else:
                    shutil.copy2(target, d)
            elif name in filenames:
                if "__pycache__" not in s:
                    shutil.copy2(s, d)


def record_hash(path):
    h = hashlib.sha256(open(path, "rb").read()).digest()
    return "sha256=" + base64.urlsafe_b64encode(h).rstrip(b"=").decode()


def write_wheel(stage, distinfo, tag, purelib, outdir, name, version):
    with open(os.path.join(stage, distinfo, "WHEEL"), "w") as f:
        f.write("Wheel-Version: 1.0\nGenerator: bootmatrix-kit (from Debian packages)\n")
        f.write("Root-Is-Purelib: %s\nTag: %s\n\n" % ("true" if purelib else "false", tag))
    files = []
    for dirpath, _, filenames in os.walk(stage):
        for fn in filenames:
            files.append(os.path.relpath(os.path.join(dirpath, fn), stage))
    files.sort()
    record = os.path.join(distinfo, "RECORD")
    lines = []
    for rel in files:
        if rel == record:
            continue
        p = os.path.join(stage, rel)
        lines.append("%s,%s,%d" % (rel, record_hash(p), os.path.getsize(p)))
    lines.append(record + ",,")
    with open(os.path.join(stage, record), "w") as f:
        f.write("\n".join(lines) + "\n")
    if record not in files:
        files.append(record)
    whl = os.path.join(outdir, "%s-%s-%s.whl" % (name, version, tag))
    tmp = whl + ".part"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        # dist-info last, as bdist_wheel does.
        for rel in [f for f in files if not f.startswith(distinfo)] + \
                   [f for f in files if f.startswith(distinfo)]:
            z.write(os.path.join(stage, rel), rel)
    os.replace(tmp, whl)
    print(os.path.basename(whl))


def debian_version(tree, name):
    site = os.path.join(tree, SITE)
    for d in sorted(os.listdir(site)):
        for suffix in (".dist-info", ".egg-info"):
            if d.startswith(name + "-") and d.endswith(suffix):
                return d[len(name) + 1:-len(suffix)]
    die("no %s metadata (.dist-info or .egg-info) under %s" % (name, site))


def debian_metadata(tree, name, version):
    """Debian ships either a .dist-info (METADATA) or an .egg-info (PKG-INFO)."""
    site = os.path.join(tree, SITE)
    for d, f in (("%s-%s.dist-info" % (name, version), "METADATA"),
                 ("%s-%s.egg-info" % (name, version), "PKG-INFO")):
        p = os.path.join(site, d, f)
        if os.path.exists(p):
            return os.path.join(site, d), open(p).read()
    die("no %s-%s metadata under %s" % (name, version, site))


def copy_distinfo(tree, name, version, stage):
    src, meta = debian_metadata(tree, name, version)
    di = "%s-%s.dist-info" % (name, version)
    os.makedirs(os.path.join(stage, di))
    with open(os.path.join(stage, di, "METADATA"), "w") as f:
        f.write(meta)
    for extra in ("entry_points.txt", "top_level.txt"):
        if os.path.exists(os.path.join(src, extra)):
            shutil.copy(os.path.join(src, extra), os.path.join(stage, di, extra))
    return di


def find_lib(tree, soname):
    for d in LIBDIRS:
        p = os.path.join(tree, d, soname)
        if os.path.exists(p):
            return os.path.realpath(p)
    die("library %s needed by numpy is in none of the extracted packages (%s): add its package to the wheelhouse set"
        % (soname, ", ".join(LIBDIRS)))


def build_numpy(tree, platform, outdir):
    tree = os.path.realpath(tree)
    version = debian_version(tree, "numpy")
    stage = tempfile.mkdtemp()
    copy_tree_resolving(os.path.join(tree, SITE, "numpy"), os.path.join(stage, "numpy"), tree)
    libdir = os.path.join(stage, "numpy.libs")
    os.makedirs(libdir)
    exts = []
    for dirpath, _, filenames in os.walk(os.path.join(stage, "numpy")):
        for fn in filenames:
            p = os.path.join(dirpath, fn)
            if ".so" in fn and is_elf(p):
                exts.append(p)
    bundled = {}  # soname -> new name
    queue = list(exts)
    while queue:
        obj = queue.pop(0)
        for n in needed(obj):
            if n in ALLOW or n in bundled:
                continue
            src = find_lib(tree, n)
            h = hashlib.sha256(open(src, "rb").read()).hexdigest()[:8]
            stem, rest = n.split(".so", 1)
            new = "%s-%s.so%s" % (stem, h, rest)
            shutil.copy(src, os.path.join(libdir, new))
            os.chmod(os.path.join(libdir, new), 0o755)
            bundled[n] = new
            queue.append(os.path.join(libdir, new))
    for obj in exts + [os.path.join(libdir, b) for b in bundled.values()]:
        args = []
        for n in needed(obj):
            if n in bundled:
                args += ["--replace-needed", n, bundled[n]]
        if obj.startswith(libdir):
            args += ["--set-soname", os.path.basename(obj), "--set-rpath", "$ORIGIN"]
        else:
            rel = os.path.relpath(libdir, os.path.dirname(obj))
            args += ["--set-rpath", "$ORIGIN/" + rel]
        patchelf(*args, obj)
    # numpy >= 1.22 has C++ in _multiarray_umath; PyPI's wheels leave libstdc++.so.6 to the
    # system. Debian's 1.24.2 build lost that NEEDED entry: put it back, and first, so a
    # system without it fails on import naming libstdc++.so.6 as PyPI's wheels do.
    umath = [e for e in exts if os.path.basename(e).startswith("_multiarray_umath.")]
    if len(umath) != 1:
        die("expected one _multiarray_umath extension, found %d" % len(umath))
    u = umath[0]
    py = os.path.basename(u).split(".")[1]  # cpython-313-x86_64-linux-gnu
    cp = "cp" + py.split("-")[1]
    tag = "%s-%s-%s" % (cp, cp, platform)
    if "libstdc++.so.6" in needed(u):
        patchelf("--remove-needed", "libstdc++.so.6", u)
    patchelf("--add-needed", "libstdc++.so.6", u)
    if needed(u)[0] != "libstdc++.so.6":
        die("libstdc++.so.6 is not first in %s's NEEDED: %s" % (u, needed(u)))
    di = copy_distinfo(tree, "numpy", version, stage)
    write_wheel(stage, di, tag, False, outdir, "numpy", version)
    shutil.rmtree(stage)


def build_pure(tree, name, outdir):
    tree = os.path.realpath(tree)
    version = debian_version(tree, name)
    stage = tempfile.mkdtemp()
    _, meta = debian_metadata(tree, name, version)
    src, _ = debian_metadata(tree, name, version)
    tops = [name]
    tl = os.path.join(src, "top_level.txt")
    if os.path.exists(tl):
        tops = [t for t in open(tl).read().split() if t]
    for top in tops:
        copy_tree_resolving(os.path.join(tree, SITE, top), os.path.join(stage, top), tree)
    di = copy_distinfo(tree, name, version, stage)
    write_wheel(stage, di, "py3-none-any", True, outdir, name, version)
    shutil.rmtree(stage)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "numpy":
        build_numpy(*sys.argv[2:5])
    elif cmd == "pure":
        build_pure(*sys.argv[2:5])
    elif cmd in ("debs", "tzdata"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import debwheels
        if cmd == "debs":
            debwheels.build_suite(*sys.argv[2:8])
        else:
            debwheels.build_tzdata(*sys.argv[2:4])
    else:
        die("unknown command " + cmd)
