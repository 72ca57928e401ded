"""A bundle uploaded as a zip: read and checked at once with the checks `carepath deploy` runs (every problem
with its file, element and line), kept while nothing is deployed, and deployed only when the admin says so; what
is deployed is the zip that was checked."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from engine.care import characters
from engine.deploy import versions
from engine.deploy.bundle import MAX_BUNDLE_BYTES, Bundle, load_bundle
from engine.deploy.parsing import parse_bundle
from engine.deploy.spec_cache import SpecCache
from engine.deploy.versions import DeployResult
from engine.errors import BundleRefused, InvalidInput, InvalidState, NotFound
from engine.models import MAX_ID, BundleUpload
from engine.store import audit
from engine.time import clock

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")
REFUSED, CHECKED, UNCHANGED, DEPLOYED = "refused", "checked", "unchanged", "deployed"


def bundle_name(name: str | None, filename: str) -> str:
    """The name to deploy under: the one given, else the zip's name without `.zip`."""
    chosen = (name or "").strip() or PurePosixPath(filename.replace("\\", "/")).stem.strip()
    characters.require_text("the bundle name", chosen)
    if not NAME.match(chosen):
        raise InvalidInput(f"'{chosen[:100]}' cannot name a bundle: use up to 100 letters, digits, spaces, '.', '_' "
                           "or '-', starting with a letter or digit")
    return chosen


def _read(content: bytes, filename: str, name: str) -> Bundle:
    with tempfile.TemporaryDirectory(prefix="carepath-upload-") as folder:
        path = Path(folder) / "bundle.zip"
        path.write_bytes(content)
        return load_bundle(path, name=name)


def check(session: Session, filename: str, content: bytes, name: str | None, by: str) -> BundleUpload:
    """Read and check an uploaded zip; the upload is kept with its report (refused, checked, or unchanged: the
    newest version has this content already). A file that is not a zip is refused at once (InvalidInput)."""
    filename = PurePosixPath((filename or "").replace("\\", "/")).name[:300]
    characters.require_text("the file name", filename)
    if not filename.lower().endswith(".zip"):
        raise InvalidInput("upload the bundle as a .zip file of its .bpmn, .dmn and form .json files")
    if not content:
        raise InvalidInput(f"{filename} is empty")
    if len(content) > MAX_BUNDLE_BYTES:
        raise InvalidInput(f"{filename} is {len(content) // (1024 * 1024)} MB, over the limit of "
                           f"{MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    label = bundle_name(name, filename)
    upload = BundleUpload(name=label, filename=filename, size=len(content), files=[], problems=[], warnings=[],
                          uploaded_by=by, uploaded_at=clock.now())
    try:
        bundle = _read(content, filename, label)
        upload.files, upload.content_hash = sorted(bundle.files), bundle.content_hash
        newest = versions.newest_version(session, label)
        if newest is not None and newest.content_hash == bundle.content_hash:
            upload.status, upload.deployment_id = UNCHANGED, newest.id
        else:
            parsed = parse_bundle(bundle)
            upload.status, upload.content = CHECKED, content
            upload.warnings = [w.to_dict() for w in parsed.warnings]
    except BundleRefused as refused:
        upload.status, upload.problems = REFUSED, [p.to_dict() for p in refused.problems]
    session.add(upload)
    session.flush()
    audit.record(session, "bundle_checked", by, details={"upload": upload.id, "name": label, "file": filename,
                                                         "outcome": upload.status, "problems": len(upload.problems)})
    return upload


def get(session: Session, upload_id: int) -> BundleUpload:
    upload = session.get(BundleUpload, upload_id) if 1 <= upload_id <= MAX_ID else None
    if upload is None:
        raise NotFound(f"upload {upload_id} does not exist")
    return upload


def deploy(session: Session, upload_id: int, by: str, specs: SpecCache) -> DeployResult:
    """Deploy a checked upload as its bundle's next version (checked again as it is deployed)."""
    upload = get(session, upload_id)
    if upload.status != CHECKED or upload.content is None:
        raise InvalidState(f"upload {upload_id} is {upload.status}: only a bundle that passed its checks and is not "
                           "deployed yet can be deployed")
    result = versions.deploy(session, _read(upload.content, upload.filename, upload.name), by, specs)
    upload.status, upload.deployment_id, upload.deployed_at = DEPLOYED, result.deployment.id, clock.now()
    upload.content = None
    return result
