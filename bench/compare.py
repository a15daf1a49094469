#!/usr/bin/env python3
"""jcni against the Go reference plugins, cold and warm, in one run, interleaved.

Every row runs each of its sides alternately (round by round, the order rotating each round), so
that all of them see the same machine: jcni cold (a fresh JVM per exec, JCNI_WARM=off) on each JVM
given with --java, jcni warm (the launchers hand the call to the distribution's warm-mode daemon,
which this script starts) and the Go plugins in /usr/lib/cni. Prints the median wall time, the
spread (10th to 90th percentile), the ratio to Go, the peak RSS of one process, which JVM and which
start-up archive each cold column used, and the targets of the speed issues as met or missed.

    bench/compare.sh [--runs N] [--heavy-runs N] [--rows a,b,...] [--java HOME[,HOME...]] [--no-warm]
                     [--budget MIN] [--rt] [--json FILE] [--soak CALLS] [--choices [--vs-dist LABEL=WITH:WITHOUT]] [--execs]
                     [--phases [--no-cold]] [--podman-warm]

--java:  the JVMs of the cold columns, one column each (JCNI_JAVA_HOME); default: the launchers'
         own choice (the newest Java 17+). The warm-mode daemon runs on the first one.
--no-warm: no warm column (no daemon). Warm mode needs lib/jcni-shim (gcc at package time).
--runs:  measured rounds per row (after 2 warm-up rounds); --heavy-runs: the same for the rows that
         take seconds (50 parallel ADDs, podman run); default 20 and 8.
--budget: stop starting new rounds after this many minutes (at least 5 measured rounds).
--rows:  only the rows whose names contain one of these comma-separated words.
--rt:    real-time round-robin priority (chrt -r) for the script and what it runs, which keeps
         unrelated load on the machine from inflating one side more than the other.
--soak:  after the table (and with its own daemon), bench/warm-soak.sh CALLS: the daemon's RSS
         after that many calls and its trend over the last half.
--execs: instead of the table, the processes one cold ADD and one DEL of bridge and ptp (ipMasq) start,
         jcni (on the first --java) and Go, counted with strace -f -e trace=execve.
--phases: instead of the table, where one call's time goes. Warm (unless --no-warm): the steps the shim
         and the daemon mark under JCNI_WARM_PHASES=1 (hand-over frames, caller checks, admission, the
         call) and the sums of its netlink round trips, setns, file locks, fsyncs and helper processes,
         through the launcher and with the shim exec'd directly, for host-local VERSION and the ADD and DEL of
         host-local, ptp and bridge with ipMasq. Cold (unless --no-cold): VERSION, ADD, DEL of ptp and of
         bridge with ipMasq on each --java, from the system calls that mark each phase (strace -f -ttt), and
         the classes it loads by source (-Xlog:class+load).
--choices: instead of jcni against Go, each of jcni's start-up design choices against its
         alternative ("with" is what jcni ships, "without" the alternative); --vs-dist adds a row
         for a choice that needs another build: the plugins/target/cni directories of two builds.
--podman-warm: the daemon placed as docs/operators.md "Warm mode for podman" says, so that podman's calls
         are served warm: --rlimit nproc=<podman's own limit, read from a conmon> and --cgroup <P>/conmon/jcni,
         where P (the podman row's --cgroup-parent, on every side) is below this script's cgroup; the daemon runs
         at normal priority (under --rt a real-time process cannot join a cpu cgroup without a real-time budget).
         Meant with --rows podman.
Rows with podman run need podman 4 with the CNI backend, runc and /bin/busybox (busybox-static);
without them the row is skipped with the reason. Root only: the rows make a network namespace,
bridges, firewall rules and a private podman of their own (10.231.0.0/16) and remove them at exit,
Ctrl-C and SIGTERM included. See docs/performance.md for the table of one run.
"""
import argparse
import json
import os
import shutil
import signal
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
VERSION_CONF = b'{"cniVersion":"1.0.0"}'
JVM_OPTS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:-UsePerfData", "-Xss512k",
            "-XX:MaxRAM=1g", "-Xshare:auto"]


class Work:
    """The run's scratch directory; stdin files are written once and reused."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="jcni-bench")
        os.chmod(self.dir, 0o755)
        self.n = 0
        self.out = os.path.join(self.dir, "out")
        self.err = os.path.join(self.dir, "err")

    def file(self, data):
        self.n += 1
        path = os.path.join(self.dir, f"stdin{self.n}")
        with open(path, "wb") as f:
            f.write(data)
        return path


WORK = None
# --podman-warm: the podman row's --cgroup-parent (every side), below this script's cgroup
PODMAN_CGROUP_PARENT = ""


NORMAL = (os.SCHED_OTHER, os.sched_param(0))


def set_policy(pid, policy):
    """Every thread of a process (the daemon) to a scheduling policy."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setscheduler(int(tid), policy[0], policy[1])
        except (ProcessLookupError, PermissionError):
            pass


def spawn(argv, env, stdin_path, out, err, normal=False):
    """posix_spawn with stdin from a file; normal: under --rt, at normal priority (SCHED_OTHER)."""
    extra = {"scheduler": NORMAL} if normal and os.sched_getscheduler(0) != os.SCHED_OTHER else {}
    actions = [(os.POSIX_SPAWN_OPEN, 0, stdin_path, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    return os.posix_spawn(argv[0], argv, env, file_actions=actions, **extra)


def run_once(argv, env, stdin=b"", normal=False):
    """One process, as hyperfine -N runs it: (wall ms, exit status, stdout, stderr, peak RSS MiB)."""
    path = WORK.file(stdin) if isinstance(stdin, bytes) else stdin
    t0 = time.perf_counter()
    pid = spawn(argv, env, path, WORK.out, WORK.err, normal)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    with open(WORK.out, "rb") as f:
        out = f.read()
    with open(WORK.err, "rb") as f:
        err = f.read()
    return wall, os.waitstatus_to_exitcode(status), out, err, ru.ru_maxrss / 1024.0


class Step:
    """One exec of a side: argv, environment, stdin (bytes, written to a file once)."""

    def __init__(self, argv, env, stdin=b"", normal=False):
        self.argv, self.env, self.normal = argv, env, normal
        self.stdin = WORK.file(stdin)

    def run(self, what):
        wall, code, out, err, rss = run_once(self.argv, self.env, self.stdin, self.normal)
        if code != 0:
            raise SystemExit(f"{what}: {' '.join(self.argv)} failed with {code}:\n{out.decode()}\n{err.decode()[-3000:]}")
        return wall, rss


class Parallel:
    """n copies of a step started at once (distinct container ids); the time until the last one ends."""

    def __init__(self, argv, env, stdin, n, prepare):
        self.argv, self.env, self.n, self.prepare = argv, env, n, prepare
        self.stdin = WORK.file(stdin)

    def run(self, what):
        self.prepare()
        pids = []
        t0 = time.perf_counter()
        for i in range(self.n):
            env = dict(self.env, CNI_CONTAINERID=f"par{i}")
            pids.append(spawn(self.argv, env, self.stdin, "/dev/null", os.path.join(WORK.dir, f"par{i}.err")))
        rss, failed = 0.0, []
        for i, pid in enumerate(pids):
            _, status, ru = os.wait4(pid, 0)
            rss = max(rss, ru.ru_maxrss / 1024.0)
            if os.waitstatus_to_exitcode(status) != 0:
                failed.append(i)
        wall = (time.perf_counter() - t0) * 1000
        if failed:
            with open(os.path.join(WORK.dir, f"par{failed[0]}.err")) as f:
                raise SystemExit(f"{what}: {len(failed)} of {self.n} parallel calls failed: {f.read()[-2000:]}")
        return wall, rss


class Row:
    """A measured operation: per side (a column) a list of steps run in order; the wall times add up."""

    def __init__(self, name, sides, note="", heavy=False, plugin="", command=""):
        self.name, self.sides, self.note, self.heavy = name, sides, note, heavy
        self.normal = False  # under --rt, run this row (and the daemon meanwhile) at normal priority
        self.plugin, self.command = plugin, command  # for the archive column
        self.times = {s: [] for s in sides}
        self.rss = {s: 0.0 for s in sides}

    def cleanup(self):
        """Undo what setting the row up made (most rows leave nothing)."""

    def measure(self, side):
        total = 0.0
        for step in self.sides[side]:
            wall, rss = step.run(f"{self.name} ({side})")
            total += wall
            self.rss[side] = max(self.rss[side], rss)
        self.times[side].append(total)


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


# ------------------------------------------------------------------------------------------ JVMs


def release(home):
    r = {}
    with open(os.path.join(home, "release")) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                r[k] = v.strip('"')
    return r


def launcher_jvm(extra):
    """The Java home the launchers pick (their debug line names it)."""
    p = subprocess.run([os.path.join(JBIN, "host-local")], env=dict(BASE_ENV, CNI_COMMAND="VERSION", JCNI_LOG_LEVEL="debug",
                                                                    **dict(extra, JCNI_WARM="off")),
                       input=VERSION_CONF, capture_output=True)
    line = [l for l in p.stderr.decode().splitlines() if "start-up archive" in l][0]
    return line.split(" in ", 1)[1].split(";", 1)[0]


class Jvm:
    """A cold column: the launchers with JCNI_JAVA_HOME (or their own choice)."""

    def __init__(self, home):
        self.extra = {"JCNI_WARM": "off"}
        if home:
            self.extra["JCNI_JAVA_HOME"] = home
        self.home = launcher_jvm(self.extra)
        rel = release(self.home)
        self.runtime = rel.get("JAVA_RUNTIME_VERSION", "?")
        self.feature = int(rel.get("JAVA_VERSION", "0").split(".")[0])
        self.label = f"cold{self.feature}"
        self.java = os.path.join(self.home, "bin", "java")
        self.ext = "aot" if self.feature >= 25 else "jsa"
        # the distribution's own runtime (lib/runtime) has its archives in lib/archives/runtime
        self.bundled = os.path.realpath(self.home) == os.path.realpath(os.path.join(DIST, "lib", "runtime"))
        self.archives = os.path.join(DIST, "lib", "archives", "runtime" if self.bundled else self.runtime)

    def archive(self, plugin, command):
        """The archive the launcher passes for a call, as its own rule picks it."""
        if not plugin:
            return "JDK's CDS"
        base = os.path.join(self.archives, plugin)
        if self.bundled and not os.path.exists(f"{base}.{self.ext}"):
            return f"_dist.{self.ext}" if os.path.exists(os.path.join(self.archives, f"_dist.{self.ext}")) else "none"
        if command == "VERSION" and os.path.exists(f"{base}-VERSION.{self.ext}"):
            return f"{plugin}-VERSION.{self.ext}"
        return f"{plugin}.{self.ext}" if os.path.exists(f"{base}.{self.ext}") else "none"

    def describe(self):
        v = subprocess.run([self.java, "-version"], capture_output=True).stderr.decode().splitlines()
        kind = "AOT cache" if self.ext == "aot" else "AppCDS"
        have = os.path.isdir(self.archives)
        return (f"{self.label}: {self.home}{' (the bundled runtime)' if self.bundled else ''} "
                f"({v[1].strip() if len(v) > 1 else '?'}); {kind} archives "
                f"{self.archives if have else '(none for this JVM: the JDK default CDS only)'}")


# ------------------------------------------------------------------------------------------ warm mode


class Daemon:
    """The distribution's warm-mode daemon (lib/jcni-daemon), as the systemd unit starts it."""

    def __init__(self, jvm, work, extra=(), normal=False):
        props = dict(l.strip().split("=", 1) for l in open(os.path.join(DIST, "lib", "jcni-dist.properties")) if "=" in l)
        self.sock = f"/run/jcni/{props['name']}.sock"
        self.log = os.path.join(work, "daemon.log")
        self.proc = None
        if os.path.exists(self.sock):
            raise SystemExit(f"{self.sock} exists: another warm-mode daemon serves this distribution (stop it, or --no-warm)")
        env = dict(BASE_ENV)
        if "JCNI_JAVA_HOME" in jvm.extra:
            env["JCNI_JAVA_HOME"] = jvm.extra["JCNI_JAVA_HOME"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([os.path.join(DIST, "lib", "jcni-daemon")] + list(extra), env=env,
                                         stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL,
                                         preexec_fn=(lambda: os.sched_setscheduler(0, NORMAL[0], NORMAL[1])) if normal else None)
        for _ in range(600):
            if "serving dist" in open(self.log).read() or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if "serving dist" not in open(self.log).read():
            self.stop()
            raise SystemExit("the warm-mode daemon did not start:\n" + open(self.log).read())
        self.java = os.readlink(f"/proc/{self.proc.pid}/exe")

    def status(self, key):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
        return 0.0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ------------------------------------------------------------------------------------------ rows


def sides_of(cold, warm, plugin_steps, go_steps):
    """Side label -> steps: a cold column per JVM, warm when the daemon runs, Go."""
    s = {j.label: plugin_steps(j.extra) for j in cold}
    if warm:
        s["warm"] = plugin_steps({})
    s["go"] = go_steps()
    return s


def build_rows(work, nspath, br, cold, warm, podman_reason):
    def conf(body):
        return json.dumps(body).encode()

    def ipam(subnet, store="ipam"):
        return {"type": "host-local", "dataDir": os.path.join(work, store), "ranges": [[{"subnet": subnet}]]}

    bridge = conf({"cniVersion": "1.0.0", "name": "jcnibench", "type": "bridge", "bridge": br, "isGateway": True,
                   "ipMasq": True, "ipam": ipam("10.231.0.0/24")})
    ptp = conf({"cniVersion": "1.0.0", "name": "jcnibenchptp", "type": "ptp", "ipam": ipam("10.231.1.0/24")})
    hl = conf({"cniVersion": "1.0.0", "name": "jcnibenchhl", "type": "host-local", "ipam": ipam("10.231.2.0/24")})
    rows = []
    hello = hello_world(work)
    go_version = [Step([os.path.join(GO, "host-local")], dict(BASE_ENV, CNI_COMMAND="VERSION"), VERSION_CONF)]
    rows.append(Row("java hello world", dict({j.label: [Step([j.java] + JVM_OPTS + ["-cp", hello, "Hello"], dict(BASE_ENV))]
                                              for j in cold}, go=go_version),
                    "a bare JVM with the launchers' options, against Go host-local VERSION"))
    for p in ("bridge", "ptp", "host-local", "portmap"):
        rows.append(Row(f"VERSION {p}", sides_of(
            cold, warm, lambda x, p=p: [Step([os.path.join(JBIN, p)], dict(BASE_ENV, CNI_COMMAND="VERSION", **x), VERSION_CONF)],
            lambda p=p: [Step([os.path.join(GO, p)], dict(BASE_ENV, CNI_COMMAND="VERSION"), VERSION_CONF)]),
            plugin=p, command="VERSION"))
    rows.append(Row("VERSION host-local through the JVM (--jcni-cold)", dict(
        {j.label: [Step([os.path.join(JBIN, "host-local"), "--jcni-cold"], dict(BASE_ENV, CNI_COMMAND="VERSION", **j.extra),
                        VERSION_CONF)] for j in cold}, go=go_version),
        "the JVM's own VERSION answer, past the shim's", plugin="host-local", command="VERSION"))
    for name, plugin, c in (("bridge+host-local ipMasq ADD+DEL", "bridge", bridge), ("ptp+host-local ADD+DEL", "ptp", ptp),
                            ("host-local ADD+DEL", "host-local", hl)):
        rows.append(Row(name, sides_of(
            cold, warm,
            lambda x, plugin=plugin, c=c: [Step([os.path.join(JBIN, plugin)], cni_env(v, nspath, extra=x), c) for v in ("ADD", "DEL")],
            lambda plugin=plugin, c=c: [Step([os.path.join(GO, plugin)], cni_env(v, nspath, cni_path=GO), c) for v in ("ADD", "DEL")]),
            plugin=plugin, command="ADD"))
    rows.append(CheckRow(bridge, nspath, cold, warm))
    rows.append(cli_row(work, nspath, br, cold, warm))
    rows.append(parallel_row(work, nspath, cold, warm))
    if podman_reason:
        print(f"# row 'podman run --rm true' skipped: {podman_reason}")
    else:
        rows.append(PodmanRow(work, br, cold, warm))
    return rows


def hello_world(work):
    d = os.path.join(work, "hello")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "Hello.java"), "w") as f:
        f.write('public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n')
    javac = os.path.join(os.path.dirname(os.path.realpath(shutil.which("javac") or "/usr/bin/javac")), "javac")
    subprocess.run([javac, "--release", "17", "-d", d, os.path.join(d, "Hello.java")], check=True)
    return d


class CheckRow(Row):
    """CHECK after ADD: one ADD per side before the timing (its own interface), CHECK timed, DEL at the end."""

    def __init__(self, bridge, nspath, cold, warm):
        super().__init__("bridge+host-local CHECK", {}, "CHECK of an attachment made once per side", plugin="bridge",
                         command="CHECK")
        self.teardown = []
        setups = [(j.label, JBIN, j.extra) for j in cold]
        if warm:
            setups.append(("warm", JBIN, {}))
        setups.append(("go", GO, {}))
        made = {}
        for i, (side, plugin_dir, extra) in enumerate(setups):
            plugin = os.path.join(plugin_dir, "bridge")
            # the cold columns share one attachment (CHECK changes nothing)
            key = "cold" if side.startswith("cold") else side
            if key not in made:
                cid, ifname = f"check-{key}", f"eth{i + 1}"
                wall, code, out, err, _ = run_once([plugin], cni_env("ADD", nspath, cid, plugin_dir, extra, ifname), bridge)
                if code != 0:
                    raise SystemExit(f"CHECK row: ADD ({side}) failed: {out.decode()} {err.decode()}")
                c = json.loads(bridge)
                c["prevResult"] = json.loads(out)
                made[key] = (cid, ifname, json.dumps(c).encode())
                self.teardown.append(Step([plugin], cni_env("DEL", nspath, cid, plugin_dir, extra, ifname), made[key][2]))
            cid, ifname, with_prev = made[key]
            self.sides[side] = [Step([plugin], cni_env("CHECK", nspath, cid, plugin_dir, extra, ifname), with_prev)]
            self.times[side], self.rss[side] = [], 0.0

    def cleanup(self):
        for step in self.teardown:
            run_once(step.argv, step.env, step.stdin)


def cli_row(work, nspath, br, cold, warm):
    """bridge + host-local + portmap through the jcni CLI (itself a cold JVM in every column): jcni's plugins
    in-process (cold), jcni's plugins exec'd and served by the daemon (warm), Go's plugins exec'd (go)."""
    confdir = os.path.join(work, "net.d")
    os.makedirs(confdir)
    with open(os.path.join(confdir, "10-bench.conflist"), "w") as f:
        json.dump({"cniVersion": "1.0.0", "name": "jcnibenchcli", "plugins": [
            {"type": "bridge", "bridge": br + "c", "isGateway": True, "ipMasq": True,
             "ipam": {"type": "host-local", "dataDir": os.path.join(work, "ipam-cli"), "subnet": "10.231.3.0/24"}},
            {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}]}, f)
    jcni = os.path.join(JBIN, "jcni")
    caps = json.dumps({"portMappings": [{"hostPort": 18089, "containerPort": 80, "protocol": "tcp"}]})

    def steps(cni_path, cache, extra):
        env = dict(BASE_ENV, NETCONFPATH=confdir, CNI_PATH=cni_path, CAP_ARGS=caps, **extra)
        return [Step([jcni, "--cache-dir", os.path.join(work, cache), verb, "jcnibenchcli", nspath], env) for verb in ("add", "del")]

    sides = {j.label: steps(JBIN, "cache-" + j.label, j.extra) for j in cold}
    if warm:
        # another dist id for the CLI's JVM, so that it execs the plugins; they go through wrappers that drop
        # JCNI_JAVA_OPTS (the daemon refuses calls that ask for JVM options) and exec the launchers, which
        # hand the calls to the daemon; host-local is the launcher itself, run inside the daemon by bridge
        warm_bin = os.path.join(work, "warm-bin")
        os.makedirs(warm_bin)
        for p in ("bridge", "portmap"):
            with open(os.path.join(warm_bin, p), "w") as f:
                f.write(f'#!/bin/sh\nunset JCNI_JAVA_OPTS\nexec {os.path.join(JBIN, p)} "$@"\n')
            os.chmod(os.path.join(warm_bin, p), 0o755)
        os.symlink(os.path.join(JBIN, "host-local"), os.path.join(warm_bin, "host-local"))
        sides["warm"] = steps(warm_bin, "cache-warm", dict(cold[0].extra, JCNI_WARM="",
                                                           JCNI_JAVA_OPTS="-Djcni.dist.id=not-this-distribution"))
    sides["go"] = steps(GO, "cache-go", cold[0].extra)
    return Row("jcni CLI bridge+host-local+portmap add+del", sides,
               "the CLI is a cold JVM in every column; cold: plugins in-process, warm: plugins exec'd and served warm, "
               "go: Go plugins exec'd", plugin="jcni", command="add")


def parallel_row(work, nspath, cold, warm, n=50):
    """n host-local ADDs started at once, each side with a fresh store of its own (removed before each round)."""
    def side(plugin_dir, store, extra):
        c = json.dumps({"cniVersion": "1.0.0", "name": "jcnibenchpar", "type": "host-local",
                        "ipam": {"type": "host-local", "dataDir": os.path.join(work, store),
                                 "ranges": [[{"subnet": "10.231.4.0/24"}]]}}).encode()
        return [Parallel([os.path.join(plugin_dir, "host-local")], cni_env("ADD", nspath, cni_path=plugin_dir, extra=extra), c, n,
                         lambda: shutil.rmtree(os.path.join(work, store), ignore_errors=True))]

    sides = {j.label: side(JBIN, "par-" + j.label, j.extra) for j in cold}
    if warm:
        sides["warm"] = side(JBIN, "par-warm", {})
    sides["go"] = side(GO, "par-go", {})
    return Row(f"{n} parallel host-local ADDs", sides, "time until the last of them ends", heavy=True, plugin="host-local",
               command="ADD")


def podman_missing():
    """Why the podman row cannot run here, or '' when it can."""
    for tool in ("/usr/bin/podman", "/usr/sbin/runc", "/bin/busybox"):
        if not os.access(tool, os.X_OK):
            return f"{tool} is missing (apt-get install podman runc busybox-static)"
    v = subprocess.run(["podman", "--version"], capture_output=True, text=True).stdout
    if " 4." not in v:
        return f"written for podman 4 with the CNI backend, found {v.strip()}"
    return ""


class PodmanRow(Row):
    """podman run --rm IMAGE true on a bridge+host-local+portmap network, as docs/runtimes.md sets podman up:
    a private podman (storage, CONTAINERS_CONF with network_backend "cni" and one plugin dir per side), a
    busybox image imported from a tar, runc and cgroupfs, the ulimits this machine needs."""

    def __init__(self, work, br, cold, warm):
        super().__init__("podman run --rm true", {}, "bridge+host-local+portmap, 10 plugin execs per run", heavy=True,
                         plugin="bridge", command="ADD")
        self.home = os.path.join(work, "podman")
        self.bridges = []
        # runc cannot put a real-time process into the container's cpu cgroup (no real-time budget
        # there): under --rt this row, and the daemon while it runs, are at normal priority
        self.normal = True
        os.makedirs(os.path.join(self.home, "image", "bin"))
        for name, plugin_dir, subnet in (("jcni", JBIN, "10.231.6.0/24"), ("go", GO, "10.231.7.0/24")):
            d = os.path.join(self.home, "conf", name)
            net = os.path.join(d, "net.d")
            os.makedirs(net)
            with open(os.path.join(d, "containers.conf"), "w") as f:
                f.write(f'[network]\nnetwork_backend = "cni"\ncni_plugin_dirs = ["{plugin_dir}"]\nnetwork_config_dir = "{net}"\n')
            bridge = f"{br}{name[0]}p"
            self.bridges.append(bridge)
            with open(os.path.join(net, f"jcnibench-{name}.conflist"), "w") as f:
                json.dump({"cniVersion": "1.0.0", "name": f"jcnibench-{name}", "plugins": [
                    {"type": "bridge", "bridge": bridge, "isGateway": True, "ipMasq": True, "hairpinMode": True,
                     "ipam": {"type": "host-local", "dataDir": os.path.join(work, "ipam-podman"),
                              "routes": [{"dst": "0.0.0.0/0"}], "ranges": [[{"subnet": subnet}]]}},
                    {"type": "portmap", "capabilities": {"portMappings": True}}]}, f)
        root = os.path.join(self.home, "image")
        shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
        for applet in ("sh", "true"):
            os.symlink("busybox", os.path.join(root, "bin", applet))
        tar = os.path.join(self.home, "busybox.tar")
        subprocess.run(["tar", "-C", root, "-cf", tar, "."], check=True)
        self.podman("jcni", "import", tar, "localhost/jcnibench-busybox:latest")

        def run(name, extra):
            env = dict(BASE_ENV, CONTAINERS_CONF=os.path.join(self.home, "conf", name, "containers.conf"), **extra)
            placed = ["--cgroup-parent", PODMAN_CGROUP_PARENT] if PODMAN_CGROUP_PARENT else []
            return [Step(self.argv("run", "--rm", *placed, "--network", f"jcnibench-{name}", "--ulimit", "nofile=1024:1024",
                                   "--ulimit", "nproc=4096:4096", "localhost/jcnibench-busybox:latest", "true"), env,
                         normal=True)]

        for j in cold:
            self.sides[j.label] = run("jcni", j.extra)
        if warm:
            self.sides["warm"] = run("jcni", {})
        self.sides["go"] = run("go", {})
        self.times = {s: [] for s in self.sides}
        self.rss = {s: 0.0 for s in self.sides}

    def argv(self, *args):
        return ["/usr/bin/podman", "--root", os.path.join(self.home, "root"), "--runroot", os.path.join(self.home, "runroot"),
                "--tmpdir", os.path.join(self.home, "tmp"), "--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"] + list(args)

    def podman(self, conf, *args):
        env = dict(BASE_ENV, CONTAINERS_CONF=os.path.join(self.home, "conf", conf, "containers.conf"), JCNI_WARM="off")
        return subprocess.run(self.argv(*args), env=env, capture_output=True, stdin=subprocess.DEVNULL,
                              preexec_fn=lambda: os.sched_setscheduler(0, NORMAL[0], NORMAL[1]))

    def nproc(self):
        """podman's own process limit (soft, hard), as an operator reads it: from a conmon (no network)."""
        self.podman("jcni", "run", "-d", "--name", "jcnibench-limits", "--network", "none", "--cgroup-parent",
                    PODMAN_CGROUP_PARENT, "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
                    "localhost/jcnibench-busybox:latest", "sh", "-c", "sleep 600")
        try:
            pid = self.podman("jcni", "inspect", "--format", "{{.State.ConmonPid}}", "jcnibench-limits").stdout.decode().strip()
            line = next(l for l in open(f"/proc/{pid}/limits") if l.startswith("Max processes"))
            return line[26:].split()[:2]
        finally:
            self.podman("jcni", "rm", "-f", "-t", "0", "jcnibench-limits")

    def cleanup(self):
        self.podman("jcni", "rm", "-a", "-f", "-t", "0")
        self.podman("jcni", "rmi", "-a", "-f")
        mounts = [l.split()[1] for l in open("/proc/self/mounts") if l.split()[1].startswith(self.home + "/")]
        for m in reversed(mounts):
            subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", "--one-file-system", self.home])
        for b in self.bridges:
            subprocess.run(["ip", "link", "del", b], stderr=subprocess.DEVNULL)


# ------------------------------------------------------------------------------------------ choices


def copy_dist(work, name, drop):
    """A copy of the distribution without some of its files (e.g. the archives)."""
    target = os.path.join(work, name)
    shutil.copytree(DIST, target, symlinks=True)
    for root, dirs, files in os.walk(os.path.join(target, "lib", "archives")):
        for f in files:
            if drop(f):
                os.remove(os.path.join(root, f))
    return os.path.join(target, "bin")


def choice_rows(work, nspath, br, cold, warm, vs_dists):
    """Each start-up choice of jcni against its alternative ("with" = what jcni ships)."""
    extra = cold[0].extra
    ipam = {"type": "host-local", "dataDir": os.path.join(work, "ipam"), "ranges": [[{"subnet": "10.231.8.0/24"}]]}
    ptp = json.dumps({"cniVersion": "1.0.0", "name": "jcnibenchc", "type": "ptp", "ipam": ipam}).encode()
    bridge = json.dumps({"cniVersion": "1.0.0", "name": "jcnibenchb", "type": "bridge", "bridge": br, "isGateway": True,
                         "ipMasq": True, "ipam": dict(ipam, ranges=[[{"subnet": "10.231.9.0/24"}]])}).encode()
    no_archives = copy_dist(work, "no-archives", lambda f: True)
    no_version_archive = copy_dist(work, "no-version-archive", lambda f: "-VERSION." in f)
    rows = []

    def version(bin_dir, plugin, x=extra):
        # the JVM's VERSION (the shim answers the common case without one; --jcni-cold goes past it)
        return [Step([os.path.join(bin_dir, plugin)] + (["--jcni-cold"] if x.get("JCNI_WARM") == "off" else []),
                     dict(BASE_ENV, CNI_COMMAND="VERSION", **x), VERSION_CONF)]

    def cycle(bin_dir, plugin, c, x=extra):
        return [Step([os.path.join(bin_dir, plugin)], cni_env(v, nspath, cni_path=bin_dir, extra=x), c) for v in ("ADD", "DEL")]

    def row(name, with_steps, without_steps, note=""):
        rows.append(Row(name, {"with": with_steps, "without": without_steps}, note))

    row("trained archive (host-local VERSION)", version(JBIN, "host-local"), version(no_archives, "host-local"),
        "without: only the JDK's own CDS archive")
    row("VERSION-only archive (bridge VERSION)", version(JBIN, "bridge"), version(no_version_archive, "bridge"),
        "without: the archive trained on every call")
    row("trained archive (ptp+host-local ADD+DEL)", cycle(JBIN, "ptp", ptp), cycle(no_archives, "ptp", ptp))
    row("in-process IPAM (ptp+host-local ADD+DEL)", cycle(JBIN, "ptp", ptp),
        cycle(JBIN, "ptp", ptp, dict(extra, JCNI_JAVA_OPTS="-Djcni.dist.id=another-distribution")),
        "without: host-local exec'd as a second JVM")
    j25 = [j for j in cold if j.feature >= 25]
    j17 = [j for j in cold if j.feature == 17]
    if j25 and j17:
        row("Java 25 + AOT cache vs Java 17 + AppCDS (ptp ADD+DEL)", cycle(JBIN, "ptp", ptp, j25[0].extra),
            cycle(JBIN, "ptp", ptp, j17[0].extra))
        row("Java 25 + AOT cache vs Java 17 + AppCDS (bridge VERSION)", version(JBIN, "bridge", j25[0].extra),
            version(JBIN, "bridge", j17[0].extra))
    if j17:
        spawn_opts = dict(j17[0].extra, JCNI_JAVA_OPTS="-Djdk.lang.Process.launchMechanism=POSIX_SPAWN")
        row("vfork vs posix_spawn, Java 17 (bridge ipMasq ADD+DEL)", cycle(JBIN, "bridge", bridge, j17[0].extra),
            cycle(JBIN, "bridge", bridge, spawn_opts), "the iptables processes of ipMasq")
    if warm:
        row("warm mode vs cold (bridge ipMasq ADD+DEL)", cycle(JBIN, "bridge", bridge, {}), cycle(JBIN, "bridge", bridge))
        row("warm mode vs cold (bridge VERSION)", version(JBIN, "bridge", {}), version(JBIN, "bridge"))
    for label, with_dir, without_dir in vs_dists:
        wb, wob = os.path.join(with_dir, "bin"), os.path.join(without_dir, "bin")
        for j in cold:
            row(f"{label}, {j.label} (ptp+host-local ADD+DEL)", cycle(wb, "ptp", ptp, j.extra), cycle(wob, "ptp", ptp, j.extra),
                f"with: {with_dir}, without: {without_dir}")
            row(f"{label}, {j.label} (bridge VERSION)", version(wb, "bridge", j.extra), version(wob, "bridge", j.extra))
            row(f"{label}, {j.label} (bridge+host-local ipMasq ADD+DEL)", cycle(wb, "bridge", bridge, j.extra),
                cycle(wob, "bridge", bridge, j.extra))
    return rows


# ------------------------------------------------------------------------------------------ execs


def exec_counts(work, nspath, br, cold):
    """The processes one cold ADD and one DEL start (strace -f -e trace=execve), jcni and Go, by program."""
    ipam = {"type": "host-local", "dataDir": os.path.join(work, "ipam-execs"), "ranges": [[{"subnet": "10.231.10.0/24"}]]}
    confs = {"bridge": {"cniVersion": "1.0.0", "name": "jcnibenchx", "type": "bridge", "bridge": br, "isGateway": True,
                        "ipMasq": True, "ipam": ipam},
             "ptp": {"cniVersion": "1.0.0", "name": "jcnibenchxp", "type": "ptp", "ipMasq": True,
                     "ipam": dict(ipam, ranges=[[{"subnet": "10.231.11.0/24"}]])}}
    print("execs per call (strace -f -e trace=execve; successful execs by program; jcni cold):")
    sides = [(f"jcni {j.label}", JBIN, j.extra) for j in cold] + [("go", GO, {})]
    for plugin, c in confs.items():
        what = f"{plugin}+host-local, ipMasq"
        for side, bin_dir, extra in sides:
            for verb in ("ADD", "DEL"):
                trace = os.path.join(work, f"strace-{plugin}-{side}-{verb}")
                argv = ["/usr/bin/strace", "-f", "-qq", "-e", "trace=execve", "-o", trace, os.path.join(bin_dir, plugin)]
                wall, code, out, err, _ = run_once(argv, cni_env(verb, nspath, "execs", bin_dir, extra), json.dumps(c).encode())
                if code != 0:
                    raise SystemExit(f"execs: {plugin} {verb} ({side}) failed: {out.decode()} {err.decode()}")
                counts, pending = {}, {}
                for line in open(trace):  # "PID execve("/path", ...) = 0", or split in <unfinished ...> and resumed
                    pid, _, rest = line.partition(" ")
                    if 'execve("' in rest:
                        name = os.path.basename(rest.split('execve("', 1)[1].split('"', 1)[0])
                        if "<unfinished" in rest:
                            pending[pid] = name
                            continue
                    elif "execve resumed" in rest and pid in pending:
                        name = pending.pop(pid)
                    else:
                        continue
                    if rest.rstrip().endswith("= 0"):
                        counts[name] = counts.get(name, 0) + 1
                total = sum(counts.values())
                detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
                print(f"  {what:28s} {side:11s} {verb}: {total:3d} execs ({detail})")


# ------------------------------------------------------------------------------------------ phases

def phases(work, nspath, br, cold, runs=7):
    """Where one cold call's time goes, from the system calls that mark its phases (strace -f -ttt): the
    launcher (sh) until it execs java, the JVM's creation (-Xlog:startuptime), the first namespace or
    netlink work, host-local's store lock, the helper processes (iptables, nft), the result on stdout, the
    exit; and the classes by source (-Xlog:class+load). Medians of a few runs; strace makes the JVM's
    start slower than untraced (thread creation under ptrace), so read the phases as shares."""
    data_dir = os.path.join(work, "ipam-phases")
    ipam = {"type": "host-local", "dataDir": data_dir, "ranges": [[{"subnet": "10.231.13.0/24"}]]}
    calls = [("ptp", {"cniVersion": "1.0.0", "name": "jcnibenchph", "type": "ptp", "ipam": ipam}),
             ("bridge", {"cniVersion": "1.0.0", "name": "jcnibenchphb", "type": "bridge", "bridge": br, "isGateway": True,
                         "ipMasq": True, "ipam": dict(ipam, ranges=[[{"subnet": "10.231.14.0/24"}]])})]
    verbs = ("VERSION", "ADD", "DEL")
    hello = hello_world(work)
    for j in cold:
        print(f"\nphases of one cold call on {j.label} ({j.runtime}), medians of {runs} runs, "
              f"ms since the launcher's exec (under strace, slower than untraced: read them as shares):")
        cl = os.path.join(work, "classes.log")
        trace = os.path.join(work, "phases.strace")
        hello_samples = []
        for _ in range(runs):
            argv = ["/usr/bin/strace", "--seccomp-bpf", "-f", "-ttt", "-q", "-e", "trace=execve,exit_group,write", "-o", trace,
                    j.java, f"-Xlog:class+load:file={cl}:uptime", f"-Xlog:startuptime:file={cl}.vm:uptime"] + JVM_OPTS + [
                    "-cp", hello, "Hello"]
            run_once(argv, dict(BASE_ENV))
            hello_samples.append(phase_sample(trace, cl))
        print("  java hello world (the same JVM options, the JDK's own CDS archive):")
        for k in sorted(hello_samples[0], key=lambda k: (k.endswith("(count)"), statistics.median(h[k] for h in hello_samples))):
            if "helper" not in k and "launcher" not in k:
                print(f"    {statistics.median(h[k] for h in hello_samples):8.1f}  {k}")
        for plugin, c in calls:
            samples = {v: [] for v in verbs}
            for _ in range(runs):
                for verb in verbs:
                    cl = os.path.join(work, "classes.log")
                    trace = os.path.join(work, "phases.strace")
                    x = dict(j.extra, JCNI_JAVA_OPTS=f"-Xlog:class+load:file={cl}:uptime -Xlog:startuptime:file={cl}.vm:uptime")
                    # few system calls, and only those stop (seccomp): no read (the launcher's shell reads its
                    # files a byte at a time), no openat; the first flock is host-local's store lock
                    argv = ["/usr/bin/strace", "--seccomp-bpf", "-f", "-ttt", "-q", "-e",
                            "trace=execve,exit_group,write,socket,setns,flock", "-o", trace, os.path.join(JBIN, plugin),
                            "--jcni-cold"]
                    env = dict(BASE_ENV, CNI_COMMAND="VERSION", **x) if verb == "VERSION" else cni_env(verb, nspath, "phases", JBIN, x)
                    _, code, out, err, _ = run_once(argv, env, VERSION_CONF if verb == "VERSION" else json.dumps(c).encode())
                    if code != 0:
                        raise SystemExit(f"phases: {plugin} {verb} failed: {out.decode()} {err.decode()}")
                    samples[verb].append(phase_sample(trace, cl))
            for verb in verbs:
                keys = list(dict.fromkeys(k for smp in samples[verb] for k in smp))
                med = {k: statistics.median(smp[k] for smp in samples[verb] if k in smp) for k in keys}
                print(f"  {plugin} {verb}:")
                for k in sorted(keys, key=lambda k: (k.endswith("(count)"), med[k])):
                    print(f"    {med[k]:8.1f}  {k}")


def warm_phases(work, nspath, br, daemon, runs=15):
    """Where one warm call's time goes: the shim and the daemon mark each step of the call when the call's
    environment sets JCNI_WARM_PHASES=1 (CLOCK_MONOTONIC, the clock of time.monotonic_ns here), and add up
    the repeated work inside it (netlink round trips, setns, file locks, fsyncs, helper processes). Each
    call runs through the launcher (bin/<plugin>: the compiled entry point, or sh then the shim), through
    the sh launcher lib/launchers/<plugin> when there is one (sh, then the shim: the launcher before the
    entry point) and with the shim exec'd directly, so that the launcher's share shows; and as Go's plugin,
    for the total to compare with. Medians of the runs, in ms since the spawn (for a mark) or per call (for
    a sum: count and time)."""
    props = dict(l.strip().split("=", 1) for l in open(os.path.join(DIST, "lib", "jcni-dist.properties")) if "=" in l)
    shim = os.path.join(DIST, "lib", "jcni-shim")
    data_dir = os.path.join(work, "ipam-warm-phases")
    ipam = {"type": "host-local", "dataDir": data_dir, "ranges": [[{"subnet": "10.231.15.0/24"}]]}
    calls = [("host-local", {"cniVersion": "1.0.0", "name": "jcnibenchwh", "type": "host-local",
                             "ipam": dict(ipam, ranges=[[{"subnet": "10.231.16.0/24"}]])}),
             ("ptp", {"cniVersion": "1.0.0", "name": "jcnibenchwp", "type": "ptp", "ipam": ipam}),
             ("bridge", {"cniVersion": "1.0.0", "name": "jcnibenchwb", "type": "bridge", "bridge": br, "isGateway": True,
                         "ipMasq": True, "ipam": dict(ipam, ranges=[[{"subnet": "10.231.17.0/24"}]])})]

    def one(argv, env, stdin):
        path = WORK.file(stdin)
        t0 = time.monotonic_ns()
        pid = spawn(argv, env, path, WORK.out, WORK.err)
        _, status, _ = os.wait4(pid, 0)
        t1 = time.monotonic_ns()
        err = open(WORK.err, "rb").read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"warm phases: {' '.join(argv)} failed: {open(WORK.out, 'rb').read().decode()} {err[-2000:]}")
        marks, sums = {"exit (wait4 returned)": (t1 - t0) / 1e6}, {}
        for line in err.splitlines():
            f = line.split(" ", 4)
            if len(f) >= 4 and f[0] == "jcni-phase" and f[1] == "mark":
                marks.setdefault(" ".join(f[3:]), (int(f[2]) - t0) / 1e6)
            elif len(f) == 5 and f[0] == "jcni-phase" and f[1] == "sum":
                sums[f[4]] = (int(f[2]), int(f[3]) / 1e6)
        return marks, sums

    def show(title, samples):
        keys = list(dict.fromkeys(k for m, _ in samples for k in m))
        med = {k: statistics.median(m[k] for m, _ in samples if k in m) for k in keys}
        print(f"  {title}:")
        prev = 0.0
        for k in sorted(keys, key=lambda k: med[k]):
            print(f"    {med[k]:8.3f}  (+{med[k] - prev:6.3f})  {k}")
            prev = med[k]
        for k in list(dict.fromkeys(k for _, s in samples for k in s)):
            n = statistics.median(s[k][0] if k in s else 0 for _, s in samples)
            t = statistics.median(s[k][1] if k in s else 0.0 for _, s in samples)
            print(f"    {t:8.3f}  {n:g} x  {k}")

    print(f"\nphases of one warm call (daemon {daemon.java}), medians of {runs} runs, ms since the spawn; "
          f"(+delta) from the mark above; then the sums of repeated work per call:")
    plans = [("host-local", ("VERSION",), VERSION_CONF)] + [(p, ("ADD", "DEL"), json.dumps(c).encode()) for p, c in calls]
    for plugin, verbs, stdin in plans:
        # "sh launcher": lib/launchers/<plugin>, what bin/<plugin> was before it became a compiled entry point
        sh_launcher = os.path.join(DIST, "lib", "launchers", plugin)
        sides = ["launcher"] + (["sh launcher"] if os.access(sh_launcher, os.X_OK) else []) + ["shim direct", "go"]
        res = {v: {side: [] for side in sides} for v in verbs}
        for i in range(runs + 1):
            for side in res[verbs[0]]:
                if side == "go":
                    argv, cni_path = [os.path.join(GO, plugin)], GO
                elif side == "launcher":
                    argv, cni_path = [os.path.join(JBIN, plugin)], JBIN
                elif side == "sh launcher":
                    argv, cni_path = [sh_launcher], JBIN
                else:
                    argv, cni_path = [shim, daemon.sock, props["id"], plugin, os.path.join(JBIN, plugin)], JBIN
                extra = {"JCNI_WARM_PHASES": "1"} if side != "go" else {}
                for verb in verbs:  # one attachment at a time: ADD, then its DEL
                    env = dict(BASE_ENV, CNI_COMMAND="VERSION", **extra) if verb == "VERSION" else cni_env(
                        verb, nspath, f"wph{i}", cni_path, extra)
                    sample = one(argv, env, stdin)
                    if i > 0:  # the first round warms caches
                        res[verb][side].append(sample)
        for verb in verbs:
            print(f"\n {plugin} {verb}:")
            for side, samples in res[verb].items():
                if side == "go":
                    print(f"  go: {statistics.median(m['exit (wait4 returned)'] for m, _ in samples):.3f} ms")
                else:
                    show(f"jcni warm, {side}", samples)


def phase_sample(trace, classes_log):
    """One run's marks: {label: ms since the launcher's exec, or a count}."""
    t0 = tjava = None
    marks, helpers, helper_pids, last_exit = {}, 0, set(), None

    def mark(label, t):
        marks.setdefault(label, (t - t0) * 1000)

    for line in open(trace):
        f = line.split(None, 2)
        if len(f) < 3:
            continue
        pid, t, call = f[0], float(f[1]), f[2]
        if t0 is None:
            t0 = t
        if call.startswith("execve(") and "= -1" not in call:
            name = os.path.basename(call.split('"', 2)[1])
            if name == "java" and tjava is None:
                tjava = t
                mark("launcher (sh) execs java", t)
            elif tjava is not None and name != "java":
                if name != "jspawnhelper":
                    helpers += 1
                helper_pids.add(pid)
                mark("first helper process (iptables, nft) exec'd", t)
        elif tjava is None:
            continue
        elif call.startswith("flock("):
            mark("first IPAM store lock (host-local in-process)", t)
        elif call.startswith("setns(") or call.startswith("socket(AF_NETLINK"):
            mark("first namespace or netlink work", t)
        elif call.startswith("write(1,"):
            mark("result written on stdout", t)
        elif call.startswith("+++ exited") and pid in helper_pids:
            last_exit = t
        if call.startswith("exit_group(") and tjava is not None and pid not in helper_pids:
            marks["exit (exit_group)"] = (t - t0) * 1000
    if last_exit is not None:
        marks["last helper process exited"] = (last_exit - t0) * 1000
    # the JVM's uptime starts about at its exec
    for line in open(classes_log + ".vm"):
        if "Create VM" in line and tjava is not None:
            marks["JVM created (-Xlog:startuptime Create VM)"] = (tjava - t0) * 1000 + float(line[1:line.index("s]")]) * 1000
    marks["helper processes (count)"] = helpers
    sources = {"archive": 0, "jar": 0, "other": 0}
    for line in open(classes_log):
        src = line.split("source: ", 1)[1] if "source: " in line else ""
        key = "archive" if "shared objects file" in src else "jar" if src.startswith(("jar:", "file:")) else "other"
        sources[key] += 1
    for k, v in sources.items():
        marks[f"classes loaded from {k} (count)"] = v
    return marks


# ------------------------------------------------------------------------------------------ report


def fmt_side(r, side, ref):
    t = r.times.get(side)
    if not t:
        return f"{'-':>8s} {'':13s} {'':>6s}"
    m = statistics.median(t)
    ratio = f"{m / statistics.median(r.times[ref]):6.2f}" if ref and r.times.get(ref) else f"{'':6s}"
    return f"{m:8.1f} {pct(t, .1):6.1f}-{pct(t, .9):<6.1f} {ratio}"


def report(rows, cols, ref, cold, args):
    w = max(len(r.name) for r in rows)
    head = f"{'row':{w}s}"
    for c in cols:
        head += f" {c + ' ms':>8s} {'(p10-p90)':13s} {('/' + ref) if c != ref else '':>6s}"
    head += "  peak RSS MiB (" + ", ".join(cols) + ")"
    print(head)
    data = []
    for r in rows:
        line = f"{r.name:{w}s}"
        for c in cols:
            line += " " + fmt_side(r, c, ref if c != ref else None)
        line += "  " + " / ".join(f"{r.rss[c]:.0f}" if c in r.rss else "-" for c in cols)
        print(line)
        entry = {"row": r.name, "note": r.note, "runs": len(next(iter(r.times.values())))}
        for c in cols:
            if r.times.get(c):
                entry[c] = {"median_ms": statistics.median(r.times[c]), "p10_ms": pct(r.times[c], .1),
                            "p90_ms": pct(r.times[c], .9), "peak_rss_mib": r.rss[c], "times_ms": r.times[c]}
        data.append(entry)
    if not args.choices:
        print("\narchives of the cold columns (lib/archives/<JAVA_RUNTIME_VERSION>/):")
        for r in rows:
            if r.plugin:
                print(f"  {r.name:{w}s} " + ", ".join(f"{j.label}: {j.archive(r.plugin, r.command)}" for j in cold))
    return data


def targets(rows, cold, daemon_rss):
    """The targets of the speed issues (part 1: cold, part 2: warm) against this run's medians."""
    by = {r.name: r for r in rows}

    def med(name, side):
        r = by.get(name)
        return statistics.median(r.times[side]) if r and r.times.get(side) else None

    lines = []

    def check(what, value, limit, unit="x"):
        if value is None:
            return
        lines.append(f"  {'met   ' if value <= limit else 'MISSED'} {what}: {value:.2f}{unit} (target <= {limit}{unit})")

    for j in cold:
        hello = med("java hello world", j.label)
        for p in ("bridge", "ptp", "host-local", "portmap"):
            v = med(f"VERSION {p}", j.label)
            check(f"{j.label} VERSION {p} / hello world", v / hello if v and hello else None, 1.2)
        for name in ("bridge+host-local ipMasq ADD+DEL", "ptp+host-local ADD+DEL"):
            v, g = med(name, j.label), med(name, "go")
            check(f"{j.label} {name} / Go", v / g if v and g else None, 5)
        rss = max((r.rss.get(j.label, 0) for r in rows if not r.name.startswith(("podman", "jcni CLI", "java"))), default=None)
        check(f"{j.label} peak RSS of a plugin process", rss, 64, " MiB")
    for name, limit in (("bridge+host-local ipMasq ADD+DEL", 1.0), ("ptp+host-local ADD+DEL", 1.0),
                        ("VERSION bridge", 2), ("VERSION ptp", 2), ("VERSION host-local", 2), ("VERSION portmap", 2),
                        ("50 parallel host-local ADDs", 1.0), ("podman run --rm true", 1.2)):
        v, g = med(name, "warm"), med(name, "go")
        check(f"warm {name} / Go", v / g if v and g else None, limit)
    if daemon_rss is not None:
        check("warm daemon RSS after this run (10,000 calls: bench/warm-soak.sh, --soak)", daemon_rss, 128, " MiB")
    print("\ntargets (issue 9: cold, issue 10: warm):")
    print("\n".join(lines))
    lines.clear()
    for name in ("bridge+host-local ipMasq ADD+DEL", "ptp+host-local ADD+DEL", "host-local ADD+DEL", "bridge+host-local CHECK",
                 "VERSION bridge", "VERSION ptp", "VERSION host-local", "VERSION portmap", "50 parallel host-local ADDs"):
        v, g = med(name, "warm"), med(name, "go")
        check(f"warm {name} / Go", v / g if v and g else None, 0.5)
    for j in cold:
        for name, limit in (("VERSION bridge", 1.0), ("VERSION ptp", 1.0), ("VERSION host-local", 1.0), ("VERSION portmap", 1.0),
                            ("bridge+host-local ipMasq ADD+DEL", 5), ("ptp+host-local ADD+DEL", 5)):
            v, g = med(name, j.label), med(name, "go")
            check(f"{j.label} {name} / Go", v / g if v and g else None, limit)
    v, g = med("podman run --rm true", "warm"), med("podman run --rm true", "go")
    check("warm podman run --rm true / Go", v / g if v and g else None, 0.9)
    print("\ntargets of issue 22:")
    print("\n".join(lines))


def main():
    global WORK
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--heavy-runs", type=int, default=8)
    ap.add_argument("--budget", type=float, default=0)
    ap.add_argument("--rows", default="")
    ap.add_argument("--java", default="")
    ap.add_argument("--no-warm", action="store_true")
    ap.add_argument("--rt", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--soak", type=int, default=0)
    ap.add_argument("--choices", action="store_true")
    ap.add_argument("--execs", action="store_true")
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--no-cold", action="store_true")
    ap.add_argument("--vs-dist", action="append", default=[], metavar="LABEL=WITH:WITHOUT")
    ap.add_argument("--podman-warm", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (namespaces, bridges, firewall rules of its own)")
    if not os.access(os.path.join(JBIN, "bridge"), os.X_OK):
        raise SystemExit("build first: mvn -B -q package -DskipTests")
    if not os.access(os.path.join(GO, "bridge"), os.X_OK):
        raise SystemExit("needs the Go plugins in /usr/lib/cni (apt-get install containernetworking-plugins)")
    warm_ok = not args.no_warm
    if warm_ok and not os.access(os.path.join(DIST, "lib", "jcni-shim"), os.X_OK):
        print("# no warm column: lib/jcni-shim is missing (gcc was absent at package time)")
        warm_ok = False
    vs_dists = []
    for v in args.vs_dist:
        label, dirs = v.split("=", 1)
        vs_dists.append((label,) + tuple(os.path.abspath(d) for d in dirs.split(":", 1)))
    if args.rt:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(10))
    # SIGTERM and SIGHUP unwind like Ctrl-C, through the cleanup below
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: (_ for _ in ()).throw(KeyboardInterrupt()))

    WORK = Work()
    work = WORK.dir
    ns = f"jcnibench{os.getpid()}"
    br = f"jbb{os.getpid() % 100000}"
    nspath = f"/run/netns/{ns}"
    rows, daemon, data = [], None, []
    started = time.time()
    global PODMAN_CGROUP_PARENT
    if args.podman_warm:
        PODMAN_CGROUP_PARENT = own_cgroup() + f"/jcnibench{os.getpid()}"
    try:
        subprocess.run(["ip", "netns", "add", ns], check=True)
        cold = [Jvm(h) for h in args.java.split(",")] if args.java else [Jvm("")]
        labels = [j.label for j in cold]
        for i, j in enumerate(cold):  # two homes of one feature version: tell them apart
            if labels.count(j.label) > 1:
                j.label += f"#{i}"
        if warm_ok:
            daemon = Daemon(cold[0], work)
        warm = daemon is not None
        if args.execs or args.phases:
            if args.execs:
                exec_counts(work, nspath, br, cold)
            if args.phases:
                if daemon:
                    warm_phases(work, nspath, br, daemon)
                if not args.no_cold:
                    phases(work, nspath, br, cold)
            return
        if args.choices:
            rows = choice_rows(work, nspath, br, cold, warm, vs_dists)
            cols, ref = ["with", "without"], "without"
        else:
            rows = build_rows(work, nspath, br, cold, warm, podman_missing())
            podman = [r for r in rows if isinstance(r, PodmanRow)]
            if args.podman_warm and daemon and podman:
                soft, hard = podman[0].nproc()
                daemon.stop()
                daemon = Daemon(cold[0], work, ["--cgroup", PODMAN_CGROUP_PARENT + "/conmon/jcni",
                                                "--rlimit", f"nproc={soft}:{hard}"], normal=True)
            cols, ref = [j.label for j in cold] + (["warm"] if warm else []) + ["go"], "go"
        wanted = [r for r in rows if not args.rows or any(w in r.name for w in args.rows.split(","))]
        header(args, cold, daemon)
        for r in wanted:
            if r.note:
                print(f"# {r.name}: {r.note}")
        for i in range(args.runs + 2):
            if args.budget and i >= 7 and time.time() - started > args.budget * 60:
                print(f"# time budget of {args.budget:g} min reached: {i - 2} rounds instead of {args.runs}")
                break
            for row in wanted:
                if row.heavy and i >= args.heavy_runs + 2:
                    continue
                sides = list(row.sides)
                k = i % len(sides)
                lowered = row.normal and args.rt and daemon
                if lowered:
                    set_policy(daemon.proc.pid, NORMAL)
                try:
                    for side in sides[k:] + sides[:k]:
                        row.measure(side)
                finally:
                    if lowered:
                        set_policy(daemon.proc.pid, (os.SCHED_RR, os.sched_param(10)))
        for row in wanted:
            for side in row.times:
                del row.times[side][:2]  # the first two rounds are warm-up (page cache, first files, podman's storage)
        print()
        data = report(wanted, cols, ref, cold, args)
        daemon_rss = None
        if daemon:
            daemon_rss = daemon.status("VmRSS")
            print(f"\nwarm-mode daemon: pid {daemon.proc.pid}, {daemon.java}, RSS {daemon_rss:.0f} MiB after this run "
                  f"(peak {daemon.status('VmHWM'):.0f} MiB)")
        if PODMAN_CGROUP_PARENT and daemon:
            print("# --podman-warm, the daemon's own count (jcni metrics): "
                  + "; ".join(l for l in daemon_metrics(daemon).splitlines()
                              if l.startswith(("jcni_calls_total{plugin=\"bridge\"", "jcni_calls_total{plugin=\"portmap\"",
                                               "jcni_refusals_total"))))
        if not args.choices:
            targets(wanted, cold, daemon_rss)
        print(f"\n# {len(wanted)} rows, {max(len(t) for r in wanted for t in r.times.values())} rounds "
              f"({min(args.heavy_runs, args.runs)} at most for the heavy rows), "
              f"{(time.time() - started) / 60:.1f} min; load now {os.getloadavg()[0]:.2f}")
    finally:
        for row in rows:
            row.cleanup()
        if daemon:
            daemon.stop()
        if PODMAN_CGROUP_PARENT:
            remove_cgroups(PODMAN_CGROUP_PARENT)
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "del", br], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "del", br + "c"], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "rows": data}, f, indent=2)
    if args.soak:
        sys.stdout.flush()
        subprocess.run(["bash", os.path.join(ROOT, "bench", "warm-soak.sh"), str(args.soak)], check=True)


def daemon_metrics(daemon):
    """The daemon's metrics text, from its root-only metrics socket."""
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(daemon.sock[:-len(".sock")] + ".metrics.sock")
        return b"".join(iter(lambda: c.recv(65536), b"")).decode()


def own_cgroup():
    """The deepest of this process's cgroup paths ("" for the root), which must contain the others."""
    paths = [l.rstrip("\n").split(":", 2)[2] for l in open("/proc/self/cgroup")]
    deepest = max(paths, key=len)
    if any(p != "/" and p != deepest and not deepest.startswith(p + "/") for p in paths):
        raise SystemExit(f"--podman-warm: this process's cgroups do not nest: {paths}")
    return "" if deepest == "/" else deepest


def remove_cgroups(cgroup):
    """rmdir a cgroup and those below it in every hierarchy under /sys/fs/cgroup, deepest first."""
    for base in ["/sys/fs/cgroup"] + [os.path.join("/sys/fs/cgroup", d) for d in os.listdir("/sys/fs/cgroup")]:
        top = base + cgroup
        if os.path.isdir(top):
            for d, _, _ in sorted(os.walk(top), key=lambda w: -w[0].count("/")):
                try:
                    os.rmdir(d)
                except OSError as e:
                    print(f"# cannot remove cgroup {d}: {e}", file=sys.stderr)


def header(args, cold, daemon):
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')}  runs={args.runs} heavy-runs={args.heavy_runs}  "
          f"rt={'yes' if args.rt else 'no'}  cpus={os.cpu_count()}  load={os.getloadavg()[0]:.2f}")
    print(f"# distribution {DIST}; Go plugins {GO}")
    for j in cold:
        print(f"# {j.describe()}")
    if daemon:
        print(f"# warm: the launchers hand calls to lib/jcni-daemon on {daemon.sock} ({daemon.java}); "
              f"JCNI_WARM=off in the cold columns")
    if PODMAN_CGROUP_PARENT and daemon:
        placed = [l.split("placed as asked: ", 1)[1].strip() for l in open(daemon.log) if "placed as asked: " in l]
        print(f"# --podman-warm: podman --cgroup-parent {PODMAN_CGROUP_PARENT}; the daemon {' '.join(placed)}, at normal priority")


if __name__ == "__main__":
    main()
