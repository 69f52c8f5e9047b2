"""Writing files so that a reader (or a crash) sees the old bytes or the new, never half."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, data: bytes | tuple[bytes, ...], *, durable: bool = True) -> None:
    """Temp file in the same folder (a unique name: concurrent writers never share one),
    fsync, rename; the file keeps its mode (new: 0644). Without `durable`, no fsync: for
    a cache, where a lost write after a crash only costs a download. `data` in parts is
    written one after the other (big ones are not copied into one buffer first)."""
    import tempfile  # here: loading it (and shutil) costs a no-op run that writes nothing

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
