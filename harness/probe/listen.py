"""List the TCP sockets in LISTEN state in this network namespace (from
/proc/net/tcp and tcp6), one "address:port" per line. Stdlib only."""
import socket
import struct
import sys


def addr(hexaddr):
    ip, port = hexaddr.split(":")
    raw = bytes.fromhex(ip)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", struct.unpack(">I", raw)[0])), int(port, 16)
    words = struct.unpack("<4I", raw)
    return "[" + socket.inet_ntop(socket.AF_INET6, struct.pack(">4I", *words)) + "]", int(port, 16)


def main():
    seen = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 4 or parts[3] != "0A":  # 0A = LISTEN
                continue
            a, p = addr(parts[1])
            if (a, p) not in seen:
                seen.add((a, p))
                print("%s:%d" % (a, p))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
