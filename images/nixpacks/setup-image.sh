# Runs in the Nixpacks stand-in's root (Debian's nix-bin installed): what base/ubuntu/
# Dockerfile does after its apt-get, with Debian's Nix in place of the Determinate
# installer's. /kit is the store build (images/nixpacks/build-store.sh).
rm -rf /var/lib/apt/lists/* /usr/share/doc/*
mkdir -p -m 0755 /nix /etc/nix /opt/bootmatrix
cp -r /kit/nixpkgs /opt/bootmatrix/nixpkgs
cp -r /kit/cache /opt/bootmatrix/nix-cache
cat >/etc/nix/nix.conf <<CONF
# Single-user Nix for root, no daemon (the real image installs with --init none).
build-users-group =
sandbox = false
filter-syscalls = false
experimental-features = nix-command flakes
# The kit's binary cache stands in for cache.nixos.org: the only substituter.
substituters = file:///opt/bootmatrix/nix-cache
trusted-public-keys = $(cat /kit/cache.pub)
CONF
# The store loader's default directory (its patched-in /lib/x86_64-linux-gnu/) is glibc's
# own lib, as nixpkgs' glibc has it; the link dangles until glibc is substituted.
mkdir -p /nix/var/nix/ld
ln -s "$(cat /kit/glibc)/lib" /nix/var/nix/ld/glibc
export HOME=/root USER=root
# The default profile (nixpkgs' nss-cacert, as the installer puts it there with Nix
# itself), then the channel removed, as the real image does.
nix-env -p /nix/var/nix/profiles/default -f "file:///opt/bootmatrix/nixpkgs/$(head -1 /kit/nixpkgs/ARCHIVES).tar.gz" -iA cacert >/dev/null
nix-channel --remove nixpkgs
nix-collect-garbage --delete-old >/dev/null 2>&1
rm -rf /root/.cache/nix
# The Determinate installer's /etc/profile.d/nix.sh sources the default profile's
# nix-daemon.sh; this is what that script sets.
cat >/etc/profile.d/nix.sh <<'PROFILE'
# Nix
export NIX_PROFILES="/nix/var/nix/profiles/default $HOME/.nix-profile"
export NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
export PATH="$HOME/.nix-profile/bin:/nix/var/nix/profiles/default/bin:$PATH"
# End Nix
PROFILE
# base/ubuntu/Dockerfile, verbatim.
printf 'if [ -d $HOME/.nix-profile/etc/profile.d ]; then\n for i in $HOME/.nix-profile/etc/profile.d/*.sh; do\n if [ -r $i ]; then\n . $i\n fi\n done\n fi\n' >> /root/.profile \
    && printf 'PATH=$NIXPACKS_PATH:$PATH' >> /root/.profile
