"""The build context as a tar stream, from the project tree overlaid with the files being edited.

The repair loop never writes the user's tree until the end: each build sees the tree on disk with the
workspace's edited texts in place of the originals (and the edited .dockerignore deciding what is sent).
File times are fixed so that the engine's cache depends on content alone.
"""

from __future__ import annotations

import dataclasses
import io
import os
import posixpath
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from docker.utils.build import PatternMatcher, exclude_paths

from dockerfix.analyse.dockerignore import parse_dockerignore
from dockerfix.model import DockerfileInfo

OUTSIDE_DOCKERFILE = ".dockerfix.Dockerfile"  # the name a Dockerfile from outside the context is sent under
FIXED_MTIME = 1_700_000_000  # any constant: what matters is that it never changes between builds
MAX_SPOOL_BYTES = 32 * 1024 * 1024  # larger contexts spill to a temporary file instead of memory


def _add_text(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = FIXED_MTIME
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def build_context(root: Path, overlay: dict[str, str], dockerfile: str) -> IO[bytes]:
    """A tar of the context (rewound, ready to send); `overlay` maps relative paths to replacement texts."""
    ignore_text = overlay.get(".dockerignore")
    if ignore_text is None and (root / ".dockerignore").is_file():
        ignore_text = (root / ".dockerignore").read_text(errors="replace")
    patterns = [p for p, _ in parse_dockerignore(".dockerignore", ignore_text or "").patterns]
    included = sorted(exclude_paths(str(root), list(patterns), dockerfile=dockerfile))
    ignored = PatternMatcher(patterns)
    # An edited file is sent only where Docker would send it: never past the .dockerignore.
    sent_overlay = {p: t for p, t in overlay.items()
                    if p in (dockerfile, ".dockerignore") or not ignored.matches(p)}
    spool = tempfile.SpooledTemporaryFile(max_size=MAX_SPOOL_BYTES)
    with tarfile.open(fileobj=spool, mode="w") as tar:
        for relpath in included:
            posix = relpath.replace(os.sep, "/")
            if posix in sent_overlay:
                continue
            path = root / relpath
            info = tar.gettarinfo(str(path), arcname=posix)
            info.mtime = FIXED_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if info.isfile():
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)
            elif info.isdir() or info.issym():
                tar.addfile(info)
        for relpath, text in sorted(sent_overlay.items()):
            _add_text(tar, relpath, text)
    spool.seek(0)
    return spool


def context_inputs(root: Path, context: str, overlay: Mapping[str, str],
                   dockerfile: DockerfileInfo) -> tuple[Path, dict[str, str], DockerfileInfo]:
    """What a backend builds when the build context is a folder of the project (compose's `context: ./backend`,
    `--context`): that folder, the edited texts under it by their paths in it, and the Dockerfile as the context
    names it. A Dockerfile outside the context travels inside it under a name of its own, as the docker CLI does."""
    if context == ".":
        return root, dict(overlay), dockerfile
    prefix = context.rstrip("/") + "/"
    inside = {path[len(prefix):]: text for path, text in overlay.items() if path.startswith(prefix)}
    relative = posixpath.relpath(dockerfile.path, context)
    if relative.startswith(".."):
        relative = OUTSIDE_DOCKERFILE
    inside[relative] = dockerfile.text
    return root / context, inside, dataclasses.replace(dockerfile, path=relative)
