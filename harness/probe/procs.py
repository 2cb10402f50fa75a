"""Print every process of this PID namespace as one JSON line after a marker:
pid, parent, start time, CPU used (its own and its reaped children's) and command
line, with the probe's own chain of parents, so that the runner can leave the
probe out. Stdlib only; reads /proc, which every variant has."""
import json
import os
import sys

MARKER = "BOOTMATRIX-PROCS-JSON:"


def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        raw = f.read()
    # The command name is in parentheses and may hold spaces and parentheses.
    rest = raw[raw.rindex(")") + 2:].split()
    # Fields from 3 on (man 5 proc): ppid is 4, utime..cstime 14-17, starttime 22.
    ppid = int(rest[1])
    ticks = sum(int(x) for x in rest[11:15])
    start = int(rest[19])
    return ppid, ticks, start


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def main():
    clk = os.sysconf("SC_CLK_TCK")
    procs = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            ppid, ticks, start = stat(pid)
        except (OSError, ValueError, IndexError):
            continue  # gone while we looked
        procs[pid] = {"pid": pid, "ppid": ppid, "start": start, "cpu": ticks / clk, "cmd": cmdline(pid)}
    chain, pid = [], os.getpid()
    while pid in procs and pid not in chain:
        chain.append(pid)
        pid = procs[pid]["ppid"]
    out = {"self": chain, "procs": sorted(procs.values(), key=lambda p: p["pid"])}
    print(MARKER + json.dumps(out, separators=(",", ":")))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
