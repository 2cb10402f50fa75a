"""Nix-style module discovery, as nixpkgs' python carries it.

Adds every directory on NIX_PYTHONPATH (and the .pth files in it) to sys.path, then
removes the variable so that child interpreters do not inherit it.

Also (the stand-in's python is Debian's, whose site.py only knows dist-packages) puts
<prefix>/lib/pythonX.Y/site-packages on sys.path outside venvs, where nixpkgs' python
has its pip and where `pip install --break-system-packages` writes.
"""
import functools
import os
import site
import sys

if sys.prefix == sys.base_prefix:
    site.addsitedir(os.path.join(sys.prefix, "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))

paths = os.environ.pop("NIX_PYTHONPATH", None)
if paths:
    functools.reduce(lambda k, p: site.addsitedir(p, k), paths.split(":"), site._init_pathinfo())
