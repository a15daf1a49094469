#!/usr/bin/env python3
"""ADD of a plugin built from the starter project against ADD of jcni's reference plugins, interleaved.

The starter's plugin (docs/examples/starter, container-sysctl: enters the container's namespace and
sets a sysctl) and the reference plugins are packaged by the same `jcni package`: same launcher, same
kind of trained archive, same JVM. Each round runs every row once, the order of the rows rotating
each round, so all rows see the same machine; medians and the 10th-90th percentile spread are
reported, and the ratio of the starter's ADD to each reference ADD. Root only (a namespace of its
own, 10.232.0.0/16, removed at the end). Only ADD is timed; the reference rows' DEL runs untimed
after each ADD.

    bench/starter-add.sh [--runs N] [--rt] [--java JAVA_HOME] [--json FILE]

Needs plugins-reference/target/cni (mvn -B package -DskipTests) and docs/examples/starter/target/cni
(mvn -B package in docs/examples/starter, after jcni's artifacts are installed).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import BASE_ENV, JBIN, ROOT, cni_env, pct, run_once  # noqa: E402

STARTER = os.path.join(ROOT, "docs", "examples", "starter", "target", "cni", "bin", "container-sysctl")


class Row:
    def __init__(self, name, add, undo=None):
        self.name, self.add, self.undo, self.times = name, add, undo, []

    def measure(self):
        argv, env, stdin = self.add
        wall, code, out, err = run_once(argv, env, stdin)
        if code != 0:
            raise SystemExit(f"{self.name}: failed with {code}:\n{out.decode()}\n{err.decode()}")
        self.times.append(wall)
        if self.undo:
            argv, env, stdin = self.undo
            run_once(argv, env, stdin)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rt", action="store_true", help="real-time round-robin priority (chrt -r 10)")
    ap.add_argument("--java", default="", help="JCNI_JAVA_HOME for every row")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (a network namespace of its own)")
    for f in (STARTER, os.path.join(JBIN, "ptp")):
        if not os.access(f, os.X_OK):
            raise SystemExit(f"build first: {f} is missing (see --help)")
    if args.rt:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(10))
    extra = {"JCNI_JAVA_HOME": args.java} if args.java else {}
    work = tempfile.mkdtemp(prefix="jcni-starter-bench")
    ns = f"jcnistarter{os.getpid()}"
    nspath = f"/run/netns/{ns}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        rows = build_rows(work, nspath, extra)
        for i in range(args.runs + 2):
            k = i % len(rows)
            for row in rows[k:] + rows[:k]:
                row.measure()
        for row in rows:
            del row.times[:2]  # warm-up rounds
        report(rows, args, extra)
    finally:
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


def build_rows(work, nspath, extra):
    def conf(body):
        return json.dumps(body).encode()

    ipam = {"type": "host-local", "dataDir": os.path.join(work, "ipam")}
    prev = {"cniVersion": "1.0.0", "interfaces": [{"name": "lo", "sandbox": nspath}],
            "ips": [{"address": "10.232.9.2/24", "gateway": "10.232.9.1", "interface": 0}]}
    starter = conf({"cniVersion": "1.0.0", "name": "jcnistarter", "type": "container-sysctl",
                    "sysctl": {"net.ipv4.conf.{ifname}.arp_notify": "1"}, "prevResult": prev})
    hl = conf({"cniVersion": "1.0.0", "name": "jcnistarterhl", "type": "host-local",
               "ipam": dict(ipam, ranges=[[{"subnet": "10.232.1.0/24"}]])})
    ptp = conf({"cniVersion": "1.0.0", "name": "jcnistarterptp", "type": "ptp",
                "ipam": dict(ipam, ranges=[[{"subnet": "10.232.2.0/24"}]])})
    starter_bin = os.path.dirname(STARTER)

    def step(plugin, command, stdin, cni_path=JBIN, ifname="eth0"):
        return [plugin], cni_env(command, nspath, cni_path=cni_path, extra=extra, ifname=ifname), stdin

    return [
        Row("starter container-sysctl ADD", step(STARTER, "ADD", starter, cni_path=starter_bin, ifname="lo")),
        Row("reference host-local ADD", step(os.path.join(JBIN, "host-local"), "ADD", hl),
            step(os.path.join(JBIN, "host-local"), "DEL", hl)),
        Row("reference ptp+host-local ADD", step(os.path.join(JBIN, "ptp"), "ADD", ptp),
            step(os.path.join(JBIN, "ptp"), "DEL", ptp)),
    ]


def launcher_line(plugin, extra, cni_path):
    """The launcher's debug line: the JVM and the start-up archive it offers."""
    out = subprocess.run([plugin], env=dict(BASE_ENV, CNI_COMMAND="VERSION", JCNI_LOG_LEVEL="debug", CNI_PATH=cni_path,
                                            **extra),
                         input=b'{"cniVersion":"1.0.0"}', capture_output=True).stderr.decode()
    return next((l for l in out.splitlines() if "start-up archive" in l), out.strip())


def report(rows, args, extra):
    print(f"# runs={args.runs} rt={'yes' if args.rt else 'no'} cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f}")
    print(f"# {launcher_line(STARTER, extra, os.path.dirname(STARTER))}")
    print(f"# {launcher_line(os.path.join(JBIN, 'ptp'), extra, JBIN)}")
    print(f"{'row':34s} {'median ms':>10s} {'(p10-p90)':>17s}")
    medians = {}
    for r in rows:
        m = statistics.median(r.times)
        medians[r.name] = m
        print(f"{r.name:34s} {m:10.1f} {pct(r.times, .1):8.1f}-{pct(r.times, .9):<8.1f}")
    s = medians[rows[0].name]
    ratios = {r.name: s / medians[r.name] for r in rows[1:]}
    for name, ratio in ratios.items():
        print(f"starter ADD / {name}: {ratio:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"medians_ms": medians, "ratios": ratios, "runs": args.runs}, f, indent=2)


if __name__ == "__main__":
    main()
