"""Downloads the upstream tarball of a Debian source package (its .orig.tar.*).

Run inside a kit container that reaches the mirror:
    fetch-source.py MIRROR SUITE SOURCE OUTDIR
Reads the suite's main/source/Sources.xz, finds SOURCE's stanza, downloads the
.orig.tar.xz it lists from the pool into OUTDIR (checked against its sha256) and
prints the file name. The Sources index names exactly one version per package in a
stable suite; the file name carries it.
"""
import hashlib
import lzma
import os
import re
import sys
import urllib.request


def die(msg):
    sys.exit("error: images: " + msg)


def main():
    mirror, suite, source, outdir = sys.argv[1:5]
    url = "%s/dists/%s/main/source/Sources.xz" % (mirror, suite)
    try:
        index = lzma.decompress(urllib.request.urlopen(url, timeout=60).read()).decode()
    except Exception as e:  # noqa: BLE001 - any failure here is the mirror's
        die("reading %s failed: %s (is the Debian mirror reachable? set DEBIAN_MIRROR to override)" % (url, e))
    for stanza in index.split("\n\n"):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith(" ") and key:
                fields[key].append(line.strip())
            elif ":" in line:
                key, _, val = line.partition(":")
                fields[key] = [val.strip()] if val.strip() else []
        if fields.get("Package") != [source]:
            continue
        for entry in fields.get("Checksums-Sha256", []):
            sha, _, name = entry.split()
            if re.search(r"\.orig\.tar\.(xz|gz|bz2)$", name):
                break
        else:
            die("Debian %s's source package %s lists no .orig.tar.* upstream tarball" % (suite, source))
        dst = os.path.join(outdir, name)
        if not os.path.exists(dst):
            src = "%s/%s/%s" % (mirror, fields["Directory"][0], name)
            data = urllib.request.urlopen(src, timeout=300).read()
            if hashlib.sha256(data).hexdigest() != sha:
                die("%s from %s does not match the sha256 Sources.xz lists" % (name, src))
            with open(dst + ".part", "wb") as f:
                f.write(data)
            os.rename(dst + ".part", dst)
        print(name)
        return
    die("Debian %s has no source package %s — check the source name in images/stages/" % (suite, source))


main()
