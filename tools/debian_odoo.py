"""Getting Odoo's files from Debian (standard library only).

Debian's odoo-19 package (sid) and the packages its symlinks point to are downloaded with a private apt
state (``<runtime>/apt``; the machine's apt is never touched) and extracted with ``dpkg-deb -x`` into
``<runtime>/root``; the one file Debian leaves out comes from npm.
"""
import glob
import os
import pwd
import re
import shutil
import subprocess
import tarfile
import tempfile

from bootlib import BootstrapError, human, output, read_text, run, say, write_text

ODOO_PACKAGE = "odoo-19"
# Debian suites: odoo-19 and most of its symlink targets come from sid; Font Awesome 4.7 and the
# Inconsolata.otf that point_of_sale links to only exist in bookworm's packages.
SID_PACKAGES = [
    ODOO_PACKAGE, "libjs-jquery", "libjs-jquery-form", "libjs-underscore", "fonts-roboto-unhinted",
    "fonts-montserrat", "fonts-ocr-b", "fonts-glyphicons-halflings",
]
BOOKWORM_PACKAGES = ["fonts-font-awesome", "fonts-inconsolata"]
SELFIE_NPM = "@mediapipe/selfie_segmentation@0.1.1675465747"
SELFIE_PATH = "mail/static/lib/selfie_segmentation/selfie_segmentation.js"
DEB_PYLIB = "usr/lib/python3/dist-packages"


def apt_sources():
    """Mirror URIs (and keyrings) the machine's apt already uses for Debian's main archive."""
    entries = []
    files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in files:
        if not os.path.isfile(path):
            continue
        for line in read_text(path).splitlines():
            line = line.split("#", 1)[0].strip()
            match = re.match(r"^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$", line)
            if match:
                opts = match.group(1) or ""
                key = re.search(r"signed-by=(\S+?)[\s\]]", opts)
                entries.append((match.group(2), [match.group(3)], match.group(4).split(), key and key.group(1)))
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for stanza in re.split(r"\n\s*\n", read_text(path)):
            fields = {}
            for line in stanza.splitlines():
                if ":" in line and not line.startswith("#"):
                    name, value = line.split(":", 1)
                    fields[name.strip().lower()] = value.strip()
            if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
                continue
            for uri in fields.get("uris", "").split():
                entries.append((uri, fields.get("suites", "").split(), fields.get("components", "").split(),
                                fields.get("signed-by")))
    mirrors = []
    for uri, suites, components, key in entries:
        if "main" not in components or any(s.endswith("-security") for s in suites) or "security" in uri:
            continue
        if "/debian" not in uri:
            continue  # Ubuntu, vendor repositories: not Debian's archive
        if (uri, key) not in mirrors:
            mirrors.append((uri, key))
    return mirrors


def apt_options(state, is_root):
    return [
        "-o", "Dir::State=" + os.path.join(state, "state"),
        "-o", "Dir::State::status=" + os.path.join(state, "status"),
        "-o", "Dir::Cache=" + os.path.join(state, "cache"),
        "-o", "Dir::Etc::SourceList=" + os.path.join(state, "sources.list"),
        "-o", "Dir::Etc::SourceParts=" + os.path.join(state, "sources.list.d"),
        "-o", "Dir::Etc::Preferences=" + os.path.join(state, "preferences"),
        "-o", "Dir::Etc::PreferencesParts=" + os.path.join(state, "preferences.d"),
        "-o", "APT::Sandbox::User=" + ("root" if is_root else pwd.getpwuid(os.getuid()).pw_name),
        "-o", "Debug::NoLocking=1",
    ]


def fetch_debian_odoo(runtime_dir, root, is_root):
    """Download odoo-19 and its symlink targets with a private apt state, extract them into ``root``."""
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        raise BootstrapError(
            "no apt-get/dpkg-deb on this machine to fetch Debian's odoo-19: set ODOO_SRC=/path/to/odoo-19"
        )
    mirrors = apt_sources()
    if not mirrors:
        raise BootstrapError(
            "no Debian mirror found in /etc/apt/sources.list(.d): set ODOO_SRC=/path/to/odoo-19"
        )
    state = os.path.join(runtime_dir, "apt")
    shutil.rmtree(state, ignore_errors=True)
    for sub in ("state/lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"):
        os.makedirs(os.path.join(state, sub), exist_ok=True)
    write_text(os.path.join(state, "status"), "")
    write_text(os.path.join(state, "preferences"), "")
    keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    with open(os.path.join(state, "sources.list"), "w") as fh:
        for uri, key in mirrors[:1]:
            opts = "[signed-by=%s] " % (key or keyring) if (key or os.path.exists(keyring)) else ""
            fh.write("deb %s%s sid main\n" % (opts, uri))
            fh.write("deb %s%s bookworm main\n" % (opts, uri))
    apt = apt_options(state, is_root)
    say("reading Debian's package lists (sid, bookworm) into a private apt state")
    code, _out, err = output(["apt-get", "-q"] + apt + ["update"])
    if code != 0:
        raise BootstrapError("apt-get update failed: %s" % (err.strip().splitlines() or ["?"])[-1])
    wanted = [(p, "sid") for p in SID_PACKAGES] + [(p, "bookworm") for p in BOOKWORM_PACKAGES]
    infos = []
    for name, suite in wanted:
        code, out, _err = output(["apt-cache"] + apt + ["show", "--no-all-versions", "%s/%s" % (name, suite)])
        if code != 0 or "Version:" not in out:
            if name == ODOO_PACKAGE:
                _c, names, _e = output(["apt-cache"] + apt + ["pkgnames", "odoo"])
                found = sorted(n for n in names.split() if re.match(r"^odoo(-\d+)?$", n))
                versions = []
                for other in found:
                    _c, pol, _e = output(["apt-cache"] + apt + ["show", "--no-all-versions", other])
                    ver = re.search(r"^Version: (\S+)", pol, re.M)
                    versions.append("%s %s" % (other, ver.group(1) if ver else "?"))
                raise BootstrapError(
                    "Debian's archive no longer has %s (found instead: %s): set ODOO_SRC=/path/to/odoo-19"
                    % (ODOO_PACKAGE, ", ".join(versions) or "no odoo package at all")
                )
            raise BootstrapError("Debian's %s archive has no package %s" % (suite, name))
        version = re.search(r"^Version: (\S+)", out, re.M).group(1)
        size = int(re.search(r"^Size: (\d+)", out, re.M).group(1))
        infos.append((name, suite, version, size))
    debs = os.path.join(runtime_dir, "debs")
    shutil.rmtree(debs, ignore_errors=True)
    os.makedirs(debs)
    total = sum(i[3] for i in infos)
    say("downloading %d packages, %s in all:" % (len(infos), human(total)))
    for name, suite, version, size in infos:
        print("    %s %s (%s, %s)" % (name, version, suite, human(size)), flush=True)
    run(["apt-get", "-q", "-q"] + apt + ["download"] + ["%s/%s" % (n, s) for n, s, _v, _z in infos],
        cwd=debs, quiet=True)
    tmp_root = root + ".partial"
    shutil.rmtree(tmp_root, ignore_errors=True)
    os.makedirs(tmp_root)
    for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
        say("extracting %s" % os.path.basename(deb))
        run(["dpkg-deb", "-x", deb, tmp_root])
    add_selfie_segmentation(os.path.join(tmp_root, DEB_PYLIB, "odoo", "addons"))
    dangling = list(dangling_links(os.path.join(tmp_root, DEB_PYLIB, "odoo", "addons")))
    if dangling:
        say("warning: %d symlinks of Odoo still point nowhere, e.g. %s" % (len(dangling), dangling[0]))
    write_text(os.path.join(tmp_root, ".complete"), "".join("%s %s\n" % (i[0], i[2]) for i in infos))
    shutil.rmtree(root, ignore_errors=True)
    os.rename(tmp_root, root)
    shutil.rmtree(debs, ignore_errors=True)


def dangling_links(top):
    for folder, dirs, files in os.walk(top):
        for name in files + dirs:
            path = os.path.join(folder, name)
            if os.path.islink(path) and not os.path.exists(path):
                yield os.path.relpath(path, top)


def add_selfie_segmentation(addons):
    """Debian leaves out a file of mail's backend bundle; npm's package carries the same file."""
    target = os.path.join(addons, SELFIE_PATH)
    if os.path.exists(target):
        return
    if not shutil.which("npm"):
        say("warning: npm not found, %s stays missing (the backend web client will not load)" % SELFIE_PATH)
        return
    say("fetching %s from npm (left out of Debian's package)" % SELFIE_NPM)
    with tempfile.TemporaryDirectory() as tmp:
        run(["npm", "pack", "--silent", SELFIE_NPM, "--pack-destination", tmp], quiet=True,
            stderr=subprocess.DEVNULL)
        tgz = glob.glob(os.path.join(tmp, "*.tgz"))
        if not tgz:
            raise BootstrapError("npm pack %s gave no archive" % SELFIE_NPM)
        with tarfile.open(tgz[0]) as tar:
            member = tar.extractfile("package/selfie_segmentation.js")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as fh:
                shutil.copyfileobj(member, fh)
