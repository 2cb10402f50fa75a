"""Find the shared libraries the installed extension modules need but the loader
would not resolve, the way `ldd` would, without needing an `ldd` binary (the Nix
stand-in has none). Stdlib only, Python 3.8+. Prints one JSON line after MARKER."""
import glob
import json
import os
import site
import struct
import subprocess
import sys
import sysconfig
import time

MARKER = "BOOTMATRIX-LDD-JSON:"
MAX_SO = 4000
MAX_FOUND = 20
DEADLINE = time.monotonic() + float(os.environ.get("BOOTMATRIX_LDD_SECONDS", "90"))
PT_INTERP = 3
errors = []


def elf_interp(path):
    """Return PT_INTERP of an ELF file, "" when it has none, None when not ELF."""
    try:
        with open(path, "rb") as f:
            hdr = f.read(64)
            if len(hdr) < 52 or hdr[:4] != b"\x7fELF":
                return None
            is64 = hdr[4] == 2
            e = "<" if hdr[5] == 1 else ">"
            if is64:
                phoff = struct.unpack(e + "Q", hdr[32:40])[0]
                phentsize, phnum = struct.unpack(e + "HH", hdr[54:58])
            else:
                phoff = struct.unpack(e + "I", hdr[28:32])[0]
                phentsize, phnum = struct.unpack(e + "HH", hdr[42:46])
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                ph = f.read(phentsize)
                if struct.unpack(e + "I", ph[:4])[0] != PT_INTERP:
                    continue
                if is64:
                    off = struct.unpack(e + "Q", ph[8:16])[0]
                    size = struct.unpack(e + "Q", ph[32:40])[0]
                else:
                    off = struct.unpack(e + "I", ph[4:8])[0]
                    size = struct.unpack(e + "I", ph[16:20])[0]
                f.seek(off)
                return f.read(size).split(b"\0", 1)[0].decode("utf-8", "replace")
            return ""
    except OSError:
        return None


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def find_interpreter():
    exe = os.path.realpath(sys.executable)
    interp = elf_interp(exe)
    if interp:
        return interp
    # A static python has no interpreter; any glibc loader will do for listing.
    pats = ["/lib64/ld-linux*.so*", "/lib/ld-linux*.so*", "/lib/*/ld-linux*.so*",
            "/nix/store/*/lib/ld-linux*.so*"]
    for p in pats:
        hits = sorted(glob.glob(p))
        if hits:
            return hits[0]
    return ""


def ld_list(interp, path):
    """List path's libraries the way ldd does, by running the loader on it in trace
    mode (`--list` gives up at the first missing library of a shared object instead
    of reporting it); return ({soname: resolved path}, [missing sonames])."""
    env = dict(os.environ, LD_TRACE_LOADED_OBJECTS="1")
    try:
        p = subprocess.run([interp, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        errors.append("%s %s: %s" % (interp, path, e))
        return {}, []
    found, missing = {}, []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if " => " not in line:
            continue
        name, rest = line.split(" => ", 1)
        name = name.strip()
        if rest.strip().startswith("not found"):
            missing.append(name)
        else:
            found[name] = rest.split(" (", 1)[0].strip()
    if p.returncode != 0 and not found and not missing:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        errors.append("%s: %s" % (path, err[-1] if err else "exit %d" % p.returncode))
    return found, missing


def site_dirs():
    dirs = []
    paths = sysconfig.get_paths()
    for k in ("purelib", "platlib"):
        if paths.get(k):
            dirs.append(paths[k])
    try:
        dirs.extend(site.getsitepackages())
    except AttributeError:  # old virtualenv's site module
        pass
    try:
        dirs.append(site.getusersitepackages())
    except AttributeError:
        pass
    if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
        dirs.extend(glob.glob(os.path.join(sys.prefix, "lib", "python*", "site-packages")))
    for p in sys.path:
        if "site-packages" in p or "dist-packages" in p:
            dirs.append(p)
    out, seen = [], set()
    for d in dirs:
        if not d or not os.path.isdir(d):
            continue
        r = os.path.realpath(d)
        if r not in seen:
            seen.add(r)
            out.append(d)
    return out


def shared_objects(dirs):
    seen, out = set(), []
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if not (f.endswith(".so") or ".so." in f):
                    continue
                p = os.path.join(root, f)
                r = os.path.realpath(p)
                if r in seen or not is_elf(r):
                    continue
                seen.add(r)
                out.append(p)
                if len(out) >= MAX_SO:
                    errors.append("stopped after %d shared objects" % MAX_SO)
                    return out
    return out


def search(names):
    """Where files of these names exist: /nix/store/*/lib first, then the whole tree."""
    found = {n: [] for n in names}
    if not names:
        return found

    def add(n, p):
        if p not in found[n] and len(found[n]) < MAX_FOUND:
            found[n].append(p)

    for n in names:
        for p in sorted(glob.glob(os.path.join("/nix/store/*/lib", glob.escape(n)))):
            add(n, p)
    skip = {"/proc", "/sys", "/dev"}
    for root, dirs, files in os.walk(os.environ.get("BOOTMATRIX_LDD_SEARCH_ROOT", "/")):
        if time.monotonic() > DEADLINE:
            errors.append("filesystem search stopped at its deadline")
            break
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in skip]
        for f in files:
            if f in found:
                add(f, os.path.join(root, f))
    return found


def main():
    interp = find_interpreter()
    report = {"python": sys.executable, "interpreter": interp, "loaded": [],
              "dirs": [], "scanned": 0, "missing": [], "errors": errors}
    if not interp:
        errors.append("no ELF interpreter found for %s" % sys.executable)
        print(MARKER + json.dumps(report))
        return
    loaded, _ = ld_list(interp, os.path.realpath(sys.executable))
    report["loaded"] = sorted(loaded)
    dirs = site_dirs()
    report["dirs"] = dirs
    sos = shared_objects(dirs)
    report["scanned"] = len(sos)
    needed_by = {}
    for so in sos:
        if time.monotonic() > DEADLINE:
            errors.append("listing stopped at its deadline")
            break
        _, missing = ld_list(interp, so)
        for name in missing:
            # dlopen reuses a library the python process already loaded by soname.
            if name in loaded:
                continue
            users = needed_by.setdefault(name, [])
            if so not in users:  # trace mode lists a library once per needer
                users.append(so)
    found = search(sorted(needed_by))
    report["missing"] = [{"library": n, "needed_by": needed_by[n], "found_at": found[n]}
                         for n in sorted(needed_by)]
    print(MARKER + json.dumps(report))


if __name__ == "__main__":
    main()
