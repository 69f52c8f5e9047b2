"""Generate dht/data/system_deps.json: abstract system dependencies (PEP 725 style ids such as
`dep:generic/libpq`) mapped to exact package names per distribution / package manager.

Run by developers, never by dht:

    python tools/build_system_deps.py [DATA_DIR] [--report]

DATA_DIR defaults to ../shared/data/system-deps relative to the repo. Inputs (see
dht/data/SYSTEM_DEPS_ATTRIBUTION.md for licenses and snapshots):

- pep804-mappings (BSD-3-Clause): the id registry, descriptions, and per-ecosystem specs for
  arch, fedora, ubuntu, homebrew, winget and chocolatey;
- rosdep (BSD-3-Clause): Debian-style keys resolved per OS and release;
- r-system-requirements (MIT): per-distribution rules, used to cross-check names;
- external-deps-build (MIT): the `dep:` ids popular PyPI packages need; every one is covered.

The curated table below (CURATED) is the authority: each entry was written by hand and
cross-checked against the data sets. Where an entry leaves an ecosystem out, the value comes
from pep804-mappings (registry ids only) or from the entry's rosdep key. `--report` prints
every place where a data set disagrees with the table, for review.

Entry value syntax per ecosystem: "BUILD | RUN", each a space-separated package list; without
"|" the same list serves both; "?" on one side leaves that side unknown (absent); None means
explicitly unavailable on that system. `deb` covers debian and ubuntu unless `ubu` is given.
`t64` names run-time packages that Debian 13 and Ubuntu 24.04+ renamed with a `t64` suffix.
`v` holds versioned ecosystem ids (`debian+12`, `ubuntu+22.04`, ...) in the same syntax.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from dht.model.names import ECOSYSTEMS as KNOWN_ECOSYSTEMS

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "dht" / "data" / "system_deps.json"
ECOSYSTEMS = sorted(KNOWN_ECOSYSTEMS)  # the table lists them alphabetically
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._@-]*$")
# pep804-mappings file -> our ecosystem id (its ubuntu file describes 24.04 "noble").
PEP804_FILES = {
    "arch": "arch",
    "fedora": "fedora",
    "ubuntu": "ubuntu",
    "homebrew": "homebrew",
    "winget": "winget",
    "chocolatey": "choco",
}
# rosdep os -> (our ecosystem id, release codename to prefer when the entry is per release)
ROSDEP_OS = {
    "debian": ("debian", "bookworm"),
    "ubuntu": ("ubuntu", "noble"),
    "fedora": ("fedora", None),
    "arch": ("arch", None),
    "alpine": ("alpine", None),
    "opensuse": ("opensuse", None),
}
SHORT = {
    "deb": "debian",
    "ubu": "ubuntu",
    "fed": "fedora",
    "arch": "arch",
    "alp": "alpine",
    "suse": "opensuse",
    "brew": "homebrew",
    "win": "winget",
    "choco": "choco",
}

Spec = str | None


@dataclass
class Dep:
    id: str
    aliases: list[str]
    summary: str
    eco: dict[str, Spec] = field(default_factory=dict)
    v: dict[str, str] = field(default_factory=dict)
    t64: list[str] = field(default_factory=list)
    ros: str | None = None  # rosdep key used to fill gaps and to cross-check
    same_as: str | None = None  # copy the mapping of another id (registry synonyms)


CURATED: list[Dep] = []


def d(
    id: str,
    aliases: str,
    summary: str,
    *,
    v: dict[str, str] | None = None,
    t64: str = "",
    ros: str | None = None,
    **eco: Spec,
) -> None:
    unknown = set(eco) - set(SHORT)
    if unknown:
        raise ValueError(f"{id}: unknown ecosystem keys {sorted(unknown)}")
    CURATED.append(
        Dep(
            id=id,
            aliases=aliases.split(),
            summary=summary,
            eco={SHORT[k]: val for k, val in eco.items()},
            v=dict(v or {}),
            t64=t64.split(),
            ros=ros,
        )
    )


class _Unavailable(TypedDict, total=False):
    brew: Spec
    win: Spec
    choco: Spec


NO_WIN: _Unavailable = {"win": None, "choco": None}
LINUX_ONLY: _Unavailable = {"brew": None, "win": None, "choco": None}

# fmt: off
# ---------------------------------------------------------------- compilers and build tools
d("dep:virtual/compiler/c", "c-compiler cc gcc", "C compiler",
  deb="gcc libc6-dev", fed="gcc", arch="gcc", alp="gcc musl-dev", suse="gcc", brew="",
  win="Microsoft.VisualStudio.2022.BuildTools", choco="visualstudio2022-workload-vctools")
d("dep:virtual/compiler/cxx", "c++-compiler cxx-compiler cpp-compiler c++ cxx g++", "C++ compiler",
  deb="g++", fed="gcc-c++", arch="gcc", alp="g++", suse="gcc-c++", brew="",
  win="Microsoft.VisualStudio.2022.BuildTools", choco="visualstudio2022-workload-vctools")
d("dep:virtual/compiler/fortran", "fortran-compiler fortran gfortran", "Fortran compiler",
  deb="gfortran", fed="gcc-gfortran", arch="gcc-fortran", alp="gfortran", suse="gcc-fortran",
  brew="gcc")
d("dep:virtual/compiler/rust", "rust rustc cargo rust-compiler", "Rust compiler and cargo",
  deb="rustc cargo", fed="rust cargo", arch="rust", alp="rust cargo", suse="rust cargo",
  brew="rust")
d("dep:virtual/compiler/go", "go golang go-compiler", "Go compiler",
  deb="golang-go", fed="golang", arch="go", alp="go", suse="go", brew="go", win="GoLang.Go",
  choco="golang")
d("dep:generic/clang", "clang", "Clang C/C++ compiler (LLVM)",
  deb="clang", fed="clang", arch="clang", alp="clang", suse="clang", brew="llvm", win="LLVM.LLVM",
  choco="llvm")
d("dep:generic/llvm", "llvm", "LLVM compiler infrastructure (headers and libraries)",
  deb="llvm-dev | llvm", fed="llvm-devel | llvm-libs", arch="llvm | llvm-libs", brew="llvm",
  win="LLVM.LLVM", choco="llvm")
d("dep:generic/pkg-config", "pkg-config pkgconf", "pkg-config (pkgconf) build helper",
  deb="pkgconf", fed="pkgconf-pkg-config", arch="pkgconf", alp="pkgconf",
  suse="pkgconf-pkg-config", brew="pkgconf", win="bloodrush.pkg-config-lite",
  choco="pkgconfiglite", ros="pkg-config")
d("dep:generic/make", "make gmake gnu-make", "GNU make",
  deb="make", fed="make", arch="make", alp="make", suse="make", brew="make", win="GnuWin32.Make",
  choco="make")
d("dep:generic/cmake", "cmake", "CMake build system generator",
  deb="cmake", fed="cmake", arch="cmake", alp="cmake", suse="cmake", brew="cmake",
  win="Kitware.CMake", choco="cmake")
d("dep:generic/ninja", "ninja ninja-build", "Ninja build tool",
  deb="ninja-build", fed="ninja-build", arch="ninja", alp="samurai", suse="ninja", brew="ninja",
  win="Ninja-build.Ninja", choco="ninja")
d("dep:generic/meson", "meson", "Meson build system",
  deb="meson", fed="meson", arch="meson", alp="meson", suse="meson", brew="meson",
  win="mesonbuild.meson")
d("dep:generic/git", "git", "Git version control",
  deb="git", fed="git", arch="git", alp="git", suse="git", brew="git", win="Git.Git", choco="git")
d("dep:generic/swig", "swig", "SWIG interface generator",
  deb="swig", fed="swig", arch="swig", alp="swig", suse="swig", brew="swig", choco="swig")
d("dep:generic/autoconf", "autoconf", "GNU autoconf",
  deb="autoconf", fed="autoconf", arch="autoconf", alp="autoconf", suse="autoconf",
  brew="autoconf")
d("dep:generic/automake", "automake", "GNU automake",
  deb="automake", fed="automake", arch="automake", alp="automake", suse="automake",
  brew="automake")
d("dep:generic/libtool", "libtool", "GNU libtool",
  deb="libtool libtool-bin", fed="libtool", arch="libtool", alp="libtool", suse="libtool",
  brew="libtool")
d("dep:generic/bison", "bison yacc", "GNU bison parser generator",
  deb="bison", fed="bison", arch="bison", alp="bison", suse="bison", brew="bison",
  choco="winflexbison3")
d("dep:generic/flex", "flex lex", "flex lexer generator",
  deb="flex", fed="flex", arch="flex", alp="flex", suse="flex", brew="flex", choco="winflexbison3")
d("dep:generic/gettext", "gettext", "GNU gettext tools",
  deb="gettext", fed="gettext", arch="gettext", alp="gettext", suse="gettext-tools",
  brew="gettext")
d("dep:generic/nasm", "nasm", "NASM assembler",
  deb="nasm", fed="nasm", arch="nasm", alp="nasm", suse="nasm", brew="nasm", choco="nasm")
d("dep:generic/patch", "patch", "GNU patch",
  deb="patch", fed="patch", arch="patch", alp="patch", suse="patch", brew="gpatch")
d("dep:generic/curl", "curl", "curl command-line tool",
  deb="curl", fed="curl", arch="curl", alp="curl", suse="curl", brew="curl", win="cURL.cURL",
  choco="curl")
d("dep:generic/wget", "wget", "GNU wget",
  deb="wget", fed="wget2-wget", arch="wget", alp="wget", suse="wget", brew="wget",
  win="JernejSimoncic.Wget", choco="wget")
d("dep:generic/unzip", "unzip", "unzip archiver",
  deb="unzip", fed="unzip", arch="unzip", alp="unzip", suse="unzip", brew="unzip")
d("dep:generic/pandoc", "pandoc", "Pandoc document converter",
  deb="pandoc", fed="pandoc", brew="pandoc", win="JohnMacFarlane.Pandoc", choco="pandoc")
d("dep:generic/graphviz", "graphviz dot libgraphviz", "Graphviz graph layout (dot) and libraries",
  deb="graphviz libgraphviz-dev | graphviz", fed="graphviz graphviz-devel | graphviz",
  arch="graphviz", alp="graphviz graphviz-dev | graphviz",
  suse="graphviz graphviz-devel | graphviz", brew="graphviz", win="Graphviz.Graphviz",
  choco="graphviz")
d("dep:generic/ffmpeg", "ffmpeg libav", "FFmpeg tools and libraries",
  deb="ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev libavdevice-dev | ffmpeg",
  fed="ffmpeg-free ffmpeg-free-devel | ffmpeg-free", arch="ffmpeg",
  alp="ffmpeg ffmpeg-dev | ffmpeg", brew="ffmpeg", win="Gyan.FFmpeg", choco="ffmpeg")
d("dep:generic/jdk", "java jdk openjdk", "Java development kit",
  deb="default-jdk | default-jre", fed="java-21-openjdk-devel | java-21-openjdk",
  arch="jdk-openjdk | jre-openjdk", alp="openjdk21 | openjdk21-jre",
  suse="java-21-openjdk-devel | java-21-openjdk", brew="openjdk",
  win="EclipseAdoptium.Temurin.21.JDK", choco="temurin21")
d("dep:generic/nodejs", "nodejs node npm", "Node.js runtime and npm",
  deb="nodejs npm", fed="nodejs nodejs-npm", arch="nodejs npm", alp="nodejs npm",
  suse="nodejs-default npm-default", brew="node", win="OpenJS.NodeJS.LTS", choco="nodejs-lts")
d("dep:generic/python", "python3 python-dev python-headers", "Python interpreter and headers",
  deb="python3-dev | python3", fed="python3-devel | python3", arch="python",
  alp="python3-dev | python3", suse="python3-devel | python3", brew="python",
  win="Python.Python.3.13", choco="python313")
d("dep:generic/xvfb", "xvfb", "X virtual framebuffer (headless GUI tests)",
  deb="xvfb", fed="xorg-x11-server-Xvfb", arch="xorg-server-xvfb", alp="xvfb",
  suse="xorg-x11-server-Xvfb", **LINUX_ONLY)
d("dep:generic/postgresql", "postgresql postgres", "PostgreSQL server (for tests)",
  deb="postgresql", fed="postgresql-server", arch="postgresql", alp="postgresql",
  suse="postgresql-server", brew="postgresql@17", win="PostgreSQL.PostgreSQL.17",
  choco="postgresql")
d("dep:generic/protoc", "protoc protobuf-compiler", "Protocol Buffers compiler",
  deb="protobuf-compiler", fed="protobuf-compiler", arch="protobuf", alp="protoc", brew="protobuf",
  win="Google.Protobuf", choco="protoc")
d("dep:generic/ghostscript", "ghostscript gs", "Ghostscript PostScript/PDF interpreter",
  deb="ghostscript", fed="ghostscript", arch="ghostscript", alp="ghostscript", suse="ghostscript",
  brew="ghostscript", win="ArtifexSoftware.GhostScript", choco="ghostscript")
d("dep:generic/poppler-utils", "poppler-utils pdftoppm pdftotext", "Poppler PDF command-line tools",
  deb="poppler-utils", fed="poppler-utils", arch="poppler", alp="poppler-utils",
  suse="poppler-tools", brew="poppler")
d("dep:generic/imagemagick", "imagemagick magick libmagickwand", "ImageMagick tools and MagickWand",
  deb="imagemagick libmagickwand-dev | imagemagick",
  fed="ImageMagick ImageMagick-devel | ImageMagick", arch="imagemagick",
  alp="imagemagick imagemagick-dev | imagemagick",
  suse="ImageMagick ImageMagick-devel | ImageMagick", brew="imagemagick",
  win="ImageMagick.ImageMagick", choco="imagemagick")
d("dep:generic/tesseract", "tesseract tesseract-ocr", "Tesseract OCR engine (English data)",
  deb="tesseract-ocr libtesseract-dev | tesseract-ocr",
  fed="tesseract tesseract-devel | tesseract", arch="tesseract tesseract-data-eng",
  alp="tesseract-ocr tesseract-ocr-dev | tesseract-ocr",
  suse="tesseract-ocr tesseract-ocr-devel | tesseract-ocr", brew="tesseract",
  win="UB-Mannheim.TesseractOCR", choco="tesseract")
# ---------------------------------------------------------------- crypto, network, auth
d("dep:generic/openssl", "openssl libssl", "OpenSSL TLS/crypto library",
  deb="libssl-dev | libssl3", t64="libssl3",
  fed="openssl-devel openssl-devel-engine | openssl-libs", arch="openssl",
  alp="openssl-dev | libssl3 libcrypto3", suse="libopenssl-devel | libopenssl3", brew="openssl@3",
  win="ShiningLight.OpenSSL.Dev | ShiningLight.OpenSSL.Light", choco="openssl",
  v={"fedora+40": "openssl-devel | ?"}, ros="libssl-dev")
d("dep:generic/libffi", "libffi ffi", "Foreign function interface library",
  deb="libffi-dev | libffi8", fed="libffi-devel | libffi", arch="libffi",
  alp="libffi-dev | libffi", suse="libffi-devel | libffi8", brew="libffi", **NO_WIN,
  ros="libffi-dev")
d("dep:generic/libsodium", "libsodium sodium", "libsodium crypto library",
  deb="libsodium-dev | libsodium23", fed="libsodium-devel | libsodium", arch="libsodium",
  alp="libsodium-dev | libsodium", suse="libsodium-devel | ?", brew="libsodium", **NO_WIN)
d("dep:generic/krb5", "krb5 kerberos gssapi", "MIT Kerberos 5 / GSSAPI",
  deb="libkrb5-dev | libkrb5-3 libgssapi-krb5-2", fed="krb5-devel | krb5-libs", arch="krb5",
  alp="krb5-dev | krb5-libs", suse="krb5-devel | krb5", brew="krb5", **NO_WIN)
d("dep:generic/openldap", "openldap ldap libldap", "OpenLDAP client library",
  deb="libldap-dev | ?", fed="openldap-devel | openldap", arch="libldap",
  alp="openldap-dev | libldap", suse="openldap2-devel | ?", brew="openldap", **NO_WIN,
  v={ "debian+12": "? | libldap-2.5-0", "debian+13": "? | libldap2", "ubuntu+24.04": "? | libldap2", "ubuntu+22.04": "? | libldap-2.5-0", })
d("dep:generic/sasl", "sasl cyrus-sasl libsasl2", "Cyrus SASL library",
  deb="libsasl2-dev | libsasl2-2", fed="cyrus-sasl-devel | cyrus-sasl-lib", arch="libsasl",
  alp="cyrus-sasl-dev | libsasl", suse="cyrus-sasl-devel | libsasl2-3", brew="cyrus-sasl",
  **NO_WIN)
d("dep:generic/libssh2", "libssh2", "libssh2 SSH2 client library",
  deb="libssh2-1-dev | libssh2-1", t64="libssh2-1", fed="libssh2-devel | libssh2", arch="libssh2",
  alp="libssh2-dev | libssh2", suse="libssh2-devel | libssh2-1", brew="libssh2", **NO_WIN)
d("dep:generic/libssh", "libssh", "libssh SSH library",
  deb="libssh-dev | libssh-4", fed="libssh-devel | libssh", arch="libssh",
  alp="libssh-dev | libssh", suse="libssh-devel | libssh4", brew="libssh", **NO_WIN)
d("dep:generic/gnutls", "gnutls", "GnuTLS library",
  deb="libgnutls28-dev | libgnutls30", t64="libgnutls30", fed="gnutls-devel | gnutls",
  arch="gnutls", alp="gnutls-dev | gnutls", suse="libgnutls-devel | libgnutls30", brew="gnutls",
  **NO_WIN)
d("dep:generic/libcurl", "libcurl", "libcurl transfer library",
  deb="libcurl4-openssl-dev | libcurl4", t64="libcurl4", fed="libcurl-devel | libcurl",
  arch="curl", alp="curl-dev | libcurl", suse="libcurl-devel | libcurl4", brew="curl", **NO_WIN)
d("dep:generic/gpgme", "gpgme", "GnuPG Made Easy library",
  deb="libgpgme-dev | libgpgme11", t64="libgpgme11", fed="gpgme-devel | gpgme", arch="gpgme",
  alp="gpgme-dev | gpgme", suse="libgpgme-devel | libgpgme11", brew="gpgme", **NO_WIN)
d("dep:generic/libsecret", "libsecret", "libsecret (Secret Service client)",
  deb="libsecret-1-dev | libsecret-1-0", fed="libsecret-devel | libsecret", arch="libsecret",
  alp="libsecret-dev | libsecret", suse="libsecret-devel | libsecret-1-0", brew="libsecret",
  **NO_WIN)
d("dep:generic/pam", "pam libpam", "Pluggable authentication modules",
  deb="libpam0g-dev | libpam0g", fed="pam-devel | pam", arch="pam",
  alp="linux-pam-dev | linux-pam", suse="pam-devel | pam", **LINUX_ONLY)
d("dep:generic/libxmlsec1", "xmlsec libxmlsec1 xmlsec1", "XML Security Library",
  deb="libxmlsec1-dev | libxmlsec1 libxmlsec1-openssl",
  fed="xmlsec1-devel xmlsec1-openssl-devel | xmlsec1 xmlsec1-openssl", arch="xmlsec",
  alp="xmlsec-dev | xmlsec", brew="libxmlsec1", **NO_WIN)
d("dep:generic/libpcap", "libpcap pcap", "Packet capture library",
  deb="libpcap-dev | libpcap0.8", t64="libpcap0.8", fed="libpcap-devel | libpcap", arch="libpcap",
  alp="libpcap-dev | libpcap", suse="libpcap-devel | libpcap1", brew="libpcap")
d("dep:generic/libvirt", "libvirt", "libvirt virtualization API",
  deb="libvirt-dev | libvirt0", fed="libvirt-devel | libvirt-libs", arch="libvirt",
  suse="libvirt-devel | libvirt-libs", brew="libvirt", **NO_WIN)
# ---------------------------------------------------------------- databases
d("dep:generic/libpq", "libpq pq postgresql-client-lib", "PostgreSQL client library",
  deb="libpq-dev | libpq5", fed="libpq-devel | libpq", arch="postgresql-libs",
  alp="libpq-dev | libpq", suse="postgresql-devel | libpq5", brew="libpq", **NO_WIN,
  ros="libpq-dev")
d("dep:generic/libmysqlclient", "mysqlclient libmysqlclient mysql-client mysql", "MySQL-compatible client library (mysql_config)",
  deb="default-libmysqlclient-dev | libmariadb3",
  ubu="default-libmysqlclient-dev | libmysqlclient21",
  fed="mariadb-connector-c-devel | mariadb-connector-c", arch="mariadb-libs",
  alp="mariadb-connector-c-dev | mariadb-connector-c", suse="libmariadb-devel | libmariadb3",
  brew="mysql-client", **NO_WIN)
d("dep:generic/mariadb-connector-c", "mariadb libmariadb mariadb-connector-c", "MariaDB Connector/C client library",
  deb="libmariadb-dev | libmariadb3", fed="mariadb-connector-c-devel | mariadb-connector-c",
  arch="mariadb-libs", alp="mariadb-connector-c-dev | mariadb-connector-c",
  suse="libmariadb-devel | libmariadb3", brew="mariadb-connector-c", **NO_WIN)
d("dep:generic/sqlite", "sqlite sqlite3 libsqlite3", "SQLite library",
  deb="libsqlite3-dev | libsqlite3-0", fed="sqlite-devel | sqlite-libs", arch="sqlite",
  alp="sqlite-dev | sqlite-libs", suse="sqlite3-devel | libsqlite3-0", brew="sqlite",
  ros="libsqlite3-dev")
d("dep:generic/unixodbc", "unixodbc odbc", "unixODBC driver manager",
  deb="unixodbc-dev | libodbc2", fed="unixODBC-devel | unixODBC", arch="unixodbc",
  alp="unixodbc-dev | unixodbc", suse="unixODBC-devel | unixODBC", brew="unixodbc", win="",
  choco="")
d("dep:generic/freetds", "freetds sybdb", "FreeTDS (Sybase/SQL Server) library",
  deb="freetds-dev | libsybdb5", fed="freetds-devel | freetds-libs", arch="freetds",
  alp="freetds-dev | freetds", suse="freetds-devel | libsybdb5", brew="freetds", **NO_WIN)
d("dep:generic/hiredis", "hiredis", "Redis C client library",
  deb="libhiredis-dev | ?", fed="hiredis-devel | hiredis", arch="hiredis",
  alp="hiredis-dev | hiredis", brew="hiredis", **NO_WIN, v={"debian+12": "? | libhiredis0.14"})
d("dep:generic/librdkafka", "librdkafka rdkafka kafka", "Apache Kafka C client library",
  deb="librdkafka-dev | librdkafka1", fed="librdkafka-devel | librdkafka", arch="librdkafka",
  alp="librdkafka-dev | librdkafka", suse="librdkafka-devel | librdkafka1", brew="librdkafka",
  **NO_WIN)
d("dep:generic/arrow", "arrow apache-arrow libarrow", "Apache Arrow C++ libraries",
  deb=None, arch="arrow", brew="apache-arrow", **NO_WIN)
# ---------------------------------------------------------------- compression and archives
d("dep:generic/zlib", "zlib libz", "zlib compression library",
  deb="zlib1g-dev | zlib1g", fed="zlib-ng-compat-devel | zlib-ng-compat", arch="zlib",
  alp="zlib-dev | zlib", suse="zlib-devel | libz1", brew="zlib", **NO_WIN, ros="zlib")
d("dep:generic/bzip2", "bzip2 libbz2 bz2", "bzip2 compression library",
  deb="libbz2-dev | libbz2-1.0", fed="bzip2-devel | bzip2-libs", arch="bzip2",
  alp="bzip2-dev | libbz2", suse="libbz2-devel | libbz2-1", brew="bzip2", **NO_WIN,
  ros="libbz2-dev")
d("dep:generic/xz", "xz lzma liblzma", "XZ / LZMA compression library",
  deb="liblzma-dev | liblzma5", fed="xz-devel | xz-libs", arch="xz", alp="xz-dev | xz-libs",
  suse="xz-devel | liblzma5", brew="xz", **NO_WIN, ros="liblzma-dev")
d("dep:generic/zstd", "zstd libzstd", "Zstandard compression library",
  deb="libzstd-dev | libzstd1", fed="libzstd-devel | libzstd", arch="zstd",
  alp="zstd-dev | zstd-libs", suse="libzstd-devel | libzstd1", brew="zstd", **NO_WIN)
d("dep:generic/lz4", "lz4 liblz4", "LZ4 compression library",
  deb="liblz4-dev | liblz4-1", fed="lz4-devel | lz4-libs", arch="lz4", alp="lz4-dev | lz4-libs",
  suse="liblz4-devel | liblz4-1", brew="lz4", **NO_WIN)
d("dep:generic/snappy", "snappy libsnappy", "Snappy compression library",
  deb="libsnappy-dev | libsnappy1v5", fed="snappy-devel | snappy", arch="snappy",
  alp="snappy-dev | snappy", suse="snappy-devel | libsnappy1", brew="snappy", **NO_WIN)
d("dep:generic/brotli", "brotli libbrotli", "Brotli compression library",
  deb="libbrotli-dev | libbrotli1", fed="brotli-devel | libbrotli", arch="brotli",
  alp="brotli-dev | brotli-libs", brew="brotli", **NO_WIN)
d("dep:generic/libdeflate", "libdeflate", "libdeflate compression library",
  deb="libdeflate-dev | libdeflate0", fed="libdeflate-devel | libdeflate", arch="libdeflate",
  alp="libdeflate-dev | libdeflate", brew="libdeflate", **NO_WIN)
d("dep:generic/blosc", "blosc c-blosc", "Blosc compressor",
  deb="libblosc-dev | libblosc1", fed="blosc-devel | blosc", arch="blosc", brew="c-blosc",
  **NO_WIN)
d("dep:generic/libarchive", "libarchive", "Multi-format archive library",
  deb="libarchive-dev | libarchive13", t64="libarchive13", fed="libarchive-devel | libarchive",
  arch="libarchive", alp="libarchive-dev | libarchive", suse="libarchive-devel | libarchive13",
  brew="libarchive", **NO_WIN)
# ---------------------------------------------------------------- images, fonts, graphics
d("dep:generic/libjpeg", "libjpeg jpeg libjpeg-turbo", "JPEG library (libjpeg-turbo)",
  deb="libjpeg-dev | libjpeg62-turbo", ubu="libjpeg-dev | libjpeg-turbo8",
  fed="libjpeg-turbo-devel | libjpeg-turbo", arch="libjpeg-turbo",
  alp="libjpeg-turbo-dev | libjpeg-turbo", suse="libjpeg8-devel | libjpeg8", brew="jpeg-turbo",
  **NO_WIN, ros="libjpeg")
d("dep:generic/libpng", "libpng png", "PNG library",
  deb="libpng-dev | libpng16-16", t64="libpng16-16", fed="libpng-devel | libpng", arch="libpng",
  alp="libpng-dev | libpng", suse="libpng16-devel libpng16-compat-devel | libpng16-16",
  brew="libpng", **NO_WIN, ros="libpng-dev")
d("dep:generic/libtiff", "libtiff tiff", "TIFF library",
  deb="libtiff-dev | libtiff6", fed="libtiff-devel | libtiff", arch="libtiff",
  alp="tiff-dev | tiff", suse="libtiff-devel | libtiff6", brew="libtiff", **NO_WIN,
  v={"ubuntu+22.04": "? | libtiff5"}, ros="libtiff-dev")
d("dep:generic/libwebp", "libwebp webp", "WebP image library",
  deb="libwebp-dev | libwebp7 libwebpdemux2 libwebpmux3", fed="libwebp-devel | libwebp",
  arch="libwebp", alp="libwebp-dev | libwebp", suse="libwebp-devel | libwebp7", brew="webp",
  choco=None)
d("dep:generic/giflib", "giflib libgif gif", "GIF library",
  deb="libgif-dev | libgif7", fed="giflib-devel | giflib", arch="giflib",
  alp="giflib-dev | giflib", suse="giflib-devel | libgif7", brew="giflib", **NO_WIN)
d("dep:generic/libavif", "libavif avif", "AVIF image library",
  deb="libavif-dev | ?", fed="libavif-devel | libavif", arch="libavif",
  alp="libavif-dev | libavif", brew="libavif", **NO_WIN,
  v={"debian+12": "? | libavif15", "ubuntu+24.04": "? | libavif16"})
d("dep:generic/libheif", "libheif heif", "HEIF/HEIC image library",
  deb="libheif-dev | libheif1", fed="libheif-devel | libheif", arch="libheif",
  alp="libheif-dev | libheif", brew="libheif", **NO_WIN)
d("dep:generic/libraw", "libraw", "RAW photo decoding library",
  deb="libraw-dev | ?", fed="LibRaw-devel | LibRaw", arch="libraw", alp="libraw-dev | libraw",
  brew="libraw", **NO_WIN, v={"debian+12": "? | libraw20", "ubuntu+24.04": "? | libraw23t64"})
d("dep:generic/libimagequant", "libimagequant imagequant", "Palette quantization library",
  deb="libimagequant-dev | libimagequant0", fed="libimagequant-devel | libimagequant",
  arch="libimagequant", alp="libimagequant-dev | libimagequant", brew="libimagequant", **NO_WIN)
d("dep:generic/libraqm", "libraqm raqm", "Complex text layout library",
  deb="libraqm-dev | libraqm0", fed="libraqm-devel | libraqm", arch="libraqm", brew="libraqm",
  **NO_WIN)
d("dep:generic/lcms2", "lcms2 little-cms liblcms2", "Little CMS color management",
  deb="liblcms2-dev | liblcms2-2", fed="lcms2-devel | lcms2", arch="lcms2",
  alp="lcms2-dev | lcms2", suse="liblcms2-devel | liblcms2-2", brew="little-cms2", **NO_WIN)
d("dep:generic/openjpeg", "openjpeg openjp2 libopenjp2", "OpenJPEG JPEG 2000 library",
  deb="libopenjp2-7-dev | libopenjp2-7", arch="openjpeg2", alp="openjpeg-dev | openjpeg",
  suse="openjpeg2-devel | libopenjp2-7", brew="openjpeg", **NO_WIN)
d("dep:generic/freetype", "freetype freetype2", "FreeType font rendering",
  deb="libfreetype-dev | libfreetype6", fed="freetype-devel | freetype", arch="freetype2",
  alp="freetype-dev | freetype", suse="freetype2-devel | libfreetype6", brew="freetype", **NO_WIN,
  ros="libfreetype-dev")
d("dep:generic/fontconfig", "fontconfig", "Font configuration library",
  deb="libfontconfig-dev | libfontconfig1", fed="fontconfig-devel | fontconfig", arch="fontconfig",
  alp="fontconfig-dev | fontconfig", suse="fontconfig-devel | libfontconfig1", brew="fontconfig",
  **NO_WIN)
d("dep:generic/harfbuzz", "harfbuzz", "HarfBuzz text shaping",
  deb="libharfbuzz-dev | libharfbuzz0b", fed="harfbuzz-devel | harfbuzz", arch="harfbuzz",
  alp="harfbuzz-dev | harfbuzz", suse="harfbuzz-devel | libharfbuzz0", brew="harfbuzz", **NO_WIN)
d("dep:generic/fribidi", "fribidi", "Unicode bidirectional algorithm library",
  deb="libfribidi-dev | libfribidi0", fed="fribidi-devel | fribidi", arch="fribidi",
  alp="fribidi-dev | fribidi", suse="fribidi-devel | libfribidi0", brew="fribidi", **NO_WIN)
d("dep:generic/cairo", "cairo libcairo", "Cairo 2D graphics",
  deb="libcairo2-dev | libcairo2", fed="cairo-devel | cairo", arch="cairo",
  alp="cairo-dev | cairo", suse="cairo-devel | libcairo2", brew="cairo", **NO_WIN)
d("dep:generic/pango", "pango", "Pango text layout",
  deb="libpango1.0-dev | libpango-1.0-0 libpangocairo-1.0-0 libpangoft2-1.0-0",
  fed="pango-devel | pango", arch="pango", alp="pango-dev | pango",
  suse="pango-devel | libpango-1_0-0", brew="pango", **NO_WIN)
d("dep:generic/gdk-pixbuf", "gdk-pixbuf", "GdkPixbuf image loading",
  deb="libgdk-pixbuf-2.0-dev | libgdk-pixbuf-2.0-0", fed="gdk-pixbuf2-devel | gdk-pixbuf2",
  arch="gdk-pixbuf2", alp="gdk-pixbuf-dev | gdk-pixbuf",
  suse="gdk-pixbuf-devel | libgdk_pixbuf-2_0-0", brew="gdk-pixbuf", **NO_WIN)
d("dep:generic/librsvg", "librsvg rsvg", "SVG rendering library",
  deb="librsvg2-dev | librsvg2-2", fed="librsvg2-devel | librsvg2", arch="librsvg",
  alp="librsvg-dev | librsvg", suse="librsvg-devel | librsvg-2-2", brew="librsvg", **NO_WIN)
d("dep:generic/poppler", "poppler libpoppler poppler-cpp", "Poppler PDF library (C++ API)",
  deb="libpoppler-cpp-dev | libpoppler-cpp0v5", fed="poppler-cpp-devel | poppler-cpp",
  arch="poppler", alp="poppler-dev | poppler", brew="poppler", **NO_WIN)
d("dep:generic/qpdf", "qpdf libqpdf", "QPDF library",
  deb="libqpdf-dev | ?", fed="qpdf-devel | qpdf-libs", arch="qpdf", alp="qpdf-dev | qpdf-libs",
  brew="qpdf", **NO_WIN, v={"debian+12": "? | libqpdf29", "ubuntu+24.04": "? | libqpdf29t64"})
d("dep:generic/leptonica", "leptonica", "Leptonica image processing",
  deb="libleptonica-dev | liblept5", fed="leptonica-devel | leptonica", arch="leptonica",
  alp="leptonica-dev | leptonica", brew="leptonica", **NO_WIN)
d("dep:generic/opencv", "opencv libopencv", "OpenCV computer vision library",
  deb="libopencv-dev | ?", fed="opencv-devel | opencv", arch="opencv", alp="opencv-dev | opencv",
  brew="opencv", **NO_WIN)
d("dep:generic/libmagic", "libmagic magic file-magic", "File type detection library",
  deb="libmagic-dev | libmagic1", t64="libmagic1", fed="file-devel | file-libs", arch="file",
  alp="file-dev | libmagic", suse="file-devel | libmagic1", brew="libmagic", **NO_WIN)
d("dep:generic/zbar", "zbar libzbar", "Bar code reader library",
  deb="libzbar-dev | libzbar0", fed="zbar-devel | zbar", arch="zbar", alp="zbar-dev | zbar",
  brew="zbar", **NO_WIN)
d("dep:generic/opengl", "opengl libgl gl mesa", "OpenGL library (Mesa on Linux)",
  deb="libgl-dev | libgl1", fed="mesa-libGL-devel | mesa-libGL", arch="mesa",
  alp="mesa-dev | mesa-gl", suse="Mesa-libGL-devel | Mesa-libGL1", brew="", win="", choco="")
d("dep:generic/glu", "glu libglu", "OpenGL utility library",
  deb="libglu1-mesa-dev | libglu1-mesa", fed="mesa-libGLU-devel | mesa-libGLU", arch="glu",
  alp="glu-dev | glu", suse="glu-devel | libGLU1", win="", choco="")
d("dep:generic/libx11", "libx11 x11 xlib", "X11 client library",
  deb="libx11-dev | libx11-6", fed="libX11-devel | libX11", arch="libx11",
  alp="libx11-dev | libx11", suse="libX11-devel | libX11-6", brew="libx11", **NO_WIN)
d("dep:generic/libxext", "libxext xext", "X11 extensions library",
  deb="libxext-dev | libxext6", fed="libXext-devel | libXext", arch="libxext",
  alp="libxext-dev | libxext", suse="libXext-devel | libXext6", brew="libxext", **NO_WIN)
d("dep:generic/libxcb", "libxcb xcb", "X protocol C binding",
  deb="libxcb1-dev | libxcb1", fed="libxcb-devel | libxcb", arch="libxcb",
  alp="libxcb-dev | libxcb", suse="libxcb-devel | libxcb1", brew="libxcb", **NO_WIN)
d("dep:generic/libxkbcommon", "libxkbcommon xkbcommon", "Keyboard keymap library",
  deb="libxkbcommon-dev | libxkbcommon0", fed="libxkbcommon-devel | libxkbcommon",
  arch="libxkbcommon", alp="libxkbcommon-dev | libxkbcommon",
  suse="libxkbcommon-devel | libxkbcommon0", brew="libxkbcommon", **NO_WIN)
d("dep:generic/sdl2", "sdl2 libsdl2 sdl", "Simple DirectMedia Layer 2",
  deb="libsdl2-dev | libsdl2-2.0-0", fed="SDL2-devel | SDL2", arch="sdl2", alp="sdl2-dev | sdl2",
  suse="libSDL2-devel | libSDL2-2_0-0", brew="sdl2", **NO_WIN)
d("dep:generic/glib", "glib glib2 gio", "GLib core library",
  deb="libglib2.0-dev | libglib2.0-0", t64="libglib2.0-0", fed="glib2-devel | glib2", arch="glib2",
  alp="glib-dev | glib", suse="glib2-devel | libglib-2_0-0", brew="glib", **NO_WIN)
d("dep:generic/gobject-introspection", "gobject-introspection gi girepository", "GObject introspection (PyGObject)",
  deb="libgirepository1.0-dev | libgirepository-1.0-1 gir1.2-glib-2.0",
  fed="gobject-introspection-devel | gobject-introspection",
  arch="gobject-introspection | gobject-introspection-runtime",
  alp="gobject-introspection-dev | gobject-introspection",
  suse="gobject-introspection-devel | libgirepository-1_0-1", brew="gobject-introspection",
  **NO_WIN)
d("dep:generic/gtk3", "gtk3 gtk+3 libgtk-3", "GTK 3 toolkit",
  deb="libgtk-3-dev | libgtk-3-0", t64="libgtk-3-0", fed="gtk3-devel | gtk3", arch="gtk3",
  alp="gtk+3.0-dev | gtk+3.0", suse="gtk3-devel | libgtk-3-0", brew="gtk+3", **NO_WIN)
d("dep:generic/gtk4", "gtk4 libgtk-4", "GTK 4 toolkit",
  deb="libgtk-4-dev | libgtk-4-1", fed="gtk4-devel | gtk4", arch="gtk4", alp="gtk4.0-dev | gtk4.0",
  suse="gtk4-devel | libgtk-4-1", brew="gtk4", **NO_WIN)
d("dep:generic/tk", "tk tkinter tcl-tk", "Tk GUI toolkit (tkinter)",
  deb="tk-dev | libtk8.6", fed="tk-devel | tk", arch="tk", alp="tk-dev | tk", suse="tk-devel | tk",
  brew="tcl-tk", win="Magicsplat.TclTk", ros="tk-dev")
d("dep:generic/tcl", "tcl", "Tcl scripting library",
  deb="tcl-dev | libtcl8.6", fed="tcl-devel | tcl", arch="tcl", alp="tcl-dev | tcl",
  suse="tcl-devel | tcl", brew="tcl-tk", win="Magicsplat.TclTk")
# ---------------------------------------------------------------- audio, devices, system
d("dep:generic/portaudio", "portaudio", "PortAudio audio I/O",
  deb="portaudio19-dev | libportaudio2", fed="portaudio-devel | portaudio", arch="portaudio",
  alp="portaudio-dev | portaudio", suse="portaudio-devel | libportaudio2", brew="portaudio",
  **NO_WIN)
d("dep:generic/libsndfile", "libsndfile sndfile", "Sound file library",
  deb="libsndfile1-dev | libsndfile1", fed="libsndfile-devel | libsndfile", arch="libsndfile",
  alp="libsndfile-dev | libsndfile", suse="libsndfile-devel | libsndfile1", brew="libsndfile",
  **NO_WIN)
d("dep:generic/alsa", "alsa libasound alsa-lib", "ALSA sound library",
  deb="libasound2-dev | libasound2", t64="libasound2", fed="alsa-lib-devel | alsa-lib",
  arch="alsa-lib", alp="alsa-lib-dev | alsa-lib", suse="alsa-devel | libasound2", **LINUX_ONLY)
d("dep:generic/libpulse", "libpulse pulseaudio", "PulseAudio client library",
  deb="libpulse-dev | libpulse0", fed="pulseaudio-libs-devel | pulseaudio-libs", arch="libpulse",
  alp="pulseaudio-dev | libpulse", suse="libpulse-devel | libpulse0", **LINUX_ONLY)
d("dep:generic/fftw", "fftw fftw3", "FFTW fast Fourier transforms",
  deb="libfftw3-dev | libfftw3-double3", fed="fftw-devel | fftw-libs-double", arch="fftw",
  alp="fftw-dev | fftw-double-libs", suse="fftw3-devel | libfftw3-3", brew="fftw", **NO_WIN)
d("dep:generic/libusb", "libusb libusb-1.0", "USB access library",
  deb="libusb-1.0-0-dev | libusb-1.0-0", fed="libusb1-devel | libusb1", arch="libusb",
  alp="libusb-dev | libusb", suse="libusb-1_0-devel | libusb-1_0-0", brew="libusb", **NO_WIN)
d("dep:generic/libudev", "libudev udev", "udev device library",
  deb="libudev-dev | libudev1", fed="systemd-devel | systemd-libs", arch="systemd-libs",
  alp="eudev-dev | eudev-libs", suse="libudev-devel | libudev1", **LINUX_ONLY)
d("dep:generic/libsystemd", "libsystemd systemd sd-journal", "systemd library (journal, bus)",
  deb="libsystemd-dev | libsystemd0", fed="systemd-devel | systemd-libs", arch="systemd-libs",
  alp=None, suse="systemd-devel | libsystemd0", **LINUX_ONLY)
d("dep:generic/dbus", "dbus libdbus", "D-Bus message bus library",
  deb="libdbus-1-dev | libdbus-1-3", fed="dbus-devel | dbus-libs", arch="dbus",
  alp="dbus-dev | dbus-libs", suse="dbus-1-devel | libdbus-1-3", brew="dbus", **NO_WIN)
d("dep:generic/libcap", "libcap", "POSIX capabilities library",
  deb="libcap-dev | libcap2", fed="libcap-devel | libcap", arch="libcap", alp="libcap-dev | ?",
  suse="libcap-devel | libcap2", **LINUX_ONLY)
d("dep:generic/libaio", "libaio aio", "Linux asynchronous I/O library",
  deb="libaio-dev | libaio1", t64="libaio1", fed="libaio-devel | libaio", arch="libaio",
  alp="libaio-dev | libaio", suse="libaio-devel | libaio1", **LINUX_ONLY)
d("dep:generic/libnuma", "libnuma numa numactl", "NUMA policy library",
  deb="libnuma-dev | libnuma1", fed="numactl-devel | numactl-libs", arch="numactl",
  alp="numactl-dev | numactl", suse="libnuma-devel | libnuma1", **LINUX_ONLY)
d("dep:generic/fuse3", "fuse3 libfuse3 fuse", "Filesystem in userspace library",
  deb="libfuse3-dev | libfuse3-3", fed="fuse3-devel | fuse3-libs", arch="fuse3",
  suse="fuse3-devel | libfuse3-3", win=None, choco=None)
d("dep:generic/bluez", "bluez libbluetooth bluetooth", "BlueZ Bluetooth library",
  deb="libbluetooth-dev | libbluetooth3", fed="bluez-libs-devel | bluez-libs", arch="bluez-libs",
  alp="bluez-dev | bluez-libs", suse="bluez-devel | libbluetooth3", **LINUX_ONLY)
d("dep:generic/cups", "cups libcups", "CUPS printing library",
  deb="libcups2-dev | libcups2", t64="libcups2", fed="cups-devel | cups-libs", arch="libcups",
  alp="cups-dev | cups-libs", suse="cups-devel | libcups2", brew="", **NO_WIN)
# ---------------------------------------------------------------- text, parsing, runtime libs
d("dep:generic/libxml2", "libxml2 xml2", "libxml2 XML parser",
  deb="libxml2-dev | libxml2", fed="libxml2-devel | libxml2", arch="libxml2",
  alp="libxml2-dev | libxml2", suse="libxml2-devel | libxml2-2", brew="libxml2", **NO_WIN,
  ros="libxml2-dev")
d("dep:generic/libxslt", "libxslt xslt", "libxslt XSLT processor",
  deb="libxslt1-dev | libxslt1.1", fed="libxslt-devel | libxslt", arch="libxslt",
  alp="libxslt-dev | libxslt", suse="libxslt-devel | libxslt1", brew="libxslt", **NO_WIN,
  ros="libxslt-dev")
d("dep:generic/libyaml", "libyaml yaml", "LibYAML parser",
  deb="libyaml-dev | libyaml-0-2", fed="libyaml-devel | libyaml", arch="libyaml",
  alp="yaml-dev | yaml", suse="libyaml-devel | libyaml-0-2", brew="libyaml", **NO_WIN,
  ros="libyaml-dev")
d("dep:generic/expat", "expat libexpat", "Expat XML parser",
  deb="libexpat1-dev | libexpat1", fed="expat-devel | expat", arch="expat",
  alp="expat-dev | libexpat", suse="libexpat-devel | libexpat1", brew="expat", **NO_WIN)
d("dep:generic/pcre2", "pcre2 libpcre2", "PCRE2 regular expressions",
  deb="libpcre2-dev | libpcre2-8-0", fed="pcre2-devel | pcre2", arch="pcre2",
  alp="pcre2-dev | pcre2", suse="pcre2-devel | libpcre2-8-0", brew="pcre2", **NO_WIN)
d("dep:generic/re2", "re2", "RE2 regular expressions",
  deb="libre2-dev | ?", fed="re2-devel | re2", arch="re2", alp="re2-dev | re2", brew="re2",
  **NO_WIN, v={"debian+12": "? | libre2-9", "ubuntu+24.04": "? | libre2-10"})
d("dep:generic/icu", "icu libicu icu4c", "ICU Unicode library",
  deb="libicu-dev | ?", fed="libicu-devel | libicu", arch="icu", alp="icu-dev | icu-libs",
  suse="libicu-devel | ?", brew="icu4c", **NO_WIN,
  v={"debian+12": "? | libicu72", "ubuntu+24.04": "? | libicu74", "ubuntu+22.04": "? | libicu70"})
d("dep:generic/readline", "readline libreadline", "GNU readline",
  deb="libreadline-dev | libreadline8", t64="libreadline8", fed="readline-devel | readline",
  arch="readline", alp="readline-dev | readline", suse="readline-devel | libreadline8",
  brew="readline", **NO_WIN)
d("dep:generic/ncurses", "ncurses curses libncurses", "ncurses terminal library",
  deb="libncurses-dev | libncursesw6 libtinfo6", fed="ncurses-devel | ncurses-libs",
  arch="ncurses", alp="ncurses-dev | ncurses-libs", suse="ncurses-devel | libncurses6",
  brew="ncurses", **NO_WIN)
d("dep:generic/libedit", "libedit editline", "BSD editline library",
  deb="libedit-dev | libedit2", fed="libedit-devel | libedit", arch="libedit",
  alp="libedit-dev | libedit", suse="libedit-devel | libedit0", brew="libedit", **NO_WIN)
d("dep:generic/hunspell", "hunspell", "Hunspell spell checker",
  deb="libhunspell-dev | libhunspell-1.7-0", fed="hunspell-devel | hunspell", arch="hunspell",
  alp="hunspell-dev | hunspell", brew="hunspell", **NO_WIN)
d("dep:generic/enchant", "enchant enchant2 libenchant", "Enchant spell-checking library",
  deb="libenchant-2-dev | libenchant-2-2", fed="enchant2-devel | enchant2", arch="enchant",
  alp="enchant2-dev | enchant2", brew="enchant", **NO_WIN)
d("dep:generic/libuuid", "uuid libuuid", "UUID library (util-linux)",
  deb="uuid-dev | libuuid1", fed="libuuid-devel | libuuid", arch="util-linux-libs",
  alp="util-linux-dev | libuuid", suse="libuuid-devel | libuuid1", brew="", **NO_WIN)
d("dep:generic/libev", "libev", "libev event loop",
  deb="libev-dev | libev4", t64="libev4", fed="libev-devel | libev", arch="libev",
  alp="libev-dev | libev", suse="libev-devel | libev4", brew="libev", **NO_WIN)
d("dep:generic/libuv", "libuv", "libuv asynchronous I/O",
  deb="libuv1-dev | libuv1", t64="libuv1", fed="libuv-devel | libuv", arch="libuv",
  alp="libuv-dev | libuv", suse="libuv-devel | libuv1", brew="libuv", **NO_WIN)
d("dep:generic/libevent", "libevent", "libevent event notification",
  deb="libevent-dev | libevent-2.1-7", t64="libevent-2.1-7", fed="libevent-devel | libevent",
  arch="libevent", alp="libevent-dev | libevent", suse="libevent-devel | libevent-2_1-7",
  brew="libevent", **NO_WIN)
d("dep:generic/zeromq", "zeromq zmq libzmq", "ZeroMQ messaging library",
  deb="libzmq3-dev | libzmq5", fed="zeromq-devel | zeromq", arch="zeromq",
  alp="zeromq-dev | libzmq", suse="zeromq-devel | libzmq5", brew="zeromq", **NO_WIN)
d("dep:generic/protobuf", "protobuf libprotobuf", "Protocol Buffers library and compiler",
  deb="libprotobuf-dev protobuf-compiler | ?", fed="protobuf-devel protobuf-compiler | protobuf",
  arch="protobuf", alp="protobuf-dev protoc | ?", brew="protobuf", **NO_WIN,
  v={ "debian+12": "? | libprotobuf32", "ubuntu+24.04": "? | libprotobuf32t64", "ubuntu+22.04": "? | libprotobuf23", })
d("dep:generic/grpc", "grpc libgrpc", "gRPC C++ library and plugins",
  deb="libgrpc++-dev protobuf-compiler-grpc | ?", fed="grpc-devel grpc-plugins | grpc",
  arch="grpc", brew="grpc", **NO_WIN)
d("dep:generic/abseil", "abseil abseil-cpp absl", "Abseil C++ libraries",
  deb="libabsl-dev | ?", fed="abseil-cpp-devel | abseil-cpp", arch="abseil-cpp",
  alp="abseil-cpp-dev | ?", brew="abseil", **NO_WIN)
d("dep:generic/capnproto", "capnproto capnp", "Cap'n Proto serialization",
  deb="capnproto libcapnp-dev | ?", fed="capnproto capnproto-devel | capnproto-libs",
  arch="capnproto", brew="capnp", **NO_WIN, v={"debian+12": "? | libcapnp-0.9.2"})
d("dep:generic/flatbuffers", "flatbuffers flatc", "FlatBuffers serialization",
  deb="libflatbuffers-dev flatbuffers-compiler | ?",
  fed="flatbuffers-devel flatbuffers-compiler | ?", arch="flatbuffers", brew="flatbuffers",
  **NO_WIN)
d("dep:generic/libgit2", "libgit2", "libgit2 Git library",
  deb="libgit2-dev | ?", fed="libgit2-devel | libgit2", arch="libgit2",
  alp="libgit2-dev | libgit2", brew="libgit2", **NO_WIN,
  v={"debian+12": "? | libgit2-1.5", "ubuntu+24.04": "? | libgit2-1.7"})
d("dep:generic/jemalloc", "jemalloc", "jemalloc memory allocator",
  deb="libjemalloc-dev | libjemalloc2", fed="jemalloc-devel | jemalloc", arch="jemalloc",
  alp="jemalloc-dev | jemalloc", brew="jemalloc", **NO_WIN)
# ---------------------------------------------------------------- science and numerics
d("dep:virtual/interface/blas", "blas", "BLAS implementation (OpenBLAS by default)",
  deb="libopenblas-dev | libopenblas0", fed="flexiblas-devel | flexiblas", arch="openblas",
  alp="openblas-dev | openblas", suse="openblas-devel | ?", brew="openblas", **NO_WIN)
d("dep:virtual/interface/lapack", "lapack", "LAPACK implementation",
  deb="liblapack-dev | liblapack3", fed="flexiblas-devel | flexiblas", arch="lapack",
  alp="lapack-dev | lapack", suse="lapack-devel | liblapack3", brew="openblas", **NO_WIN)
d("dep:generic/openblas", "openblas", "OpenBLAS optimized BLAS/LAPACK",
  deb="libopenblas-dev | libopenblas0", fed="openblas-devel | openblas", arch="openblas",
  alp="openblas-dev | openblas", suse="openblas-devel | ?", brew="openblas", **NO_WIN)
d("dep:virtual/interface/openmp", "openmp libomp libgomp", "OpenMP runtime",
  deb=" | libgomp1", fed=" | libgomp", arch=" | gcc-libs", alp=" | libgomp", suse=" | libgomp1",
  brew="libomp", win="", choco="")
d("dep:virtual/interface/mpi", "mpi openmpi", "MPI implementation (Open MPI)",
  deb="libopenmpi-dev openmpi-bin | openmpi-bin", fed="openmpi-devel | openmpi", arch="openmpi",
  alp="openmpi-dev | openmpi", brew="open-mpi", **NO_WIN)
d("dep:generic/hdf5", "hdf5 libhdf5", "HDF5 data format library",
  deb="libhdf5-dev | ?", fed="hdf5-devel | hdf5", arch="hdf5", alp="hdf5-dev | hdf5",
  suse="hdf5-devel | ?", brew="hdf5", **NO_WIN,
  v={ "debian+12": "? | libhdf5-103-1", "ubuntu+24.04": "? | libhdf5-103-1t64", "ubuntu+22.04": "? | libhdf5-103-1", })
d("dep:generic/netcdf", "netcdf libnetcdf netcdf-c", "netCDF C library",
  deb="libnetcdf-dev | ?", fed="netcdf-devel | netcdf", arch="netcdf", alp="netcdf-dev | netcdf",
  suse="netcdf-devel | ?", brew="netcdf", **NO_WIN,
  v={ "debian+12": "? | libnetcdf19", "ubuntu+24.04": "? | libnetcdf19t64", "ubuntu+22.04": "? | libnetcdf19", })
d("dep:generic/gdal", "gdal libgdal", "GDAL geospatial data library",
  deb="libgdal-dev | ?", fed="gdal-devel | gdal-libs", arch="gdal", alp="gdal-dev | gdal",
  suse="gdal-devel | ?", brew="gdal", **NO_WIN,
  v={ "debian+12": "? | libgdal32", "ubuntu+24.04": "? | libgdal34t64", "ubuntu+22.04": "? | libgdal30", })
d("dep:generic/geos", "geos libgeos", "GEOS geometry engine",
  deb="libgeos-dev | libgeos-c1v5", fed="geos-devel | geos", arch="geos", alp="geos-dev | geos",
  suse="geos-devel | libgeos_c1", brew="geos", **NO_WIN,
  v={"ubuntu+24.04": "? | libgeos-c1t64", "debian+13": "? | libgeos-c1t64"})
d("dep:generic/proj", "proj libproj", "PROJ coordinate transformation",
  deb="libproj-dev proj-bin | ?", fed="proj-devel | proj", arch="proj", alp="proj-dev | proj",
  suse="proj-devel | ?", brew="proj", **NO_WIN,
  v={ "debian+12": "? | libproj25 proj-data", "ubuntu+24.04": "? | libproj25 proj-data", "ubuntu+22.04": "? | libproj22 proj-data", })
d("dep:generic/spatialindex", "spatialindex libspatialindex", "Spatial indexing library (rtree)",
  deb="libspatialindex-dev | libspatialindex6", fed="spatialindex-devel | spatialindex",
  arch="spatialindex", brew="spatialindex", **NO_WIN)
d("dep:generic/gmp", "gmp libgmp", "GNU multiple precision arithmetic",
  deb="libgmp-dev | libgmp10", fed="gmp-devel | gmp", arch="gmp", alp="gmp-dev | gmp",
  suse="gmp-devel | libgmp10", brew="gmp", **NO_WIN, ros="libgmp-dev")
d("dep:generic/mpfr", "mpfr libmpfr", "Multiple-precision floating point",
  deb="libmpfr-dev | libmpfr6", fed="mpfr-devel | mpfr", arch="mpfr", alp="mpfr-dev | mpfr4",
  suse="mpfr-devel | libmpfr6", brew="mpfr", **NO_WIN)
d("dep:generic/mpc", "mpc libmpc", "Multiple-precision complex arithmetic",
  deb="libmpc-dev | libmpc3", fed="libmpc-devel | libmpc", arch="libmpc", alp="mpc1-dev | mpc1",
  suse="mpc-devel | libmpc3", brew="libmpc", **NO_WIN)
d("dep:generic/gsl", "gsl", "GNU Scientific Library",
  deb="libgsl-dev | libgsl27", fed="gsl-devel | gsl", arch="gsl", alp="gsl-dev | gsl",
  suse="gsl-devel | ?", brew="gsl", **NO_WIN)
d("dep:generic/suitesparse", "suitesparse", "SuiteSparse sparse matrix libraries",
  deb="libsuitesparse-dev | ?", fed="suitesparse-devel | suitesparse", arch="suitesparse",
  alp="suitesparse-dev | suitesparse", brew="suite-sparse", **NO_WIN)
d("dep:generic/glpk", "glpk", "GNU Linear Programming Kit",
  deb="libglpk-dev | libglpk40", fed="glpk-devel | glpk", arch="glpk", alp="glpk-dev | glpk",
  brew="glpk", **NO_WIN)
d("dep:generic/eigen", "eigen eigen3", "Eigen C++ linear algebra (header-only)",
  deb="libeigen3-dev |", fed="eigen3-devel |", arch="eigen |", alp="eigen-dev |",
  suse="eigen3-devel |", brew="eigen |", **NO_WIN)
d("dep:generic/boost", "boost libboost", "Boost C++ libraries",
  deb="libboost-all-dev | ?", fed="boost-devel | boost", arch="boost | boost-libs",
  alp="boost-dev | ?", suse="boost-devel | ?", brew="boost", **NO_WIN)
d("dep:generic/tbb", "tbb onetbb", "oneTBB threading library",
  deb="libtbb-dev | libtbb12", fed="tbb-devel | tbb", arch="onetbb", suse="tbb-devel | libtbb12",
  brew="tbb", **NO_WIN)
# fmt: on

# Registry ids that name the same thing as a curated entry: same mapping, no aliases.
SAME_AS = {
    "dep:github/apache/arrow": "dep:generic/arrow",
    "dep:github/Kitware/CMake": "dep:generic/cmake",
    "dep:github/OpenMathLib/OpenBLAS": "dep:generic/openblas",
    "dep:github/Reference-LAPACK/lapack": "dep:virtual/interface/lapack",
    "dep:github/llvm/llvm-project": "dep:generic/llvm",
}


# ---------------------------------------------------------------- parsing helpers
def parse_spec(text: str) -> tuple[list[str] | None, list[str] | None]:
    """'a b | c' -> (build, run); a side of '?' -> None (unknown)."""
    if "|" in text:
        build_text, run_text = text.split("|", 1)
    else:
        build_text = run_text = text

    def side(part: str) -> list[str] | None:
        part = part.strip()
        if part == "?":
            return None
        return part.split()

    return side(build_text), side(run_text)


def load_rosdep(path: Path) -> dict[str, Any]:
    """Minimal parser for rosdep's YAML subset: nested block mappings, flow lists, scalars."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, _, rest = line.strip().partition(":")
        key = key.strip().strip("'\"")
        rest = rest.strip()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if not rest:
            child: dict[str, Any] = {}
            parent[key] = child
            stack.append((indent, child))
        elif rest.startswith("["):
            items = [i.strip().strip("'\"") for i in rest.strip("[]").split(",")]
            parent[key] = [i for i in items if i]
        elif rest in ("null", "~"):
            parent[key] = None
        else:
            parent[key] = rest.strip("'\"")
    return root


def rosdep_value(entry: Any, release: str | None) -> list[str] | None:
    """Packages of one rosdep os entry, or None when it is unusable/unavailable."""
    if isinstance(entry, list):
        return [str(p) for p in entry]
    if isinstance(entry, dict):
        if "packages" in entry:
            return rosdep_value(entry["packages"], release)
        for key in (release, "*"):
            if key and key in entry:
                return rosdep_value(entry[key], release)
    return None


def pep804_specs(mappings: dict[str, Any], dep_id: str) -> tuple[list[str], list[str]] | None:
    entry = mappings.get(dep_id)
    if entry is None:
        return None
    specs = entry.get("specs")
    if specs is None and "specs_from" in entry:
        return pep804_specs(mappings, entry["specs_from"])
    if isinstance(specs, dict) and "specs_from" in specs:
        return pep804_specs(mappings, specs["specs_from"])

    def as_list(value: Any) -> list[str]:
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    if isinstance(specs, dict):
        build = as_list(specs.get("build")) + as_list(specs.get("host"))
        run = as_list(specs.get("run"))
    else:
        build = run = as_list(specs)
    if not build and not run:
        return None  # the prototype data uses [] for "not mapped yet"
    return list(dict.fromkeys(build)), list(dict.fromkeys(run))


def load_rsr(folder: Path) -> dict[str, dict[str, list[str]]]:
    """r-system-requirements: rule -> distribution -> packages (unversioned constraint or the
    latest listed version)."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted((folder / "rules").glob("*.json")):
        rule = json.loads(path.read_text(encoding="utf-8"))
        per: dict[str, tuple[float, list[str]]] = {}
        for dep in rule.get("dependencies", []):
            for c in dep.get("constraints", []):
                dist = c.get("distribution")
                if not dist:
                    continue
                versions = c.get("versions")
                rank = 1e9 if not versions else max(_num(x) for x in versions)
                if dist not in per or rank >= per[dist][0]:
                    per[dist] = (rank, list(dep.get("packages", [])))
        out[path.stem] = {k: v for k, (_, v) in per.items()}
    return out


def _num(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1e8


# ---------------------------------------------------------------- building
def build(data: Path) -> tuple[dict[str, Any], list[str]]:
    """Return the table and a list of disagreements between the data sets and the table."""
    registry = json.loads((data / "pep804-mappings" / "registry.json").read_text(encoding="utf-8"))
    registry_ids = {d["id"]: d.get("description", "") for d in registry["definitions"]}
    pep804: dict[str, dict[str, Any]] = {}
    for fname, eco_id in PEP804_FILES.items():
        doc = json.loads(
            (data / "pep804-mappings" / f"{fname}.mapping.json").read_text(encoding="utf-8")
        )
        pep804[eco_id] = {m["id"]: m for m in doc["mappings"]}
    rosdep = load_rosdep(data / "rosdep" / "base.yaml")
    report: list[str] = []

    deps: dict[str, Any] = {}
    for dep in CURATED:
        if dep.id.split("?")[0] != dep.id:
            raise ValueError(dep.id)
        build_map: dict[str, list[str] | None] = {}
        run_map: dict[str, list[str] | None] = {}
        eco = dict(dep.eco)
        if "debian" in eco and "ubuntu" not in eco:
            eco["ubuntu"] = eco["debian"]
        # Fill gaps from the data sets (curated values win).
        for name in ECOSYSTEMS:
            if name in eco:
                continue
            found = pep804_specs(pep804.get(name, {}), dep.id) if dep.id in registry_ids else None
            if found is not None:
                build_map[name], run_map[name] = found
                report.append(f"{dep.id} {name}: taken from pep804-mappings {found}")
                continue
            if dep.ros and dep.ros in rosdep:
                for ros_os, (our, release) in ROSDEP_OS.items():
                    if our == name and ros_os in rosdep[dep.ros]:
                        pkgs = rosdep_value(rosdep[dep.ros][ros_os], release)
                        if pkgs:
                            build_map[name] = pkgs
                            report.append(f"{dep.id} {name}: build taken from rosdep {pkgs}")
        for name, spec in eco.items():
            if spec is None:
                build_map[name] = run_map[name] = None
                continue
            b, r = parse_spec(spec)
            if b is not None:
                build_map[name] = b
            if r is not None:
                run_map[name] = r
        # Ubuntu 24.04+ and Debian 13 renamed libraries whose ABI involves time_t (t64).
        if dep.t64:
            renamed = {old: old + "t64" for old in dep.t64}
            for base, old_release, new_key in (
                ("debian", "debian+12", "debian+13"),
                ("ubuntu", "ubuntu+22.04", "ubuntu"),
            ):
                current = run_map.get(base)
                if current is None or not set(dep.t64) <= set(current):
                    raise ValueError(f"{dep.id}: t64 names {dep.t64} not in {base} run list")
                if new_key == base:  # bare id gets the new names, the old release the old ones
                    run_map[old_release] = list(current)
                run_map[new_key] = [renamed.get(p, p) for p in current]
        for key, spec in dep.v.items():
            b, r = parse_spec(spec)
            if b is not None:
                build_map[key] = b
            if r is not None:
                run_map[key] = r
        # Cross-check the curated table against the data sets.
        if dep.id in registry_ids:
            for name in pep804:
                found = pep804_specs(pep804[name], dep.id)
                ours = build_map.get(name)
                if found is not None and name in eco and ours is not None:
                    # pep804 lists the run-time library under host too; -dev pulls it in.
                    implied = (
                        set(found[0]) - set(found[1]) if found[0] != found[1] else set(found[0])
                    )
                    if (implied or set(found[0])) != set(ours):
                        report.append(
                            f"{dep.id} {name}: pep804-mappings build {found[0]} -> table {ours}"
                        )
        if dep.ros and dep.ros in rosdep:
            for ros_os, (our, release) in ROSDEP_OS.items():
                if ros_os not in rosdep[dep.ros] or our not in eco:
                    continue
                pkgs = rosdep_value(rosdep[dep.ros][ros_os], release)
                ours = build_map.get(our)
                if pkgs is not None and ours is not None and set(pkgs) != set(ours):
                    report.append(f"{dep.id} {our}: rosdep {dep.ros} {pkgs} -> table {ours}")
        summary = dep.summary
        deps[dep.id] = {
            "aliases": sorted(dep.aliases),
            "summary": summary,
            "build": dict(sorted(build_map.items())),
            "run": dict(sorted(run_map.items())),
        }
    for synonym, target in SAME_AS.items():
        if synonym not in registry_ids:
            raise ValueError(f"{synonym} is not in the pep804 registry")
        copy = json.loads(json.dumps(deps[target]))
        copy["aliases"] = []
        copy["summary"] = f"{deps[target]['summary']} (same as {target})"
        deps[synonym] = copy

    rsr_folder = data / "r-system-requirements"
    if rsr_folder.is_dir():
        report.extend(cross_check_rsr(deps, load_rsr(rsr_folder)))

    table = {"format": 1, "ecosystems": ECOSYSTEMS, "deps": dict(sorted(deps.items()))}
    check(table)
    return table, report


# dep id -> r-system-requirements rule name, for the cross-check only
RSR_RULES = {
    "dep:generic/libpq": "postgresql",
    "dep:generic/openssl": "openssl",
    "dep:generic/zlib": "zlib",
    "dep:generic/libjpeg": "libjpeg",
    "dep:generic/libpng": "libpng",
    "dep:generic/libtiff": "libtiff",
    "dep:generic/libwebp": "libwebp",
    "dep:generic/libxml2": "libxml2",
    "dep:generic/libxslt": "libxslt",
    "dep:generic/freetype": "freetype",
    "dep:generic/fontconfig": "fontconfig",
    "dep:generic/harfbuzz": "harfbuzz",
    "dep:generic/fribidi": "fribidi",
    "dep:generic/cairo": "cairo",
    "dep:generic/pango": "pango",
    "dep:generic/gdal": "gdal",
    "dep:generic/geos": "geos",
    "dep:generic/proj": "proj",
    "dep:generic/hdf5": "hdf5",
    "dep:generic/netcdf": "netcdf4",
    "dep:generic/gmp": "gmp",
    "dep:generic/mpfr": "mpfr",
    "dep:generic/libsodium": "libsodium",
    "dep:generic/sasl": "sasl",
    "dep:generic/unixodbc": "odbc",
    "dep:generic/libcurl": "libcurl",
    "dep:generic/libssh2": "libssh2",
    "dep:generic/libssh": "libssh",
    "dep:generic/icu": "libicu",
    "dep:generic/xz": "liblzma",
    "dep:generic/bzip2": "libbz2",
    "dep:generic/zstd": "libzstd",
    "dep:generic/libarchive": "libarchive",
    "dep:generic/libmagic": "libmagic",
    "dep:generic/libsndfile": "libsndfile",
    "dep:generic/libuv": "libuv",
    "dep:generic/sqlite": "sqlite3",
    "dep:generic/zeromq": "zeromq",
    "dep:generic/tesseract": "tesseract",
    "dep:generic/leptonica": "leptonica",
    "dep:generic/imagemagick": "imagemagick",
    "dep:generic/libgit2": "libgit2",
    "dep:generic/gsl": "gsl",
    "dep:generic/glpk": "glpk",
    "dep:generic/boost": "boost",
    "dep:generic/eigen": "eigen",
    "dep:generic/fftw": "fftw3",
    "dep:generic/cmake": "cmake",
    "dep:generic/git": "git",
    "dep:generic/make": "gnumake",
    "dep:generic/pkg-config": "pkg-config",
    "dep:generic/libmysqlclient": "libmysqlclient",
    "dep:generic/libavif": "libavif",
    "dep:generic/librsvg": "librsvg2",
    "dep:generic/libsecret": "libsecret",
    "dep:generic/gpgme": "gpgme",
    "dep:generic/tk": "tk",
    "dep:generic/opencv": "opencv",
    "dep:generic/protobuf": "libprotobuf",
    "dep:generic/ncurses": "ncurses",
    "dep:virtual/compiler/rust": "rust",
    "dep:generic/jdk": "java",
}


def cross_check_rsr(deps: dict[str, Any], rsr: dict[str, dict[str, list[str]]]) -> list[str]:
    out = []
    for dep_id, rule in sorted(RSR_RULES.items()):
        if rule not in rsr:
            out.append(f"{dep_id}: r-system-requirements has no rule {rule}")
            continue
        for dist in ("debian", "ubuntu", "fedora", "alpine", "opensuse"):
            theirs = rsr[rule].get(dist)
            ours = deps[dep_id]["build"].get(dist)
            if theirs is not None and ours is not None and set(theirs) != set(ours):
                out.append(
                    f"{dep_id} {dist}: r-system-requirements {rule} {theirs} -> table {ours}"
                )
    return out


def check(table: dict[str, Any]) -> None:
    """Fail early on anything the consumers would reject."""
    seen_alias: dict[str, str] = {}
    ids = set(table["deps"])
    for dep_id, entry in table["deps"].items():
        for alias in entry["aliases"]:
            if alias != alias.lower() or alias in ids or alias in seen_alias:
                raise ValueError(f"{dep_id}: bad or duplicate alias {alias}")
            seen_alias[alias] = dep_id
        for side in ("build", "run"):
            for key, value in entry[side].items():
                if key.split("+", 1)[0] not in ECOSYSTEMS:
                    raise ValueError(f"{dep_id}: unknown ecosystem {key}")
                for name in value or []:
                    if not NAME_RE.match(name):
                        raise ValueError(f"{dep_id} {key}: bad package name {name!r}")


def external_ids(data: Path) -> set[str]:
    ids: set[str] = set()
    for path in sorted((data / "external-deps-build").glob("*.toml")):
        ext = tomllib.loads(path.read_text(encoding="utf-8")).get("external", {})
        values: list[str] = []
        for value in ext.values():
            if isinstance(value, list):
                values.extend(value)
            elif isinstance(value, dict):
                for sub in value.values():
                    values.extend(sub)
        ids.update(v.split("@", 1)[0] for v in values if v.startswith("dep:"))
    return ids


def render(table: dict[str, Any]) -> str:
    return json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    data = Path(args[0]) if args else ROOT.parent / "shared" / "data" / "system-deps"
    table, report = build(data)
    missing = external_ids(data) - set(table["deps"])
    if missing:
        print(f"missing ids used by external-deps-build: {sorted(missing)}", file=sys.stderr)
        return 1
    TARGET.write_text(render(table), encoding="utf-8", newline="\n")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(table['deps'])} dependencies")
    if "--report" in argv:
        print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
