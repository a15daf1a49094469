#!/usr/bin/env python3
"""Two builds' warm mode against each other and Go, at the same load (docs/performance.md, "Issue 22: the
daemon's side"). Root. Usage:

    bench/ab-warm.py BASE_CNI_DIR NEW_CNI_DIR [ROUNDS [PARALLEL_ROUNDS]]

Each CNI_DIR is a packaged distribution (plugins-reference/target/cni of a build); the two must have different
dist names (name= in lib/jcni-dist.properties and dist= in the launchers), since each gets its own daemon on
/run/jcni/<name>.sock, started fresh by this script (so that a daemon's first calls are measured, as on a node).
Round by round, the order rotating: host-local ADD+DEL through each launcher and Go's (ROUNDS, default 40,
after 2 warm-up rounds), then 50 parallel host-local ADDs (PARALLEL_ROUNDS, default 10, after 1). Medians,
ratio to Go. Uses a network namespace and 10.234.x stores of its own, removed at the end."""
import json, os, subprocess, sys, time, statistics, tempfile, shutil
if len(sys.argv) < 3:
    raise SystemExit(__doc__)
SIDES = {"base": os.path.abspath(sys.argv[1]), "new": os.path.abspath(sys.argv[2])}
GO = "/usr/lib/cni"
N = int(sys.argv[3]) if len(sys.argv) > 3 else 40
P = int(sys.argv[4]) if len(sys.argv) > 4 else 10
work = tempfile.mkdtemp(prefix="ds-ab")
ns = f"dsab{os.getpid()}"
subprocess.run(["ip", "netns", "add", ns], check=True)
env0 = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
daemons = []
def spawn(argv, env, stdin, err):
    pid = os.fork()
    if pid == 0:
        fd = os.open(stdin, os.O_RDONLY); os.dup2(fd, 0)
        o = os.open("/dev/null", os.O_WRONLY); os.dup2(o, 1)
        e = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(e, 2)
        os.execve(argv[0], argv, env)
    return pid
def conf(store, name, subnet):
    p = f"{work}/{name}.json"
    open(p, "w").write(json.dumps({"cniVersion": "1.0.0", "name": name, "type": "host-local",
        "ipam": {"type": "host-local", "dataDir": store, "ranges": [[{"subnet": subnet}]]}}))
    return p
try:
    for side, d in SIDES.items():
        log = f"{work}/{side}.log"
        daemons.append(subprocess.Popen([d + "/lib/jcni-daemon"], env=env0, stdout=subprocess.DEVNULL, stderr=open(log, "wb"), stdin=subprocess.DEVNULL))
        for _ in range(900):
            if "serving dist" in open(log).read(): break
            time.sleep(0.1)
        assert "serving dist" in open(log).read(), open(log).read()
    bins = {s: d + "/bin" for s, d in SIDES.items()}; bins["go"] = GO
    order = list(bins)
    seq = {s: [] for s in bins}
    for i in range(N + 2):
        for s in order[i % 3:] + order[:i % 3]:
            c = conf(f"{work}/seq-{s}", "dsabseq", "10.234.1.0/24")
            t0 = time.perf_counter()
            for verb in ("ADD", "DEL"):
                env = dict(env0, CNI_COMMAND=verb, CNI_CONTAINERID=f"c{i}", CNI_NETNS=f"/run/netns/{ns}", CNI_IFNAME="eth0", CNI_PATH=bins[s])
                pid = spawn([bins[s] + "/host-local"], env, c, f"{work}/seq.err")
                _, st = os.waitpid(pid, 0)
                if st: print("FAIL", s, verb, open(f"{work}/seq.err").read()[-500:]); sys.exit(1)
            if i >= 2: seq[s].append((time.perf_counter() - t0) * 1000)
    par = {s: [] for s in bins}
    for i in range(P + 1):
        for s in order[i % 3:] + order[:i % 3]:
            store = f"{work}/par-{s}"; shutil.rmtree(store, ignore_errors=True)
            c = conf(store, "dsabpar", "10.234.4.0/24")
            pids = []
            t0 = time.perf_counter()
            for k in range(50):
                env = dict(env0, CNI_COMMAND="ADD", CNI_CONTAINERID=f"p{k}", CNI_NETNS=f"/run/netns/{ns}", CNI_IFNAME="eth0", CNI_PATH=bins[s])
                pids.append(spawn([bins[s] + "/host-local"], env, c, f"{work}/par{k}.err"))
            bad = sum(os.waitpid(p, 0)[1] != 0 for p in pids)
            w = (time.perf_counter() - t0) * 1000
            n = len([f for f in os.listdir(store + "/dsabpar") if f.startswith("10.")])
            if bad or n != 50: print("PAR FAIL", s, bad, n); sys.exit(1)
            if i >= 1: par[s].append(w)
    for title, r in (("host-local ADD+DEL", seq), ("50 parallel host-local ADDs", par)):
        g = statistics.median(r["go"])
        print(f"{title}: " + "  ".join(f"{s} {statistics.median(v):.1f} ms ({statistics.median(v)/g:.2f}x)" for s, v in r.items()) + f"  [{len(r['go'])} rounds]")
finally:
    for d in daemons:
        d.terminate(); d.wait(30)
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["ip", "netns", "del", ns])
