"""Reading a program bundle (a folder or a zip of .bpmn, .dmn and form .json files) into memory.

Nothing here parses BPMN: this module only decides which files belong to the bundle, enforces the size
limits and keeps zip archives from writing or reading outside themselves.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from engine.errors import BundleRefused, InvalidInput, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BUNDLE_BYTES = 50 * 1024 * 1024
MAX_FILES = 500
BUNDLE_SUFFIXES = (".bpmn", ".dmn", ".json")
_MB = 1024 * 1024


@dataclass(frozen=True)
class Bundle:
    """A bundle in memory: relative POSIX paths -> file content.

    `problems` holds what was found while reading (files over the size limit, left out of `files`);
    parse_bundle reports them together with everything else.
    """

    name: str
    files: dict[str, bytes]
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @cached_property
    def content_hash(self) -> str:
        """sha256 over the sorted paths and their contents; the name and the reading order do not count."""
        digest = hashlib.sha256()
        for path in sorted(self.files):
            content = self.files[path]
            encoded = path.encode("utf-8")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
            digest.update(len(content).to_bytes(8, "big") + content)
        return digest.hexdigest()


def wanted(path: str) -> bool:
    """True for a bundle file: the right suffix, no hidden part, no macOS resource fork folder."""
    parts = PurePosixPath(path).parts
    if not parts or any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return False
    return parts[-1].lower().endswith(BUNDLE_SUFFIXES)


def too_big(path: str, size: int) -> Problem:
    return Problem(path, f"file is {size / _MB:.1f} MB, over the limit of {MAX_FILE_BYTES // _MB} MB")


def load_bundle(path: str | Path, name: str | None = None) -> Bundle:
    """Read a bundle from a folder (walked recursively) or a .zip file.

    Raises InvalidInput when the path cannot be read, is neither a folder nor a zip, or holds no bundle
    file; BundleRefused when the whole is unsafe or too large (too many files, total size, zip paths
    leaving the archive). A single file over MAX_FILE_BYTES is left out and recorded in `problems`.
    """
    source = Path(path)
    if not source.exists():
        raise InvalidInput(f"{source}: no such file or folder")
    if source.is_dir():
        files, problems = _read_folder(source)
    elif source.is_file() and zipfile.is_zipfile(source):
        files, problems = _read_zip(source)
    else:
        raise InvalidInput(f"{source}: a bundle must be a folder or a .zip file")
    if not files and not problems:
        raise InvalidInput(f"{source}: no .bpmn, .dmn or .json file found")
    return Bundle(name or source.stem or source.name, files, tuple(problems))


def _check_totals(source: Path, count: int, total: int) -> None:
    if count > MAX_FILES:
        raise BundleRefused([Problem(source.name, f"{count} files, over the limit of {MAX_FILES}")])
    if total > MAX_BUNDLE_BYTES:
        message = f"{total / _MB:.1f} MB in all, over the limit of {MAX_BUNDLE_BYTES // _MB} MB"
        raise BundleRefused([Problem(source.name, message)])


def _read_folder(root: Path) -> tuple[dict[str, bytes], list[Problem]]:
    root_resolved = root.resolve()
    found: list[tuple[str, Path, int]] = []
    problems: list[Problem] = []
    for folder, dirs, names in os.walk(root, onerror=_raise_unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for filename in sorted(names):
            file = Path(folder, filename)
            rel = file.relative_to(root).as_posix()
            if not wanted(rel) or not file.is_file():
                continue
            if file.is_symlink() and not file.resolve().is_relative_to(root_resolved):
                problems.append(Problem(rel, "symbolic link to a file outside the bundle folder"))
                continue
            found.append((rel, file, file.stat().st_size))
    _check_totals(root, len(found), sum(size for _, _, size in found))
    files: dict[str, bytes] = {}
    for rel, file, size in found:
        if size > MAX_FILE_BYTES:
            problems.append(too_big(rel, size))
            continue
        try:
            files[rel] = file.read_bytes()
        except OSError as exc:
            problems.append(Problem(rel, f"cannot read file ({exc.strerror or exc})"))
    return files, problems


def _raise_unreadable(exc: OSError) -> None:
    raise InvalidInput(f"{exc.filename}: cannot read folder ({exc.strerror or exc})")


def _unsafe(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in PurePosixPath(name).parts


def _read_zip(source: Path) -> tuple[dict[str, bytes], list[Problem]]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"{source}: not a readable zip file ({exc})") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        unsafe = [Problem(info.filename, "path leaves the archive (absolute or '..')")
                  for info in infos if _unsafe(info.filename)]
        if unsafe:
            raise BundleRefused(unsafe)
        selected = [info for info in infos if wanted(info.filename)]
        _check_totals(source, len(selected), sum(info.file_size for info in selected))
        prefix = _common_folder([info.filename for info in selected])
        files: dict[str, bytes] = {}
        problems: list[Problem] = []
        for info in selected:
            rel = info.filename[len(prefix):]
            if rel in files:
                problems.append(Problem(rel, "path appears twice in the archive"))
            elif info.file_size > MAX_FILE_BYTES:
                problems.append(too_big(rel, info.file_size))
            else:
                try:
                    with archive.open(info) as stream:
                        content = stream.read(MAX_FILE_BYTES + 1)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                    problems.append(Problem(rel, f"cannot extract from the archive ({exc})"))
                    continue
                if len(content) > MAX_FILE_BYTES:
                    problems.append(too_big(rel, len(content)))
                else:
                    files[rel] = content
    return files, problems


def _common_folder(names: list[str]) -> str:
    """'prog/' when every file sits under one top folder (a zipped folder), so a folder and its zip
    give the same paths and the same content hash."""
    tops = {PurePosixPath(name).parts[0] for name in names if len(PurePosixPath(name).parts) > 1}
    if len(tops) == 1 and all(len(PurePosixPath(name).parts) > 1 for name in names):
        return tops.pop() + "/"
    return ""
