#!/usr/bin/env python3
"""Checks a Maven repository that `mvn deploy -Prelease` wrote (a file repository, e.g.
target/deploy-repo) against what Maven Central requires of jcni's published artifacts:

- each expected artifact is there, with its pom;
- each pom (with its parent's, for what it inherits) has name, description, url, a license with
  name and url, a developer, and scm connection and url;
- each jar has a sources jar and a javadoc jar beside it, a JPMS module name (module-info.class or
  Automatic-Module-Name), and its Javadoc has no `internal` package.

    check-deployed.py REPO_DIR [VERSION]

Exit status 0 when everything holds; the report names each artifact and what is missing.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

GROUP = "dev/jcni"
POMS = ["jcni-parent", "jcni-bom", "jcni-plugin-parent"]
JARS = {"cni-sdk": "dev.jcni.sdk", "cni-sdk-netlink": "dev.jcni.netlink", "jcni-test-kit": "dev.jcni.testkit",
        "jcni-tools": "dev.jcni.tools", "jcni-maven-plugin": "dev.jcni.maven"}
NOT_PUBLISHED = ["plugins-reference", "jcni-examples"]
NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def newest(repo, artifact, version, suffix):
    """The file of an artifact, for a release or the newest timestamped SNAPSHOT."""
    d = os.path.join(repo, GROUP, artifact, version)
    exact = os.path.join(d, f"{artifact}-{version}{suffix}")
    if os.path.isfile(exact):
        return exact
    if version.endswith("-SNAPSHOT"):
        base = version[: -len("-SNAPSHOT")]
        found = sorted(glob.glob(os.path.join(d, f"{artifact}-{base}-[0-9]*.[0-9]*-[0-9]*{suffix}")))
        if found:
            return found[-1]
    return None


def text(root, path):
    e = root.find(path, NS)
    return (e.text or "").strip() if e is not None and e.text else ""


def metadata(pom, parent):
    """The missing Central metadata of a pom (a value may come from the parent pom)."""
    missing = []
    for label, path in [("name", "m:name"), ("description", "m:description"), ("url", "m:url"),
                        ("license name", "m:licenses/m:license/m:name"), ("license url", "m:licenses/m:license/m:url"),
                        ("developer", "m:developers/m:developer/m:name"), ("scm connection", "m:scm/m:connection"),
                        ("scm url", "m:scm/m:url")]:
        value = text(pom, path) or (text(parent, path) if parent is not None and label != "name" and label != "description" else "")
        if not value or "${" in value:
            missing.append(label)
    return missing


def main():
    repo = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) > 2 else None
    if version is None:
        versions = sorted(os.listdir(os.path.join(repo, GROUP, "cni-sdk"))) if os.path.isdir(os.path.join(repo, GROUP, "cni-sdk")) else []
        versions = [v for v in versions if os.path.isdir(os.path.join(repo, GROUP, "cni-sdk", v))]
        if not versions:
            print(f"check-deployed: no {GROUP}/cni-sdk in {repo}")
            return 1
        version = versions[-1]
    problems = []
    parent_file = newest(repo, "jcni-parent", version, ".pom")
    parent = ET.parse(parent_file).getroot() if parent_file else None
    for artifact in POMS + list(JARS):
        pom_file = newest(repo, artifact, version, ".pom")
        if not pom_file:
            problems.append(f"{artifact}: no pom")
            continue
        pom = ET.parse(pom_file).getroot()
        inherits = text(pom, "m:parent/m:artifactId") == "jcni-parent"
        missing = metadata(pom, parent if inherits else None)
        if missing:
            problems.append(f"{artifact}: pom lacks {', '.join(missing)}")
        if artifact in JARS:
            jar = newest(repo, artifact, version, ".jar")
            for kind in ("sources", "javadoc"):
                if not newest(repo, artifact, version, f"-{kind}.jar"):
                    problems.append(f"{artifact}: no {kind} jar")
            if not jar:
                problems.append(f"{artifact}: no jar")
                continue
            with zipfile.ZipFile(jar) as z:
                names = set(z.namelist())
                manifest = z.read("META-INF/MANIFEST.MF").decode() if "META-INF/MANIFEST.MF" in names else ""
                auto = re.search(r"^Automatic-Module-Name:\s*(\S+)", manifest, re.M)
                if "module-info.class" in names:
                    # the module name is the first constant of the descriptor's this_class; read it the simple way
                    if JARS[artifact].encode() not in z.read("module-info.class"):
                        problems.append(f"{artifact}: module-info.class does not name {JARS[artifact]}")
                elif not auto:
                    problems.append(f"{artifact}: no module-info.class and no Automatic-Module-Name")
            javadoc = newest(repo, artifact, version, "-javadoc.jar")
            if javadoc:
                with zipfile.ZipFile(javadoc) as z:
                    listed = z.read("element-list").decode().split() if "element-list" in z.namelist() else []
                    internal = sorted({p for p in listed if ".internal" in p}
                                      | {n.rsplit("/", 1)[0] for n in z.namelist()
                                         if n.endswith("/package-summary.html") and "/internal/" in n})
                    if not listed:
                        problems.append(f"{artifact}: javadoc jar without element-list")
                    if internal:
                        problems.append(f"{artifact}: javadoc documents internal packages {internal}")
        print(f"check-deployed: {artifact} {version}: {'ok' if not any(p.startswith(artifact + ':') for p in problems) else 'PROBLEMS'}")
    for artifact in NOT_PUBLISHED:
        if os.path.isdir(os.path.join(repo, GROUP, artifact)):
            problems.append(f"{artifact}: deployed, but it is not meant to be published")
    for p in problems:
        print("  " + p)
    print(f"check-deployed: {len(POMS) + len(JARS)} artifacts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
