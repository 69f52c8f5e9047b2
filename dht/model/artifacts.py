"""What an artifact entry of a lock must be to be applied: checked offline, on every
lock read (apply, check, diff) and before `dht lock` writes one.

A lock from a pull request can point a package at any URL with that file's correct
hash; only `--verify-index` asks the index. These rules need no network: the file
comes from the lock's index (its host, or the host that index serves files from),
its URL names the file the entry names, the file name is a wheel or sdist of that
package at that version, and no URL carries credentials.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from packaging.version import InvalidVersion, Version

from dht.model.names import canonical_name

# Indexes that serve their files from another host (PyPI's CDN).
FILE_HOSTS: dict[str, tuple[str, ...]] = {
    "pypi.org": ("files.pythonhosted.org",),
    "test.pypi.org": ("test-files.pythonhosted.org",),
}


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def has_credentials(url: str) -> bool:
    parts = urlsplit(url)
    return parts.username is not None or parts.password is not None


def without_credentials(url: str) -> str:
    """The URL as it may be shown or written: user and password dropped."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


def allowed_hosts(index_url: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    own = host(index_url)
    return (own, *FILE_HOSTS.get(own, ()), *(h.lower() for h in extra))


def artifact_problem(
    url: str,
    filename: str,
    *,
    package: str,
    version: str,
    sdist: bool,
    index_url: str,
    file_hosts: tuple[str, ...] = (),
) -> str | None:
    """Why this artifact entry may not be applied, or None."""
    if has_credentials(url):
        return "its URL carries credentials"
    parts = urlsplit(url)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and urlsplit(index_url).scheme == "http"
    ):
        return f"its URL is {parts.scheme}://, not https://"
    hosts = allowed_hosts(index_url, file_hosts)
    if host(url) not in hosts:
        return f"it comes from {host(url) or 'no host'}, not from the index ({', '.join(hosts)})"
    last = unquote(parts.path.rsplit("/", 1)[-1])
    if last != filename:
        return f"its URL names the file {last!r}, not {filename!r}"
    return filename_problem(filename, package=package, version=version, sdist=sdist)


def filename_problem(filename: str, *, package: str, version: str, sdist: bool) -> str | None:
    # Here, not at the top: packaging.utils loads its wheel-tag code (logging, sysconfig),
    # which a lock read from the cache (read_lock_cached) never needs.
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if sdist:
            name, found = parse_sdist_filename(filename)
        else:
            name, found, _, _ = parse_wheel_filename(filename)
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
        kind = "an sdist" if sdist else "a wheel"
        return f"{filename!r} is not the file name of {kind}"
    if canonical_name(name) != package:
        return f"{filename!r} is a file of {name}, not {package}"
    try:
        if found != Version(version):
            return f"{filename!r} is version {found}, not {version}"
    except InvalidVersion:
        return f"{version!r} is not a version"
    return None
