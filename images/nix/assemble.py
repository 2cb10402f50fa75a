"""Assembles the Nix stand-in's root file system from Debian packages.

Run inside the kit builder (python3 + patchelf + dpkg-deb):
    assemble.py DEBS_DIR TRIXIE_SET BOOKWORM_SET NIXDIR OUT
Every file lands under /nix/store/<32-char hash>-<name>-<version>/; every ELF's
interpreter and RUNPATH point into the store, computed by resolving each NEEDED entry
against the store paths the package may use (itself, its declared inputs, then library
paths of its own Debian suite, then glibc). There are no FHS library directories and no
ld.so.cache, so nothing is found outside RUNPATH and LD_LIBRARY_PATH.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys

NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"
MULTIARCH = "usr/lib/x86_64-linux-gnu"
# Library directories of a package whose files become the store path's lib/.
LIBSRC = [MULTIARCH, "lib/x86_64-linux-gnu", MULTIARCH + "/openblas-pthread"]
# Store names Nix uses where Debian's source package name differs.
NAME = {"libstdc++6": "gcc-{v}-lib", "libgcc-s1": "gcc-{v}-lib", "libgfortran5": "gfortran-{v}-lib",
        "libquadmath0": "gfortran-{v}-lib", "libc6": "glibc-{v}", "libopenblas0-pthread": "openblas-{v}",
        "zlib1g": "zlib-{v}", "libssl3": "openssl-{v}", "libssl3t64": "openssl-{v}",
        "libsqlite3-0": "sqlite-{v}", "libncursesw6": "ncurses-{v}", "libtinfo6": "ncurses-{v}",
        "libreadline8": "readline-{v}", "libreadline8t64": "readline-{v}", "libbz2-1.0": "bzip2-{v}",
        "liblzma5": "xz-{v}", "libexpat1": "expat-{v}", "libffi8": "libffi-{v}",
        "libuuid1": "libuuid-{v}", "libmpdec3": "mpdecimal-{v}", "libmpdec4": "mpdecimal-{v}",
        "libdb5.3": "db-{v}", "libdb5.3t64": "db-{v}", "libcrypt1": "libxcrypt-{v}"}


def die(msg):
    sys.exit("error: images: nix assemble: " + msg)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def upstream(version):
    v = version.split(":", 1)[-1].rsplit("-", 1)[0]
    v = v.split("really")[-1]  # 1.3.dfsg+really1.3.1 is 1.3.1
    return re.sub(r"[+.~](ds|dfsg)\d*$", "", v)


class Deb:
    def __init__(self, path, tmp):
        self.path = path
        f = run("dpkg-deb", "-f", path, "Package", "Version", "Source")
        fields = dict(l.split(": ", 1) for l in f.splitlines() if ": " in l)
        self.pkg, self.version = fields["Package"], fields["Version"]
        self.up = upstream(self.version)
        self.root = os.path.join(tmp, os.path.basename(path))
        os.makedirs(self.root)
        run("dpkg-deb", "-x", path, self.root)

    def p(self, rel):
        return os.path.join(self.root, rel)


def store_hash(key):
    h = hashlib.sha256(("bootmatrix-kit:" + key).encode()).digest()[:20]
    n = int.from_bytes(h, "big")
    return "".join(NIX32[(n >> (5 * i)) & 31] for i in range(32))


class Store:
    def __init__(self, out):
        self.out = out
        self.paths = {}  # name -> abs path inside out (without out prefix => store path)
        self.libs = {}   # name -> {soname: path}
        self.inputs = {}  # name -> [names] searched after itself
        self.suite = {}

    def new(self, name, key, suite, inputs=()):
        if name in self.paths:
            return self.paths[name]
        sp = "/nix/store/%s-%s" % (store_hash(name + key), name)
        self.paths[name] = sp
        self.inputs[name] = list(inputs)
        self.suite[name] = suite
        os.makedirs(self.host(sp))
        return sp

    def host(self, sp):
        return self.out + sp


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(src):
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(os.readlink(src), dst)
    elif os.path.isdir(src):
        shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def is_elf(p):
    if os.path.islink(p) or not os.path.isfile(p):
        return False
    with open(p, "rb") as f:
        return f.read(4) == b"\x7fELF"


def main():
    debs_dir, trixie_set, bookworm_set, nixdir, out = sys.argv[1:6]
    tmp = "/tmp/assemble"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    debs = {}
    for suite, setfile in (("trixie", trixie_set), ("bookworm", bookworm_set)):
        debs[suite] = {}
        for line in open(setfile):
            d = Deb(os.path.join(debs_dir, suite, line.strip()), os.path.join(tmp, suite))
            debs[suite][d.pkg] = d

    def deb(suite, pkg):
        if pkg not in debs[suite]:
            die("package %s is not in the %s set: add it to NIX_PKGS_%s in images/stages/nix.sh" % (pkg, suite, suite.upper()))
        return debs[suite][pkg]

    st = Store(out)
    key = lambda *ds: ":".join(d.path.rsplit("/", 1)[-1] for d in ds)

    # 1. Library store paths: every package that ships shared libraries.
    libpaths = {"trixie": [], "bookworm": []}
    for suite in ("trixie", "bookworm"):
        for pkg, d in sorted(debs[suite].items()):
            files = []
            for ld in LIBSRC:
                if os.path.isdir(d.p(ld)):
                    files += [os.path.join(d.p(ld), f) for f in os.listdir(d.p(ld))
                              if ".so" in f and not os.path.isdir(os.path.join(d.p(ld), f))]
            if not files or pkg in ("python3-numpy",) or pkg.startswith("libpython"):
                continue
            name = NAME.get(pkg, re.sub(r"(t64)?$", "", pkg) + "-{v}").format(v=d.up)
            if st.suite.get(name, suite) != suite:
                # Same name and version in both suites: one store path, as in Nix.
                if name not in libpaths[suite]:
                    libpaths[suite].append(name)
                continue
            sp = st.new(name, suite + key(d), suite)
            for f in files:
                copy(f, st.host(sp) + "/lib/" + os.path.basename(f))
            if name not in libpaths[suite]:
                libpaths[suite].append(name)
            st.libs.setdefault(name, {})
    glibc = next(n for n in libpaths["trixie"] if n.startswith("glibc-"))
    gcclib = next(n for n in libpaths["trixie"] if n.startswith("gcc-") and n.endswith("-lib"))
    gccver = gcclib.split("-")[1]
    openblas = next(n for n in libpaths["trixie"] if n.startswith("openblas-"))
    ld_so = st.paths[glibc] + "/lib/ld-linux-x86-64.so.2"
    if not os.path.exists(st.host(ld_so)):
        die("glibc store path has no ld-linux-x86-64.so.2")
    # nixpkgs' glibc carries a copy of libgcc_s.so.1 (common.nix, preInstall) that its
    # own dlopen finds, so pthread_exit and pthread_cancel can unwind: CPython calls
    # pthread_exit when a daemon thread outlives finalization, and without the copy
    # pip aborts at random with "libgcc_s.so.1 must be installed for pthread_exit to
    # work". Nix finds it through ld.so's default path (glibc's lib); this loader's
    # default path is Debian's, absent here, so libc's own RUNPATH points there. No
    # other object's search changes: a RUNPATH serves only its own object's lookups.
    glibc_lib = st.host(st.paths[glibc]) + "/lib"
    shutil.copy2(st.host(st.paths[gcclib]) + "/lib/libgcc_s.so.1", glibc_lib + "/libgcc_s.so.1")
    run("patchelf", "--set-rpath", st.paths[glibc] + "/lib", glibc_lib + "/libc.so.6")
    st.libs[glibc] = set()  # re-indexed on first use

    # 2. Programs.
    bash = deb("trixie", "bash")
    sp = st.new("bash-" + bash.up, key(bash), "trixie")
    copy(bash.p("usr/bin/bash") if os.path.exists(bash.p("usr/bin/bash")) else bash.p("bin/bash"), st.host(sp) + "/bin/bash")
    os.symlink("bash", st.host(sp) + "/bin/sh")
    bash_sp = sp
    cu = deb("trixie", "coreutils")
    sp = st.new("coreutils-" + cu.up, key(cu), "trixie")
    for d in ("usr/bin", "bin"):
        if os.path.isdir(cu.p(d)):
            for f in os.listdir(cu.p(d)):
                copy(cu.p(d + "/" + f), st.host(sp) + "/bin/" + f)
    cu_sp = sp
    lb = deb("trixie", "libc-bin")
    sp = st.new(glibc + "-bin", key(lb), "trixie", [glibc])
    ldd = open(lb.p("usr/bin/ldd")).read()
    ldd = re.sub(r"^#! ?/bin/bash", "#!" + bash_sp + "/bin/bash", ldd, count=1)
    ldd = re.sub(r"^RTLDLIST=.*$", "RTLDLIST=" + ld_so, ldd, flags=re.M)
    os.makedirs(st.host(sp) + "/bin")
    with open(st.host(sp) + "/bin/ldd", "w") as f:
        f.write(ldd)
    os.chmod(st.host(sp) + "/bin/ldd", 0o755)
    glibc_bin = sp
    gcc = deb("trixie", "gcc-14-x86-64-linux-gnu")
    sp = st.new("gcc-" + gccver, key(gcc), "trixie", [gcclib])
    drv = gcc.p("usr/bin/x86_64-linux-gnu-gcc-14")
    copy(drv, st.host(sp) + "/bin/gcc")
    os.symlink("gcc", st.host(sp) + "/bin/cc")
    gcc_unwrapped = sp
    sp = st.new("gcc-wrapper-" + gccver, key(gcc), "trixie", [])
    os.makedirs(st.host(sp) + "/bin")
    for b in ("gcc", "cc"):
        os.symlink(gcc_unwrapped + "/bin/gcc", st.host(sp) + "/bin/" + b)
    gcc_wrapper = sp

    # 3. Pythons.
    pythons = {}
    for suite, ver in (("trixie", "3.13"), ("bookworm", "3.11")):
        mins = deb(suite, "python%s-minimal" % ver)
        parts = [deb(suite, p) for p in ("libpython%s-minimal" % ver, "libpython%s-stdlib" % ver,
                                         "python%s-minimal" % ver, "python%s-venv" % ver,
                                         "python3-pip-whl", "python3-setuptools-whl")]
        name = "python3-" + mins.up
        sp = st.new(name, key(*parts), suite, [n for n in libpaths[suite]] + [glibc])
        h = st.host(sp)
        copy(mins.p("usr/bin/python" + ver), h + "/bin/python" + ver)
        for alias in ("python3", "python"):
            os.symlink("python" + ver, h + "/bin/" + alias)
        for d in parts:
            if os.path.isdir(d.p("usr/lib/python" + ver)):
                copy(d.p("usr/lib/python" + ver), h + "/lib/python" + ver)
            if os.path.isdir(d.p("usr/share/python-wheels")):
                copy(d.p("usr/share/python-wheels"), h + "/share/python-wheels")
        lib = h + "/lib/python" + ver
        os.remove(lib + "/sitecustomize.py") if os.path.lexists(lib + "/sitecustomize.py") else None
        shutil.copy(nixdir + "/sitecustomize.py", lib + "/sitecustomize.py")
        shutil.copy(nixdir + "/EXTERNALLY-MANAGED", lib + "/EXTERNALLY-MANAGED")
        # ensurepip finds its wheels through sysconfig's WHEEL_PKG_DIR: point it into the store.
        n = 0
        for f in os.listdir(lib):
            if f.startswith("_sysconfigdata_") and f.endswith(".py"):
                s = open(lib + "/" + f).read()
                s, k = re.subn(r"'WHEEL_PKG_DIR': '[^']*'", "'WHEEL_PKG_DIR': %r" % (sp + "/share/python-wheels"), s)
                n += k
                open(lib + "/" + f, "w").write(s)
        if n == 0:
            die("python %s: WHEEL_PKG_DIR not found in sysconfigdata" % ver)
        # Installs outside a venv go where nixpkgs' python puts them (posix_prefix:
        # <store>/lib/pythonX.Y/site-packages and <store>/bin), not Debian's /usr/local.
        scfg = lib + ("/sysconfig/__init__.py" if os.path.isdir(lib + "/sysconfig") else "/sysconfig.py")
        s = open(scfg).read()
        if "            prefix_scheme = 'posix_local'" not in s:
            die("python %s: Debian's posix_local default not found in %s" % (ver, scfg))
        open(scfg, "w").write(s.replace("            prefix_scheme = 'posix_local'", "            prefix_scheme = 'posix_prefix'"))
        # pip, from the wheel Debian ships for ensurepip, in site-packages as in nixpkgs.
        pipwhl = [w for w in os.listdir(h + "/share/python-wheels") if w.startswith("pip-")]
        if not pipwhl:
            die("python %s: no pip wheel in python3-pip-whl" % ver)
        dist = lib + "/site-packages"
        os.makedirs(dist)
        run("python3", "-m", "zipfile", "-e", h + "/share/python-wheels/" + pipwhl[0], dist)
        for s in ("pip", "pip3", "pip" + ver):
            with open(h + "/bin/" + s, "w") as f:
                f.write("#!%s/bin/python%s\nimport sys\nfrom pip._internal.cli.main import main\n"
                        "sys.exit(main())\n" % (sp, ver))
            os.chmod(h + "/bin/" + s, 0o755)
        # Lean: no test suites, no idle/tk.
        for junk in ("test", "idlelib", "tkinter", "turtledemo"):
            shutil.rmtree(lib + "/" + junk, ignore_errors=True)
        pythons[ver] = (sp, suite)

        # numpy, built by "Nix": its RUNPATH reaches openblas and gcc's lib in the store.
        np_deb = deb(suite, "python3-numpy")
        nsp = st.new("python%s-numpy-%s" % (ver, np_deb.up), key(np_deb), suite, [openblas, gcclib, glibc])
        site = st.host(nsp) + "/lib/python%s/site-packages" % ver
        src = np_deb.p("usr/lib/python3/dist-packages")
        for e in os.listdir(src):
            if e == "numpy" or e.startswith("numpy-"):
                shutil.copytree(src + "/" + e, site + "/" + e, symlinks=True)
        for root, dirs, files in os.walk(site):
            for e in dirs + files:
                p = os.path.join(root, e)
                if os.path.islink(p) and not os.path.exists(p):
                    os.remove(p)  # headers/static libs left in python3-numpy-dev
        os.makedirs(st.host(nsp) + "/etc/profile.d")
        with open(st.host(nsp) + "/etc/profile.d/python%s-numpy.sh" % ver, "w") as f:
            f.write('# nixpkgs python finds Nix-built packages through NIX_PYTHONPATH (see sitecustomize.py)\n'
                    'export NIX_PYTHONPATH="%s/lib/python%s/site-packages${NIX_PYTHONPATH:+:$NIX_PYTHONPATH}"\n' % (nsp, ver))
        pythons[ver + "-numpy"] = nsp

    # CA bundle: Debian's pip looks for /etc/ssl/certs/ca-certificates.crt (Nix's cacert
    # provides the same file as etc/ssl/certs/ca-bundle.crt).
    cad = deb("trixie", "ca-certificates")
    ca_sp = st.new("nss-cacert-" + cad.up, key(cad), "trixie")
    os.makedirs(st.host(ca_sp) + "/etc/ssl/certs")
    with open(st.host(ca_sp) + "/etc/ssl/certs/ca-bundle.crt", "w") as out_f:
        moz = cad.p("usr/share/ca-certificates/mozilla")
        for c in sorted(os.listdir(moz)):
            out_f.write(open(os.path.join(moz, c)).read())

    # 4. The stand-in's nix tools and the catalogue.
    nix_sp = st.new("nix-standin-1.0", "v1", "trixie")
    cat = {
        "bash": bash_sp, "coreutils": cu_sp, "glibc": st.paths[glibc], "glibc.bin": glibc_bin,
        "stdenv.cc.cc.lib": st.paths[gcclib], "gcc-unwrapped": gcc_unwrapped, "gcc-unwrapped.lib": st.paths[gcclib],
        "gcc": gcc_wrapper, "zlib": st.paths[next(n for n in libpaths["trixie"] if n.startswith("zlib-"))],
        "openblas": st.paths[openblas], "python3": pythons["3.13"][0], "python313": pythons["3.13"][0],
        "python311": pythons["3.11"][0], "python313Packages.numpy": pythons["3.13-numpy"],
        "python311Packages.numpy": pythons["3.11-numpy"], "python3Packages.numpy": pythons["3.13-numpy"],
        "nix": nix_sp, "cacert": ca_sp,
    }
    catfile = nix_sp + "/share/nixpkgs-catalogue"
    os.makedirs(st.host(nix_sp) + "/share")
    with open(st.host(catfile), "w") as f:
        for k in sorted(cat):
            f.write("%s\t%s\n" % (k, cat[k]))
    os.makedirs(st.host(nix_sp) + "/bin")
    for tool in ("nix-env", "nix-build"):
        s = open(nixdir + "/" + tool).read()
        s = s.replace("@bash@", bash_sp).replace("@coreutils@", cu_sp).replace("@catalogue@", catfile)
        with open(st.host(nix_sp) + "/bin/" + tool, "w") as f:
            f.write(s)
        os.chmod(st.host(nix_sp) + "/bin/" + tool, 0o755)
    os.makedirs(st.host(nix_sp) + "/etc/profile.d")
    shutil.copy(nixdir + "/nix.sh", st.host(nix_sp) + "/etc/profile.d/nix.sh")

    # 5. Patch every ELF: interpreter and RUNPATH into the store.
    def soindex(name):
        if not st.libs.get(name):
            d = st.host(st.paths[name]) + "/lib"
            st.libs[name] = set(os.listdir(d)) if os.path.isdir(d) else set()
        return st.libs[name]

    for name, sp in st.paths.items():
        if name == glibc:
            continue  # glibc's own objects find each other as Nix's glibc does
        order = [name] + st.inputs[name] + libpaths[st.suite[name]] + [glibc, gcclib]
        for root, _, files in os.walk(st.host(sp)):
            for fn in files:
                p = os.path.join(root, fn)
                if not is_elf(p):
                    continue
                needed = run("patchelf", "--print-needed", p).split()
                if fn.startswith("_multiarray_umath.") and "/site-packages/" in p and "libstdc++.so.6" not in needed:
                    # Debian's 1.24.2 build dropped this NEEDED entry; nixpkgs' numpy has it.
                    run("patchelf", "--add-needed", "libstdc++.so.6", p)
                    needed = ["libstdc++.so.6"] + needed
                rpath = []
                for n in needed:
                    if n == "ld-linux-x86-64.so.2":
                        continue
                    where = next((o for o in order if n in soindex(o)), None)
                    if where is None:
                        die("%s needs %s, which no store path provides: add its Debian package to the %s set"
                            % (p[len(out):], n, st.suite[name]))
                    d = st.paths[where] + "/lib"
                    if d not in rpath:
                        rpath.append(d)
                # Two runs, RUNPATH first: patchelf 0.18 doing both at once (or the
                # interpreter first) leaves python's binary crashing in the loader.
                run("patchelf", "--set-rpath", ":".join(rpath), p)
                try:
                    run("patchelf", "--print-interpreter", p)
                except subprocess.CalledProcessError:
                    continue
                run("patchelf", "--set-interpreter", ld_so, p)

    # 6. The rest of the root: profile dirs, /bin/sh, /usr/bin/env, users, login profile.
    for d in ("nix/var/nix/profiles", "root", "tmp", "etc/profile.d", "bin", "usr/bin", "var/tmp"):
        os.makedirs(out + "/" + d, exist_ok=True)
    os.chmod(out + "/tmp", 0o1777)
    os.chmod(out + "/var/tmp", 0o1777)
    os.symlink(bash_sp + "/bin/sh", out + "/bin/sh")
    os.symlink(cu_sp + "/bin/env", out + "/usr/bin/env")
    os.symlink("/nix/var/nix/profiles/default", out + "/root/.nix-profile")
    os.makedirs(out + "/etc/ssl/certs")
    os.symlink(ca_sp + "/etc/ssl/certs/ca-bundle.crt", out + "/etc/ssl/certs/ca-certificates.crt")
    shutil.copy(nixdir + "/profile", out + "/root/.profile")
    with open(out + "/etc/passwd", "w") as f:
        f.write("root:x:0:0:root:/root:%s/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n" % bash_sp)
    with open(out + "/etc/group", "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    with open(out + "/etc/nsswitch.conf", "w") as f:
        f.write("passwd: files\ngroup: files\nhosts: files dns\n")
    print(bash_sp)
    print(nix_sp)


if __name__ == "__main__":
    main()
