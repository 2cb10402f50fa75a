"""Nix-style module discovery, as nixpkgs' python carries it.

Adds every directory on NIX_PYTHONPATH (and the .pth files in it) to sys.path, then
removes the variable so that child interpreters do not inherit it.
"""
import functools
import os
import site

paths = os.environ.pop("NIX_PYTHONPATH", None)
if paths:
    functools.reduce(lambda k, p: site.addsitedir(p, k), paths.split(":"), site._init_pathinfo())
