"""Wheels and sdists for the build-verification tests: real ones built from projects
written into a tmp folder (real backends, real gcc), and copies rewritten member by
member to make the damaged ones (a tampered RECORD, a duplicate member, ...)."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import warnings
import zipfile
from pathlib import Path

UV = Path(sys.executable).with_name("uv")
EPOCH = (1980, 1, 1, 0, 0, 0)

C_SOURCE = """\
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

static PyObject *twice(PyObject *self, PyObject *arg) {
    long n = PyLong_AsLong(arg);
    /* reallocarray: glibc 2.26, so the .so requires GLIBC_2.26 (too new for manylinux2014) */
    void *scratch = reallocarray(NULL, 1, 8);
    free(scratch);
    if (n == -1 && PyErr_Occurred()) return NULL;
    return PyLong_FromLong(2 * n);
}

/* Outside the stable ABI on purpose: a wheel tagged abi3 that calls it is lying. */
static PyObject *dict_ptr(PyObject *self, PyObject *arg) {
    return PyBool_FromLong(_PyObject_GetDictPtr(arg) != NULL);
}

static PyMethodDef methods[] = {
    {"twice", twice, METH_O, NULL},
    {"dict_ptr", dict_ptr, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};

PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
"""


def uv_build(root: Path, out: Path, *args: str) -> list[Path]:
    """`uv build` of `root` into `out`: the artifacts made, sorted."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(UV), "build", "-q", "-o", str(out), *args, str(root)],
                   check=True, capture_output=True, text=True)  # fmt: skip
    return sorted(p for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))


def pure_project(root: Path, *, readme: tuple[str, str] = ("README.md", "# Demo\n\nA demo.\n")) -> Path:  # fmt: skip
    """A hatchling project with one package and a README (name, text)."""
    (root / "src" / "demo_pure").mkdir(parents=True)
    (root / "src" / "demo_pure" / "__init__.py").write_text('"""Demo."""\n', encoding="utf-8")
    (root / readme[0]).write_text(readme[1], encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling>=1.26"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "demo-pure"\nversion = "1.0"\ndescription = "A dht test fixture."\n'
        f'readme = "{readme[0]}"\nrequires-python = ">=3.9"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/demo_pure"]\n',
        encoding="utf-8",
    )
    return root


def c_project(root: Path) -> Path:
    """A setuptools project with a C extension, demo_c._speed."""
    (root / "src" / "demo_c").mkdir(parents=True)
    (root / "src" / "demo_c" / "__init__.py").write_text('"""Demo."""\n', encoding="utf-8")
    (root / "src" / "demo_c" / "_speed.c").write_text(C_SOURCE, encoding="utf-8")
    (root / "README.md").write_text("# Demo C\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "demo-c"\nversion = "1.0"\ndescription = "A dht test fixture."\n'
        'readme = "README.md"\n\n[tool.setuptools]\npackages = ["demo_c"]\n'
        'package-dir = {"" = "src"}\n',
        encoding="utf-8",
    )
    (root / "setup.py").write_text(
        "from setuptools import Extension, setup\n\n"
        'setup(ext_modules=[Extension("demo_c._speed", ["src/demo_c/_speed.c"])])\n',
        encoding="utf-8",
    )
    return root


def have_gcc() -> bool:
    return shutil.which("gcc") is not None


# -- rewriting wheels --------------------------------------------------------------


def members(wheel: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(wheel) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist() if not i.is_dir()]


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(path: Path, entries: list[tuple[str, bytes]], *, record: bool = True) -> Path:
    """A zip of `entries` in order; with `record`, the dist-info RECORD rewritten to
    match them (so only the damage a test means is there)."""
    if record:
        dist_info = next(n.split("/")[0] for n, _ in entries if n.split("/")[0].endswith(".dist-info"))  # fmt: skip
        where = f"{dist_info}/RECORD"
        body = [record_line(n, d) for n, d in entries if n != where] + [f"{where},,"]
        entries = [(n, d) for n, d in entries if n != where] + [(where, ("\n".join(body) + "\n").encode())]  # fmt: skip
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # a duplicate name is what some tests want
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, EPOCH), data)
    return path


def retag(wheel: Path, out: Path, tag: str) -> Path:
    """The same wheel under another python-abi-platform tag (file name and WHEEL)."""
    name, version = wheel.name.split("-")[:2]
    entries = []
    for member, data in members(wheel):
        if member.endswith(".dist-info/WHEEL"):
            lines = [line for line in data.decode().splitlines() if line.strip() and not line.startswith(("Tag:", "Root-Is-Purelib:"))]  # fmt: skip
            purelib = "true" if tag.endswith("-any") else "false"
            data = ("\n".join([*lines, f"Root-Is-Purelib: {purelib}", f"Tag: {tag}"]) + "\n").encode()  # fmt: skip
        entries.append((member, data))
    out.mkdir(parents=True, exist_ok=True)
    return write_wheel(out / f"{name}-{version}-{tag}.whl", entries)


def minimal_wheel(path: Path, files: dict[str, bytes], *, metadata: str | None = None) -> Path:
    """A hand-made wheel `path` (its name gives name, version, tag) holding `files`."""
    name, version, *tag = path.name.removesuffix(".whl").split("-")
    dist_info = f"{name}-{version}.dist-info"
    meta = metadata or f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n"
    wheel = f"Wheel-Version: 1.0\nGenerator: dht-tests\nRoot-Is-Purelib: true\nTag: {'-'.join(tag)}\n"  # fmt: skip
    entries = [*files.items(), (f"{dist_info}/METADATA", meta.encode()), (f"{dist_info}/WHEEL", wheel.encode())]  # fmt: skip
    return write_wheel(path, entries)


def tar_gz(entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    """A .tar.gz of `entries`: (name, bytes) for a file, or a TarInfo (a link)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                archive.addfile(info, io.BytesIO(entry[1]))
    return buffer.getvalue()


def write_sdist(path: Path, entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    path.write_bytes(tar_gz(entries))
    return path
