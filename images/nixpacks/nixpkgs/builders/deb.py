"""Builder of the stand-in's binary packages (run by Nix when the kit is made).

Unpacks Debian packages (or the kit's CPython build) into $out in nixpkgs' layout and
patches every ELF as nixpkgs' fixup does: the interpreter is the store's glibc loader
and the RUNPATH lists exactly the store directories that provide its NEEDED entries
($out/lib, then the derivation's deps, then glibc). A NEEDED entry no store path
provides stops the build, naming both. Needs the kit builder's python3, dpkg-deb and
patchelf (the derivation is impure on purpose: it only ever runs at kit build time).
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

ENV = os.environ
OUT = ENV["out"]
KIND = ENV.get("kind", "lib")
GLIBC = ENV.get("glibc", "")
DEPS = ENV.get("deps", "").split()
MULTIARCH = "usr/lib/x86_64-linux-gnu"
LIBDIRS = [MULTIARCH, "lib/x86_64-linux-gnu", MULTIARCH + "/openblas-pthread"]
BINDIRS = ["usr/bin", "bin", "usr/sbin", "sbin"]
# Debian's loader searches these compiled-in places; nixpkgs' glibc only its own lib.
# Same-length replacements: the first is a link to this glibc's lib (made by the kit
# image), the others do not exist.
LDSO_PATHS = {
    # The packed system directory list (it appears twice), replaced as a whole so that
    # no entry is a substring hit of another.
    b"/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0":
        b"/nix/var/nix/ld/glibc/\0/nix/var/nix/ld/none-usr-/\0/-no/\0/-nonono/\0",
    b"/etc/ld.so.cache\0": b"/nix/var/nix/-/c\0",
    b"/etc/ld.so.preload\0": b"/nix/var/nix/-/pre\0",
}


def die(msg):
    sys.exit("error: %s: %s" % (ENV.get("name", "?"), msg))


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode:
        die("%s failed: %s" % (" ".join(args), p.stderr.strip()))
    return p.stdout


def extract_debs(tmp):
    roots = []
    for i, deb in enumerate(ENV.get("debs", "").split()):
        r = os.path.join(tmp, str(i))
        os.makedirs(r)
        run("/usr/bin/dpkg-deb", "-x", deb, r)
        roots.append(r)
    return roots


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst):
        return
    if os.path.islink(src):
        t = os.readlink(src)
        if t.startswith("/"):
            # Absolute links into /usr/lib are re-pointed at the copy next to them.
            base = os.path.basename(t)
            if not os.path.lexists(os.path.join(os.path.dirname(dst), base)) and not os.path.lexists(os.path.join(os.path.dirname(src), base)):
                return
            t = base
        os.symlink(t, dst)
    elif os.path.isdir(src):
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copy2(src, dst)


def copy_libs(root, dst=None):
    dst = dst or os.path.join(OUT, "lib")
    for ld in LIBDIRS:
        d = os.path.join(root, ld)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if ".so" in f and (os.path.islink(p) or os.path.isfile(p)):
                copy(p, os.path.join(dst, f))


def copy_bins(root):
    for bd in BINDIRS:
        d = os.path.join(root, bd)
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                if f not in ENV.get("skip", "").split():
                    copy(os.path.join(d, f), os.path.join(OUT, "bin", f))


def is_elf(p):
    if os.path.islink(p) or not os.path.isfile(p):
        return False
    with open(p, "rb") as f:
        head = f.read(18)
    # Executables and shared objects only: object files (config/python.o) have no
    # interpreter or RUNPATH to set.
    return head[:4] == b"\x7fELF" and head[16] in (2, 3)


def sonames(d):
    try:
        return set(os.listdir(d))
    except FileNotFoundError:
        return set()


def patch_elfs(extra_needed=None):
    search = [os.path.join(OUT, "lib")] + [os.path.join(d, "lib") for d in DEPS]
    if GLIBC:
        search.append(os.path.join(GLIBC, "lib"))
    index = [(d, sonames(d)) for d in search]
    ldso = os.path.join(GLIBC or OUT, "lib", "ld-linux-x86-64.so.2")
    for dirpath, _, files in os.walk(OUT):
        for f in files:
            p = os.path.join(dirpath, f)
            if not is_elf(p):
                continue
            os.chmod(p, os.stat(p).st_mode | 0o200)
            if extra_needed and re.match(extra_needed[0], f):
                needed = run("/usr/bin/patchelf", "--print-needed", p).split()
                if extra_needed[1] not in needed:
                    # First, so the loader's error names it (as a Nix-built numpy links it).
                    run("/usr/bin/patchelf", "--add-needed", extra_needed[1], p)
            try:
                interp = run("/usr/bin/patchelf", "--print-interpreter", p).strip()
            except SystemExit:
                interp = ""
            # patchelf 0.18 corrupts cc1 (it segfaults) when the RUNPATH is set after the
            # interpreter; the other order works. The older kinds keep the order their
            # tested store paths were made with.
            late_interp = KIND in ("gcc", "binutils")
            if interp and KIND != "glibc" and not late_interp:
                run("/usr/bin/patchelf", "--set-interpreter", ldso, p)
            needed = run("/usr/bin/patchelf", "--print-needed", p).split()
            rpath, missing = [], []
            here = os.path.dirname(p)
            for n in needed:
                if n.startswith("ld-linux"):
                    continue
                if KIND == "glibc":
                    continue  # glibc's own libraries find each other on the loader's default path
                for d, names in index:
                    if n in names:
                        if d not in rpath:
                            rpath.append(d)
                        break
                else:
                    if n in sonames(here):
                        continue
                    missing.append(n)
            if missing:
                die("%s needs %s, which no input provides (add the Debian package to the derivation's deps)" % (p[len(OUT):], ", ".join(missing)))
            if KIND != "glibc":
                run("/usr/bin/patchelf", "--set-rpath", ":".join(rpath), p)
            if interp and late_interp:
                run("/usr/bin/patchelf", "--set-interpreter", ldso, p)


def remove_dangling(top):
    """Links into Debian's /usr (libgomp.so, libasan.so ...) whose targets are not here."""
    for dirpath, dirs, files in os.walk(top):
        for f in files + dirs:
            p = os.path.join(dirpath, f)
            if os.path.islink(p) and not os.path.exists(p):
                os.remove(p)


def libc_dev(roots_g):
    """nixpkgs' glibc.dev: the headers (Debian's multiarch include directory folded in, as
    nixpkgs' glibc has none) and the link-time files, whose .so links and linker scripts
    name the glibc output's libraries."""
    inc, lib, glib = os.path.join(OUT, "include"), os.path.join(OUT, "lib"), os.path.join(GLIBC, "lib")
    # Copied with links resolved: trixie's linux-libc-dev is one package for every
    # architecture, whose <triplet>/asm/*.h link into usr/lib/linux/uapi/<arch>/asm.
    for r in roots_g:
        if os.path.isdir(os.path.join(r, "usr/include")):
            shutil.copytree(os.path.join(r, "usr/include"), inc, dirs_exist_ok=True)
    for d in os.listdir(inc):
        if "-linux-gnu" in d and d != "x86_64-linux-gnu":
            shutil.rmtree(os.path.join(inc, d))
    ma = os.path.join(inc, "x86_64-linux-gnu")
    if os.path.isdir(ma):
        shutil.copytree(ma, inc, symlinks=True, dirs_exist_ok=True)
        shutil.rmtree(ma)
    if not os.path.exists(os.path.join(inc, "asm/errno.h")):
        die("no asm/errno.h among the headers: the kernel's x86 headers are missing")
    os.makedirs(lib, exist_ok=True)
    for r in roots_g:
        d = os.path.join(r, MULTIARCH)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            p = os.path.join(d, f)
            if os.path.islink(p):
                t = os.path.basename(os.readlink(p))
                if not os.path.exists(os.path.join(glib, t)):
                    die("%s links to %s, which glibc does not carry" % (f, t))
                os.symlink(os.path.join(glib, t), os.path.join(lib, f))
            elif os.path.isfile(p):
                shutil.copy2(p, os.path.join(lib, f))

    def store_path(m):
        base = os.path.basename(m.group(0))
        for d in (lib, glib):
            if os.path.exists(os.path.join(d, base)) and not (d == lib and os.path.islink(os.path.join(d, base))):
                return os.path.join(d, base)
        die("a linker script names %s, which neither glibc nor its dev output carries" % m.group(0))
    for f in sorted(os.listdir(lib)):
        p = os.path.join(lib, f)
        if f.endswith(".so") and not os.path.islink(p):
            with open(p, "rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    continue
            t = open(p).read()
            open(p, "w").write(re.sub(r"(?<![\w.-])/[\w./+-]+", store_path, t))


def patch_ldso():
    p = os.path.join(OUT, "lib", "ld-linux-x86-64.so.2")
    p = os.path.realpath(p)
    data = open(p, "rb").read()
    for old, new in LDSO_PATHS.items():
        assert len(old) == len(new), (old, new)
        if old not in data:
            die("ld.so has no %r to replace" % old)
        data = data.replace(old, new)
    os.chmod(p, 0o755)
    open(p, "wb").write(data)


def shebang(p, python):
    with open(p, "rb") as f:
        head = f.readline()
    if not head.startswith(b"#!") or b"python" not in head:
        return
    rest = open(p, "rb").read()[len(head):]
    open(p, "wb").write(b"#!" + python.encode() + b"\n" + rest)


def python_program(p, python, sitepaths):
    """A script of a Python package, shaped like nixpkgs' wrapPythonPrograms output."""
    src = open(p).read().split("\n", 1)[1]
    inject = ("import sys;import site;import functools;sys.argv[0] = %r;"
              "functools.reduce(lambda k, p: site.addsitedir(p, k), %r, site._init_pathinfo());\n"
              % (os.path.basename(p), sitepaths))
    lines = src.split("\n")
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        i += 1
    open(p, "w").write("#!%s\n" % python + "\n".join(lines[:i] + [inject.rstrip()] + lines[i:]))
    os.chmod(p, 0o755)


def pg_config(debian, lib):
    """nixpkgs' postgresql dev output has pg_config as a script answering from the store
    (pg_config.sh); Debian's binary answers with /usr paths compiled in. Its answers,
    re-pointed at the store, make this one."""
    bash = DEPS[1]
    out = subprocess.run([debian], capture_output=True, text=True, check=True).stdout
    vals = []
    for line in out.splitlines():
        k, _, v = line.partition(" = ")
        v = v.replace("/usr/lib/x86_64-linux-gnu", lib).replace("/usr/include", OUT + "/include").replace("/usr/bin", OUT + "/bin")
        vals.append((k, v))
    q = lambda s: "'" + s.replace("'", "'\\''") + "'"
    script = ["#!%s/bin/bash" % bash, "# pg_config: Debian's answers, re-pointed at the store.", "all() {"]
    script += ["  echo %s" % q("%s = %s" % kv) for kv in vals] + ["}", "[ $# = 0 ] && { all; exit 0; }", "for a; do", "  case $a in"]
    script += ["    --%s) echo %s ;;" % (k.lower(), q(v)) for k, v in vals]
    script += ["    *) echo \"pg_config: invalid argument: $a\" >&2; echo \"Try \\\"pg_config --help\\\" for more information.\" >&2; exit 1 ;;", "  esac", "done", ""]
    p = os.path.join(OUT, "bin/pg_config")
    os.remove(p)
    open(p, "w").write("\n".join(script))
    os.chmod(p, 0o755)


def pyc_mtime_one(root):
    """Nix gives every store file mtime 1, so a timestamp .pyc compiled before is stale
    and the interpreter would rewrite it inside the store at run time (nixpkgs' pythons
    carry valid bytecode and never do). Their recorded source mtime becomes 1."""
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".pyc"):
                p = os.path.join(dirpath, f)
                with open(p, "r+b") as fh:
                    head = bytearray(fh.read(16))
                    if len(head) == 16 and int.from_bytes(head[4:8], "little") == 0:
                        head[8:12] = (1).to_bytes(4, "little")
                        fh.seek(0)
                        fh.write(head)


def compile_bytecode(python, paths, check=True):
    """Bytecode that stays valid whatever the mtime, as nixpkgs compiles its packages.
    (The stdlib has test data that does not compile on purpose: check=False there.)"""
    if paths:
        subprocess.run([python, "-m", "compileall", "-q", "-j0", "--invalidation-mode", "unchecked-hash"] + paths,
                       check=check, env={"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""}, stdout=subprocess.DEVNULL)


def main():
    tmp = os.path.join(ENV.get("TMPDIR", "/tmp"), "deb")
    roots = extract_debs(tmp)
    os.makedirs(OUT)
    extra = None
    if KIND == "glibc":
        copy_libs(roots[0])
        # nixpkgs' glibc: libgcc_s.so.1 beside libc, which dlopens it for pthread_exit.
        shutil.copy2(os.path.join(roots[1], MULTIARCH, "libgcc_s.so.1"), os.path.join(OUT, "lib", "libgcc_s.so.1"))
        ld = os.path.join(roots[0], "usr/lib64/ld-linux-x86-64.so.2")
        if not os.path.lexists(os.path.join(OUT, "lib", "ld-linux-x86-64.so.2")):
            copy(os.path.realpath(ld), os.path.join(OUT, "lib", "ld-linux-x86-64.so.2"))
        patch_ldso()
    elif KIND == "glibc-bin":
        bash = DEPS[0]
        os.makedirs(os.path.join(OUT, "bin"))
        ldd = open(os.path.join(roots[0], "usr/bin/ldd")).read()
        ldd = re.sub(r"^#! ?/bin/bash", "#!" + bash + "/bin/bash", ldd, count=1)
        ldd = re.sub(r"^RTLDLIST=.*$", "RTLDLIST=" + GLIBC + "/lib/ld-linux-x86-64.so.2", ldd, flags=re.M)
        open(os.path.join(OUT, "bin/ldd"), "w").write(ldd)
        os.chmod(os.path.join(OUT, "bin/ldd"), 0o755)
        for b in ("getconf", "iconv", "locale"):
            for bd in BINDIRS:
                if os.path.exists(os.path.join(roots[0], bd, b)):
                    copy(os.path.join(roots[0], bd, b), os.path.join(OUT, "bin", b))
                    break
    elif KIND == "lib":
        for r in roots:
            copy_libs(r)
    elif KIND == "bin":
        for r in roots:
            copy_bins(r)
            copy_libs(r)
        if os.path.exists(os.path.join(OUT, "bin/bash")) and not os.path.lexists(os.path.join(OUT, "bin/sh")):
            os.symlink("bash", os.path.join(OUT, "bin/sh"))
    elif KIND == "gcc":
        # The driver finds cc1, collect2, the LTO plugin, its runtime objects and its own
        # headers relative to where it runs (bin/ -> ../libexec/gcc, ../lib/gcc), so
        # Debian's tree relocates as it is.
        for r in roots:
            for sub in ("libexec/gcc", "lib/gcc"):
                if os.path.isdir(os.path.join(r, "usr", sub)):
                    shutil.copytree(os.path.join(r, "usr", sub), os.path.join(OUT, sub), symlinks=True, dirs_exist_ok=True)
            for prog, name in (("x86_64-linux-gnu-gcc-14", "gcc"), ("x86_64-linux-gnu-cpp-14", "cpp")):
                if os.path.exists(os.path.join(r, "usr/bin", prog)):
                    copy(os.path.join(r, "usr/bin", prog), os.path.join(OUT, "bin", name))
        os.symlink("gcc", os.path.join(OUT, "bin/cc"))
        remove_dangling(OUT)
    elif KIND == "binutils":
        # Debian names the programs by target (x86_64-linux-gnu-ld), nixpkgs by tool (ld).
        pre = "x86_64-linux-gnu-"
        for r in roots:
            copy_libs(r)
            d = os.path.join(r, "usr/bin")
            for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                if not f.startswith(pre):
                    continue
                dst = os.path.join(OUT, "bin", f[len(pre):])
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                if os.path.islink(os.path.join(d, f)):
                    os.symlink(os.readlink(os.path.join(d, f)).replace(pre, ""), dst)
                else:
                    shutil.copy2(os.path.join(d, f), dst)
        remove_dangling(OUT)
    elif KIND == "libc-dev":
        libc_dev(roots)
    elif KIND == "cacert":
        certs = os.path.join(roots[0], "usr/share/ca-certificates")
        bundle = []
        for dirpath, _, files in sorted(os.walk(certs)):
            bundle += [open(os.path.join(dirpath, f)).read() for f in sorted(files) if f.endswith(".crt")]
        os.makedirs(os.path.join(OUT, "etc/ssl/certs"))
        open(os.path.join(OUT, "etc/ssl/certs/ca-bundle.crt"), "w").write("".join(bundle))
    elif KIND == "dev":
        r = roots[0]
        copy(os.path.join(r, "usr/include"), os.path.join(OUT, "include"))
        copy_bins(r)
        lib = os.path.join(DEPS[0], "lib")
        os.makedirs(os.path.join(OUT, "lib/pkgconfig"))
        for f in os.listdir(os.path.join(r, MULTIARCH)):
            p = os.path.join(r, MULTIARCH, f)
            if f.endswith(".so") and os.path.islink(p):
                os.symlink(os.path.join(lib, os.path.basename(os.readlink(p))), os.path.join(OUT, "lib", f))
        pgc = os.path.join(r, "usr/bin/pg_config")
        if os.path.exists(pgc):
            pg_config(pgc, lib)
        pc = os.path.join(r, MULTIARCH, "pkgconfig")
        for f in os.listdir(pc) if os.path.isdir(pc) else []:
            t = open(os.path.join(pc, f)).read()
            t = t.replace("libdir=${prefix}/lib/x86_64-linux-gnu", "libdir=" + lib).replace("prefix=/usr", "prefix=" + OUT)
            open(os.path.join(OUT, "lib/pkgconfig", f), "w").write(t)
    elif KIND == "python":
        ver = ENV["pyver"]
        with tarfile.open(ENV["cpython"]) as t:
            t.extractall(OUT, filter="fully_trusted")
        stdlib = os.path.join(OUT, "lib/python" + ver)
        # Text files that name the build prefix (sysconfig data, python-config, the
        # Makefile) name the store path instead.
        rewritten = []
        for dirpath, _, files in os.walk(OUT):
            for f in files:
                p = os.path.join(dirpath, f)
                if os.path.islink(p) or is_elf(p) or f.endswith(".pyc"):
                    continue
                b = open(p, "rb").read()
                if b"/opt/bootmatrix/python" in b:
                    open(p, "wb").write(b.replace(b"/opt/bootmatrix/python", OUT.encode()))
                    if f.endswith(".py"):
                        rewritten.append(p)
        os.symlink("python3", os.path.join(OUT, "bin/python"))
        shutil.copy(ENV["externallyManaged"], os.path.join(stdlib, "EXTERNALLY-MANAGED"))
        os.makedirs(os.path.join(stdlib, "site-packages"), exist_ok=True)
        shutil.copy(ENV["sitecustomize"], os.path.join(stdlib, "site-packages/sitecustomize.py"))
        rewritten.append(os.path.join(stdlib, "site-packages/sitecustomize.py"))
        for f in os.listdir(os.path.join(OUT, "bin")):
            if not is_elf(os.path.join(OUT, "bin", f)) and not os.path.islink(os.path.join(OUT, "bin", f)):
                shebang(os.path.join(OUT, "bin", f), os.path.join(OUT, "bin/python" + ver))
    elif KIND in ("pypkg", "pip"):
        ver, python = ENV["pyver"], ENV["python"]
        site = os.path.join(OUT, "lib/python%s/site-packages" % ver)
        r = roots[0]
        if KIND == "pip":
            whl = [f for f in os.listdir(os.path.join(r, "usr/share/python-wheels")) if f.startswith("pip-")][0]
            with zipfile.ZipFile(os.path.join(r, "usr/share/python-wheels", whl)) as z:
                z.extractall(site)
        else:
            copy(os.path.join(r, "usr/lib/python3/dist-packages"), site)
            # Modules built for another interpreter version are not this package's.
            tag = "cpython-%s-" % ver.replace(".", "")
            for dirpath, dirs, files in os.walk(site):
                for f in files:
                    if ".cpython-" in f and tag not in f:
                        os.remove(os.path.join(dirpath, f))
                for d in list(dirs):
                    p = os.path.join(dirpath, d)
                    if os.path.islink(p) and not os.path.exists(p):
                        os.remove(p)
                        dirs.remove(d)
            for f in os.listdir(site):
                if os.path.islink(os.path.join(site, f)) and not os.path.exists(os.path.join(site, f)):
                    os.remove(os.path.join(site, f))
            copy_bins(r)
        # Console scripts (name=module:function), as pip would write them from the
        # package's entry points; Debian ships some of them in other packages.
        for spec in ENV.get("scripts", "").split():
            name, _, target = spec.partition("=")
            mod, _, fn = target.partition(":")
            os.makedirs(os.path.join(OUT, "bin"), exist_ok=True)
            p = os.path.join(OUT, "bin", name)
            open(p, "w").write("#!%s/bin/python%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom %s import %s\n"
                               "if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(%s())\n"
                               % (python, ver, mod, fn, fn))
        paths = [site] + [os.path.join(d, "lib/python%s/site-packages" % ver) for d in ENV.get("propagatedPaths", "").split()]
        for f in os.listdir(os.path.join(OUT, "bin")) if os.path.isdir(os.path.join(OUT, "bin")) else []:
            p = os.path.join(OUT, "bin", f)
            if not os.path.islink(p) and not is_elf(p) and open(p, "rb").read(2) == b"#!":
                python_program(p, python + "/bin/python" + ver, paths)
        if ENV.get("addNeeded"):
            extra = (r"_multiarray_umath\.", ENV["addNeeded"])
    else:
        die("unknown kind " + KIND)
    patch_elfs(extra)
    if KIND == "python":
        # Valid bytecode for every module: the install's (recorded mtime 1, as every store
        # file will have) where its source is unchanged, compiled here where it is new
        # or rewritten (some packages, as re/ in 3.11, the install left without).
        for p in rewritten:
            cache = os.path.join(os.path.dirname(p), "__pycache__")
            stem = os.path.basename(p)[:-3] + "."
            for f in os.listdir(cache) if os.path.isdir(cache) else []:
                if f.startswith(stem):
                    os.remove(os.path.join(cache, f))
        pyc_mtime_one(OUT)
        for dirpath, _, files in os.walk(OUT):
            for f in files:
                if f.endswith(".py"):
                    os.utime(os.path.join(dirpath, f), (1, 1))
        compile_bytecode(os.path.join(OUT, "bin/python" + ENV["pyver"]), [os.path.join(OUT, "lib/python" + ENV["pyver"])], check=False)
    elif KIND in ("pypkg", "pip"):
        compile_bytecode(os.path.join(ENV["python"], "bin/python" + ENV["pyver"]), [os.path.join(OUT, "lib")])


main()
