#!/usr/bin/env python3
"""jcni against the Go reference plugins, in one run, interleaved.

Every row runs the jcni command and the Go command alternately (round by round, the order flipping
each round), so that both see the same machine. Prints the median wall time, the spread (10th to
90th percentile), the jcni/Go ratio, and the peak RSS of the processes. Root only: ADD/DEL rows make
a network namespace and a bridge of their own (10.231.0.0/24, fd00:231::/64) and remove them.

    bench/compare.sh [--runs N] [--rows a,b,...] [--java JAVA_HOME] [--rt] [--json FILE] [--choices]

--choices: instead of jcni against Go, each of jcni's start-up design choices against its
        alternative, in the same way (the "with" column is what jcni does, "without" the alternative).

--java: the JVM the jcni rows use (JCNI_JAVA_HOME); default: the launchers' own choice.
--rt:   run everything at real-time round-robin priority (chrt -r), which keeps unrelated load on
        the machine from inflating both sides; the ratio is what to compare.
See docs/performance.md for the table of one run and what each row means.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = os.path.join(ROOT, "plugins-reference", "target", "cni")
JBIN = os.path.join(DIST, "bin")
GO = "/usr/lib/cni"
BASE_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


def run_once(argv, env, stdin=b""):
    """One process: (wall ms, peak RSS MiB of it and its children, exit status, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(stdin)
    wall = (time.perf_counter() - t0) * 1000
    return wall, p.returncode, out, err


class Row:
    """A measured operation: a list of steps (argv, env, stdin) run in order for each side."""

    def __init__(self, name, jcni_steps, go_steps, note=""):
        self.name, self.jcni, self.go, self.note = name, jcni_steps, go_steps, note
        self.times = {"jcni": [], "go": []}
        self.rss = {"jcni": 0.0, "go": 0.0}

    def cleanup(self):
        """Undo what setting the row up made (most rows leave nothing)."""

    def measure(self, side):
        total = 0.0
        steps = self.jcni if side == "jcni" else self.go
        for argv, env, stdin in steps:
            wall, code, out, err = run_once(argv, env, stdin)
            if code != 0:
                raise SystemExit(f"{self.name} ({side}): {' '.join(argv)} failed with {code}:\n{out.decode()}\n{err.decode()}")
            total += wall
        self.times[side].append(total)


def rss_of(argv, env, stdin):
    """Peak RSS (MiB) of one process tree, measured alone through a fresh wait4."""
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.stdin.write(stdin)
    p.stdin.close()
    _, _, ru = os.wait4(p.pid, 0)
    return ru.ru_maxrss / 1024.0


def pct(values, q):
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def cni_env(command, netns="", cid="bench", cni_path=JBIN, extra=None, ifname="eth0"):
    e = dict(BASE_ENV)
    e.update({"CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_NETNS": netns, "CNI_IFNAME": ifname, "CNI_PATH": cni_path})
    if extra:
        e.update(extra)
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rows", default="")
    ap.add_argument("--java", default="")
    ap.add_argument("--rt", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--choices", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (namespaces, bridges, firewall rules of its own)")
    if not os.access(os.path.join(JBIN, "bridge"), os.X_OK):
        raise SystemExit("build first: mvn -B -pl plugins-reference -am package -DskipTests")
    if not os.access(os.path.join(GO, "bridge"), os.X_OK):
        raise SystemExit("needs the Go plugins in /usr/lib/cni (apt-get install containernetworking-plugins)")
    if args.rt:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(10))

    extra = {"JCNI_JAVA_HOME": args.java} if args.java else {}
    work = tempfile.mkdtemp(prefix="jcni-bench")
    ns = f"jcnibench{os.getpid()}"
    br = f"jbrb{os.getpid() % 100000}"
    nspath = f"/run/netns/{ns}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    rows = []
    try:
        rows = choice_rows(work, nspath, br, extra) if args.choices else build_rows(work, nspath, br, extra)
        wanted = [r for r in rows if not args.rows or r.name in args.rows.split(",")]
        header(args, extra)
        for i in range(args.runs + 2):
            order = ("jcni", "go") if i % 2 == 0 else ("go", "jcni")
            for row in wanted:
                for side in order:
                    row.measure(side)
        for row in wanted:
            for side in ("jcni", "go"):
                del row.times[side][:2]  # the first two rounds are warm-up (page cache, first files)
        peak_rss(wanted)
        report(wanted, args)
    finally:
        for row in rows:
            row.cleanup()
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "del", br], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


def build_rows(work, nspath, br, extra):
    ipam_dir = os.path.join(work, "ipam")

    def conf(body):
        return json.dumps(body).encode()

    ipam = {"type": "host-local", "dataDir": ipam_dir, "ranges": [[{"subnet": "10.231.0.0/24"}]]}
    bridge = conf({"cniVersion": "1.0.0", "name": "jcnibench", "type": "bridge", "bridge": br, "isGateway": True,
                        "ipMasq": True, "ipam": ipam})
    ptp = conf({"cniVersion": "1.0.0", "name": "jcnibenchptp", "type": "ptp",
                     "ipam": dict(ipam, ranges=[[{"subnet": "10.231.1.0/24"}]])})
    hl = conf({"cniVersion": "1.0.0", "name": "jcnibenchhl", "type": "host-local",
                    "ipam": dict(ipam, ranges=[[{"subnet": "10.231.2.0/24"}]])})
    version = b'{"cniVersion":"1.0.0"}'
    rows = []
    hello = hello_world(work)
    java = java_of(extra)
    rows.append(Row("java hello world", [([java] + JVM_OPTS + ["-cp", hello, "Hello"], dict(BASE_ENV), b"")],
                    [([os.path.join(GO, "host-local")], dict(BASE_ENV, CNI_COMMAND="VERSION"), version)],
                    "a bare JVM with the launchers' options, against Go host-local VERSION"))
    for p in ("bridge", "ptp", "host-local", "portmap"):
        rows.append(Row(f"VERSION {p}", [([os.path.join(JBIN, p)], dict(BASE_ENV, CNI_COMMAND="VERSION", **extra), version)],
                        [([os.path.join(GO, p)], dict(BASE_ENV, CNI_COMMAND="VERSION"), version)]))
    for name, plugin, c in (("bridge+host-local ipMasq ADD+DEL", "bridge", bridge), ("ptp+host-local ADD+DEL", "ptp", ptp)):
        rows.append(Row(name, [([os.path.join(JBIN, plugin)], cni_env(cmd, nspath, extra=extra), c) for cmd in ("ADD", "DEL")],
                        [([os.path.join(GO, plugin)], cni_env(cmd, nspath, cni_path=GO), c) for cmd in ("ADD", "DEL")]))
    rows.append(Row("host-local ADD+DEL", [([os.path.join(JBIN, "host-local")], cni_env(cmd, nspath, extra=extra), hl)
                                          for cmd in ("ADD", "DEL")],
                    [([os.path.join(GO, "host-local")], cni_env(cmd, nspath, cni_path=GO), hl) for cmd in ("ADD", "DEL")]))
    rows.append(CheckRow(bridge, nspath, extra))
    rows.append(cli_row(work, nspath, br, extra))
    return rows


JVM_OPTS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:-UsePerfData", "-Xss512k",
            "-XX:MaxRAM=1g", "-Xshare:auto"]


def hello_world(work):
    d = os.path.join(work, "hello")
    os.makedirs(d)
    with open(os.path.join(d, "Hello.java"), "w") as f:
        f.write('public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n')
    javac = os.path.join(os.path.dirname(os.path.realpath(shutil.which("javac") or "/usr/bin/javac")), "javac")
    subprocess.run([javac, "--release", "17", "-d", d, os.path.join(d, "Hello.java")], check=True)
    return d


def java_of(extra):
    """The JVM the jcni launchers pick (their debug line names it)."""
    out = subprocess.run([os.path.join(JBIN, "host-local")], env=dict(BASE_ENV, CNI_COMMAND="VERSION", JCNI_LOG_LEVEL="debug",
                                                                     **extra),
                         input=b'{"cniVersion":"1.0.0"}', capture_output=True).stderr.decode()
    # "jcni host-local: Java <runtime> in <home>; start-up archive <path>"
    line = [l for l in out.splitlines() if "start-up archive" in l][0]
    home = line.split(" in ", 1)[1].split(";", 1)[0]
    return os.path.join(home, "bin", "java")


class CheckRow(Row):
    """CHECK after ADD: one ADD per side before the timing, CHECK timed, DEL at the end."""

    def __init__(self, bridge, nspath, extra):
        super().__init__("bridge+host-local CHECK", [], [], "CHECK of an attachment made once per side")
        self.teardown = []
        for side, plugin_dir, env_extra in (("jcni", JBIN, extra), ("go", GO, {})):
            plugin = os.path.join(plugin_dir, "bridge")
            cid = f"check-{side}"
            ifname = "eth1" if side == "jcni" else "eth2"
            wall, code, out, err = run_once([plugin], cni_env("ADD", nspath, cid, plugin_dir, env_extra, ifname), bridge)
            if code != 0:
                raise SystemExit(f"CHECK row: ADD ({side}) failed: {out.decode()} {err.decode()}")
            c = json.loads(bridge)
            c["prevResult"] = json.loads(out)
            with_prev = json.dumps(c).encode()
            steps = [([plugin], cni_env("CHECK", nspath, cid, plugin_dir, env_extra, ifname), with_prev)]
            if side == "jcni":
                self.jcni = steps
            else:
                self.go = steps
            self.teardown.append(([plugin], cni_env("DEL", nspath, cid, plugin_dir, env_extra, ifname), with_prev))

    def cleanup(self):
        for argv, env, stdin in self.teardown:
            run_once(argv, env, stdin)


def cli_row(work, nspath, br, extra):
    """bridge + host-local + portmap through the jcni CLI: jcni's plugins (in-process) against Go's (exec'd)."""
    confdir = os.path.join(work, "net.d")
    os.makedirs(confdir)
    with open(os.path.join(confdir, "10-bench.conflist"), "w") as f:
        json.dump({"cniVersion": "1.0.0", "name": "jcnibenchcli", "plugins": [
            {"type": "bridge", "bridge": br + "c", "isGateway": True, "ipMasq": True,
             "ipam": {"type": "host-local", "dataDir": os.path.join(work, "ipam-cli"), "subnet": "10.231.3.0/24"}},
            {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}]}, f)
    jcni = os.path.join(JBIN, "jcni")
    caps = json.dumps({"portMappings": [{"hostPort": 18089, "containerPort": 80, "protocol": "tcp"}]})

    def steps(cni_path, cache):
        env = dict(BASE_ENV, NETCONFPATH=confdir, CNI_PATH=cni_path, CAP_ARGS=caps, **extra)
        return [([jcni, "--cache-dir", cache, verb, "jcnibenchcli", nspath], env, b"") for verb in ("add", "del")]

    return Row("jcni CLI bridge+host-local+portmap add+del", steps(JBIN, os.path.join(work, "cache-j")),
               steps(GO, os.path.join(work, "cache-g")), "both through the jcni CLI: jcni plugins in-process vs Go plugins exec'd")


def copy_dist(work, name, drop):
    """A copy of the distribution without some of its files (e.g. the archives)."""
    target = os.path.join(work, name)
    shutil.copytree(DIST, target, symlinks=True)
    for root, dirs, files in os.walk(os.path.join(target, "lib", "archives")):
        for f in files:
            if drop(f):
                os.remove(os.path.join(root, f))
    return os.path.join(target, "bin")


def choice_rows(work, nspath, br, extra):
    """Each start-up choice of jcni against its alternative ("with" = what jcni ships)."""
    version = b'{"cniVersion":"1.0.0"}'
    ipam = {"type": "host-local", "dataDir": os.path.join(work, "ipam"), "ranges": [[{"subnet": "10.231.4.0/24"}]]}
    ptp = json.dumps({"cniVersion": "1.0.0", "name": "jcnibenchc", "type": "ptp", "ipam": ipam}).encode()
    bridge = json.dumps({"cniVersion": "1.0.0", "name": "jcnibenchb", "type": "bridge", "bridge": br, "isGateway": True,
                         "ipMasq": True, "ipam": dict(ipam, ranges=[[{"subnet": "10.231.5.0/24"}]])}).encode()
    no_archives = copy_dist(work, "no-archives", lambda f: True)
    no_version_archive = copy_dist(work, "no-version-archive", lambda f: "-VERSION." in f)
    rows = []

    def version_env(**more):
        return dict(BASE_ENV, CNI_COMMAND="VERSION", **dict(extra, **more))

    rows.append(Row("trained archive (host-local VERSION)", [([os.path.join(JBIN, "host-local")], version_env(), version)],
                    [([os.path.join(no_archives, "host-local")], version_env(), version)],
                    "without: only the JDK's own CDS archive"))
    rows.append(Row("VERSION-only archive (bridge VERSION)", [([os.path.join(JBIN, "bridge")], version_env(), version)],
                    [([os.path.join(no_version_archive, "bridge")], version_env(), version)],
                    "without: the archive trained on every call"))
    rows.append(Row("trained archive (ptp+host-local ADD+DEL)",
                    [([os.path.join(JBIN, "ptp")], cni_env(c, nspath, extra=extra), ptp) for c in ("ADD", "DEL")],
                    [([os.path.join(no_archives, "ptp")], cni_env(c, nspath, cni_path=no_archives, extra=extra), ptp)
                     for c in ("ADD", "DEL")]))
    other = dict(extra, JCNI_JAVA_OPTS="-Djcni.dist.id=another-distribution")
    rows.append(Row("in-process IPAM (ptp+host-local ADD+DEL)",
                    [([os.path.join(JBIN, "ptp")], cni_env(c, nspath, extra=extra), ptp) for c in ("ADD", "DEL")],
                    [([os.path.join(JBIN, "ptp")], cni_env(c, nspath, extra=other), ptp) for c in ("ADD", "DEL")],
                    "without: host-local exec'd as a second JVM"))
    homes = [h for h in ("/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/java-17-openjdk-amd64")
             if os.path.exists(os.path.join(h, "release"))]
    if len(homes) == 2:
        rows.append(Row("Java 25 + AOT cache vs Java 17 + AppCDS (ptp ADD+DEL)",
                        [([os.path.join(JBIN, "ptp")], cni_env(c, nspath, extra={"JCNI_JAVA_HOME": homes[0]}), ptp)
                         for c in ("ADD", "DEL")],
                        [([os.path.join(JBIN, "ptp")], cni_env(c, nspath, extra={"JCNI_JAVA_HOME": homes[1]}), ptp)
                         for c in ("ADD", "DEL")]))
    j17 = "/usr/lib/jvm/java-17-openjdk-amd64"
    if os.path.exists(os.path.join(j17, "release")):
        spawn = {"JCNI_JAVA_HOME": j17, "JCNI_JAVA_OPTS": "-Djdk.lang.Process.launchMechanism=POSIX_SPAWN"}
        rows.append(Row("vfork vs posix_spawn, Java 17 (bridge ipMasq ADD+DEL)",
                        [([os.path.join(JBIN, "bridge")], cni_env(c, nspath, extra={"JCNI_JAVA_HOME": j17}), bridge)
                         for c in ("ADD", "DEL")],
                        [([os.path.join(JBIN, "bridge")], cni_env(c, nspath, extra=spawn), bridge) for c in ("ADD", "DEL")],
                        "the iptables processes of ipMasq"))
    return rows


def peak_rss(rows):
    for row in rows:
        for side in ("jcni", "go"):
            steps = row.jcni if side == "jcni" else row.go
            row.rss[side] = max((rss_of(a, e, s) for a, e, s in steps), default=0.0)


def header(args, extra):
    java = java_of(extra)
    out = subprocess.run([java, "-version"], capture_output=True).stderr.decode().splitlines()
    archive = subprocess.run([os.path.join(JBIN, "host-local")], env=dict(BASE_ENV, CNI_COMMAND="VERSION",
                                                                         JCNI_LOG_LEVEL="debug", **extra),
                             input=b'{"cniVersion":"1.0.0"}', capture_output=True).stderr.decode().strip()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  runs={args.runs}  rt={'yes' if args.rt else 'no'}  "
          f"cpus={os.cpu_count()}  load={os.getloadavg()[0]:.2f}")
    print(f"# jcni JVM: {java} ({out[0] if out else '?'})")
    print(f"# {archive}")


def report(rows, args):
    a, b = ("with", "without") if args.choices else ("jcni", "Go")
    print(f"{'row':44s} {a + ' ms':>9s} {'(p10-p90)':>15s} {b + ' ms':>8s} {'(p10-p90)':>13s} {a + '/' + b:>8s} "
          f"{a + ' RSS':>9s} {b + ' RSS':>7s}")
    data = []
    for r in rows:
        j, g = r.times["jcni"], r.times["go"]
        jm, gm = statistics.median(j), statistics.median(g)
        print(f"{r.name:44s} {jm:9.1f} {pct(j, .1):7.1f}-{pct(j, .9):<7.1f} {gm:8.1f} {pct(g, .1):6.1f}-{pct(g, .9):<6.1f} "
              f"{jm / gm:8.2f} {r.rss['jcni']:8.1f}M {r.rss['go']:6.1f}M")
        data.append({"row": r.name, "jcni_ms": jm, "go_ms": gm, "ratio": jm / gm, "jcni_rss_mib": r.rss["jcni"],
                     "go_rss_mib": r.rss["go"], "note": r.note})
    hello = next((r for r in rows if r.name == "java hello world"), None)
    if hello:
        hm = statistics.median(hello.times["jcni"])
        for r in rows:
            if r.name.startswith("VERSION "):
                print(f"  {r.name}: {statistics.median(r.times['jcni']) / hm:.2f}x the JVM's hello world")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=2)


if __name__ == "__main__":
    main()
