"""Build the installers, then smoke-test what was built.

    python packaging/build.py [--target linux|windows|macos] [--skip-smoke]

linux (on Linux): PyInstaller onedir bundle -> ``LeshanReader-<v>-linux-<arch>.tar.xz`` and
``leshan-reader_<v>_<arch>.deb`` in ``dist/``; the frozen app and the app unpacked from the .deb
are each started with ``--smoke`` in a clean environment (no Python or virtual environment on
PATH, a temporary home and cache) and the build fails if either does not exit 0.
macos (on macOS): the bundle as ``LeshanReader.app`` -> ``packaging/macos/make_dmg.sh``.
windows (on Windows): the bundle -> NSIS ``setup.exe`` via ``makensis``; see packaging/README.md.

Needs the build extra: ``pip install -e ".[build]"``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
sys.path.insert(0, str(PACKAGING))
from packaging_version import read_version  # noqa: E402

VERSION = read_version()
# Qt's xcb platform plugin needs these at run time (the offscreen smoke test does not).
DEB_DEPENDS = [
    "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libglib2.0-0",
    "libdbus-1-3", "libxkbcommon0", "libxkbcommon-x11-0", "libxcb1", "libxcb-cursor0",
    "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxcb-randr0", "libxcb-render-util0",
    "libxcb-image0", "libxcb-xinerama0", "libxcb-xkb1", "fonts-noto-cjk | fonts-wqy-microhei",
]


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("+ " + " ".join(map(str, command)), flush=True)
    return subprocess.run(command, check=True, **kwargs)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frozen_dir(target: str) -> Path:
    return BUILD / f"frozen-{target}"


def freeze(target: str) -> Path:
    step(f"freezing Leshan Reader {VERSION} with PyInstaller (onedir, {target})")
    work = BUILD / f"pyinstaller-{target}"
    shutil.rmtree(work, ignore_errors=True)
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", str(frozen_dir(target)), "--workpath", str(work),
         str(PACKAGING / "leshan_reader.spec")])
    return frozen_dir(target) / "LeshanReader"


def clean_environment(home: Path) -> dict[str, str]:
    """What a freshly logged-in user has: no Python, no virtual environment, an empty home."""
    empty_bin = home / "bin"
    empty_bin.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": str(empty_bin), "HOME": str(home), "LANG": "C.UTF-8",
        "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"), "TMPDIR": str(home / "tmp"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    (home / "tmp").mkdir(exist_ok=True)
    if os.name == "nt":  # Windows programs need the system folders; the user's folders are fresh
        for name in ("SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE"):
            if name in os.environ:
                env[name] = os.environ[name]
        for name, folder in (("USERPROFILE", ""), ("APPDATA", "AppData/Roaming"),
                             ("LOCALAPPDATA", "AppData/Local"), ("TEMP", "tmp"), ("TMP", "tmp")):
            (home / folder).mkdir(parents=True, exist_ok=True)
            env[name] = str(home / folder)
    return env


def smoke(executable: Path, label: str) -> dict:
    """Start the frozen app on a fresh (bundled) archive, exercise the window, read its report."""
    step(f"smoke test: {label}")
    with tempfile.TemporaryDirectory(prefix="leshan-smoke-") as temp:
        home = Path(temp)
        report_file = home / "smoke.json"
        env = clean_environment(home)
        started = time.perf_counter()
        result = subprocess.run([str(executable), "gui", "--smoke", "--smoke-output", str(report_file)],
                                env=env, capture_output=True, text=True, encoding="utf-8", timeout=180)
        seconds = time.perf_counter() - started
        if result.returncode != 0 or not report_file.exists():
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"smoke test failed ({label}): exit status {result.returncode}")
        report = json.loads(report_file.read_text(encoding="utf-8"))
        # In the platform's user data folder (XDG, AppData or Application Support), all under home.
        if not any(home.rglob("archive.sqlite3")):
            raise SystemExit(f"smoke test ({label}): the archive was not created in the user data folder")
        # The CLI executable answers too, from the same folder, with the bundled seed pages.
        cli = executable.parent / ("leshan-reader.exe" if os.name == "nt" else "leshan-reader")
        found = subprocess.run([str(cli), "glossary", "六稳六保", "--json"], env=env, capture_output=True,
                               text=True, encoding="utf-8", timeout=120)
        if found.returncode != 0 or "稳就业" not in found.stdout:
            raise SystemExit(f"smoke test ({label}): the CLI glossary look-up failed: {found.stderr}")
    report["seconds"] = round(seconds, 2)
    print(json.dumps(report, ensure_ascii=False), flush=True)
    return report


def arch_names() -> tuple[str, str]:
    machine = platform.machine().lower()
    return {"x86_64": ("x86_64", "amd64"), "amd64": ("x86_64", "amd64"),
            "aarch64": ("aarch64", "arm64"), "arm64": ("aarch64", "arm64")}.get(machine, (machine, machine))


def make_tarball(bundle: Path) -> Path:
    arch, _ = arch_names()
    target = DIST / f"LeshanReader-{VERSION}-linux-{arch}.tar.xz"
    step(f"tarball {target.name}")
    with tarfile.open(target, "w:xz", preset=6) as archive:
        archive.add(bundle, arcname=f"LeshanReader-{VERSION}")
    return target


def make_deb(bundle: Path) -> Path:
    _, deb_arch = arch_names()
    target = DIST / f"leshan-reader_{VERSION}_{deb_arch}.deb"
    step(f"Debian package {target.name}")
    stage = BUILD / "deb"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(bundle, stage / "opt" / "leshan-reader", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "leshan-reader").symlink_to("/opt/leshan-reader/leshan-reader")
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy(PACKAGING / "linux" / "leshan-reader.desktop", applications)
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        icon_dir = stage / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        icon_dir.mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "icons" / f"leshan-reader-{size}.png", icon_dir / "leshan-reader.png")
    scalable = stage / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "icons" / "leshan-reader.svg", scalable)
    # A frozen Python runs on the glibc it was built against or newer: build on the oldest
    # supported distribution (the release workflow does) and the floor follows.
    glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
    control = (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8").format(
        version=VERSION, arch=deb_arch, depends=", ".join([f"libc6 (>= {glibc})", *DEB_DEPENDS]),
        size_kb=folder_size(stage) // 1024)
    (stage / "DEBIAN").mkdir()
    (stage / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(target)])
    return target


def build_linux(skip_smoke: bool) -> None:
    started = time.perf_counter()
    bundle = freeze("linux")
    frozen_seconds = time.perf_counter() - started
    DIST.mkdir(exist_ok=True)
    if not skip_smoke:
        smoke(bundle / "LeshanReader", "frozen folder")
    tarball = make_tarball(bundle)
    deb = make_deb(bundle)
    if not skip_smoke:
        with tempfile.TemporaryDirectory(prefix="leshan-deb-") as unpacked:
            run(["dpkg-deb", "-x", str(deb), unpacked])
            smoke(Path(unpacked) / "opt" / "leshan-reader" / "LeshanReader", "unpacked from the .deb")
    sums = DIST / "SHA256SUMS"
    sums.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in (tarball, deb)), encoding="utf-8")
    step("done")
    print(f"  bundle   {folder_size(bundle) / 2**20:7.1f} MB  ({bundle})")
    print(f"  tarball  {tarball.stat().st_size / 2**20:7.1f} MB  ({tarball})")
    print(f"  deb      {deb.stat().st_size / 2**20:7.1f} MB  ({deb})")
    print(f"  freeze {frozen_seconds:.0f} s, total {time.perf_counter() - started:.0f} s")


def build_macos(skip_smoke: bool) -> None:
    freeze("macos")
    app = frozen_dir("macos") / "LeshanReader.app"
    if not skip_smoke:
        smoke(app / "Contents" / "MacOS" / "LeshanReader", "LeshanReader.app")
    DIST.mkdir(exist_ok=True)
    run(["bash", str(PACKAGING / "macos" / "make_dmg.sh"), str(app), VERSION, str(DIST)])


def build_windows(skip_smoke: bool, installer: bool = True) -> None:
    BUILD.mkdir(exist_ok=True)
    write_windows_version_info()
    bundle = freeze("windows")
    if not skip_smoke:
        smoke(bundle / "LeshanReader.exe", "frozen folder")
    if not installer:  # under Wine: packaging/windows/build_under_wine.sh runs Linux's makensis
        return
    DIST.mkdir(exist_ok=True)
    makensis = shutil.which("makensis") or r"C:\Program Files (x86)\NSIS\makensis.exe"
    run([makensis, "-V3", f"-DVERSION={VERSION}", f"-DBUNDLE={bundle}", f"-DOUTDIR={DIST}",
         str(PACKAGING / "windows" / "installer.nsi")])


def write_windows_version_info() -> None:
    """Version resource of the .exe files (Explorer's Details tab), from pyproject's version."""
    numbers = [int(part) for part in VERSION.split(".")[:3] if part.isdigit()] + [0, 0, 0, 0]
    text = (PACKAGING / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    (BUILD / "windows_version_info.txt").write_text(
        text.replace("@TUPLE@", ", ".join(map(str, numbers[:4]))).replace("@VERSION@", VERSION), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")
    parser.add_argument("--target", choices=["linux", "macos", "windows"], default=default)
    parser.add_argument("--skip-smoke", action="store_true", help="build only (never for a release)")
    parser.add_argument("--bundle-only", action="store_true", help=argparse.SUPPRESS)  # the Wine pipeline
    args = parser.parse_args()
    native = {"linux": "linux", "macos": "darwin", "windows": "win32"}[args.target]
    if sys.platform != native:
        if args.target == "windows" and sys.platform == "linux":
            return subprocess.call(["bash", str(PACKAGING / "windows" / "build_under_wine.sh")])
        raise SystemExit(f"--target {args.target} builds on {native} only (PyInstaller cannot cross-freeze)")
    if args.target == "windows":
        build_windows(args.skip_smoke, installer=not args.bundle_only)
    else:
        {"linux": build_linux, "macos": build_macos}[args.target](args.skip_smoke)
    return 0


if __name__ == "__main__":
    sys.exit(main())
