# Nix's profile script: puts the profiles' bin on PATH (prepending, never resetting).
export NIX_PROFILES="/nix/var/nix/profiles/default $HOME/.nix-profile"
export NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
for p in /nix/var/nix/profiles/default "$HOME/.nix-profile"; do
  case ":$PATH:" in *":$p/bin:"*) ;; *) PATH="$p/bin:$PATH" ;; esac
done
export PATH
