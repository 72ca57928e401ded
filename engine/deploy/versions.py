"""Deploy program bundles as immutable numbered versions; find the version a new start should use."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.deploy.bundle import Bundle
from engine.deploy.parsing import ParsedBundle, parse_bundle
from engine.deploy.spec_cache import SpecCache
from engine.errors import NotFound, Problem
from engine.models import Deployment, DeploymentFile
from engine.store import audit
from engine.time import clock


@dataclass
class DeployResult:
    deployment: Deployment
    created: bool  # False: the newest version already had exactly this content
    warnings: list[Problem]

    @property
    def message(self) -> str:
        d = self.deployment
        if self.created:
            return f"deployed {d.name} version {d.version} ({d.content_hash[:12]})"
        return f"{d.name} is unchanged: version {d.version} already has this content ({d.content_hash[:12]})"


def deploy(session: Session, bundle: Bundle, actor: str, specs: SpecCache) -> DeployResult:
    """Validate and store `bundle`. Raises BundleRefused (nothing stored) when it does not validate."""
    content_hash = bundle.content_hash
    newest = newest_version(session, bundle.name)
    if newest is not None and newest.content_hash == content_hash:
        return DeployResult(newest, False, [])
    parsed = parse_bundle(bundle)  # raises BundleRefused with every problem
    version = (session.scalar(select(func.max(Deployment.version)).where(Deployment.name == bundle.name)) or 0) + 1
    deployment = Deployment(
        name=bundle.name,
        version=version,
        content_hash=content_hash,
        deployed_at=clock.now(),
        deployed_by=actor,
        processes=_process_rows(parsed),
        total_bytes=sum(len(c) for c in bundle.files.values()),
    )
    session.add(deployment)
    session.flush()
    session.add_all(DeploymentFile(deployment_id=deployment.id, path=p, content=c) for p, c in bundle.files.items())
    audit.record(session, "deployed", actor, deployment_id=deployment.id,
                 details={"name": deployment.name, "version": version, "content_hash": content_hash,
                          "files": sorted(bundle.files)})
    session.flush()
    specs.put(deployment.id, parsed)
    return DeployResult(deployment, True, list(parsed.warnings))


def _process_rows(parsed: ParsedBundle) -> list[dict]:
    rows = []
    for process_id, info in parsed.processes.items():
        row = asdict(info) if hasattr(info, "__dataclass_fields__") else dict(info)
        row["id"] = process_id
        row["startable"] = process_id in parsed.startable
        rows.append({k: v for k, v in row.items() if _jsonable(v)})
    return rows


def _jsonable(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))


def newest_version(session: Session, name: str) -> Deployment | None:
    return session.scalars(
        select(Deployment).where(Deployment.name == name).order_by(Deployment.version.desc()).limit(1)
    ).first()


def resolve_program(session: Session, program: str) -> tuple[Deployment, dict]:
    """The newest deployment and process for `program`: a process id, a process name or a bundle name."""
    deployments = session.scalars(select(Deployment).order_by(Deployment.id.desc())).all()
    for deployment in deployments:
        for process in deployment.processes:
            if process.get("startable") and program in (process["id"], process.get("name")):
                return deployment, process
    for deployment in deployments:
        if deployment.name == program:
            startable = [p for p in deployment.processes if p.get("startable")]
            if len(startable) == 1:
                return deployment, startable[0]
            names = ", ".join(p["id"] for p in startable) or "none"
            raise NotFound(f"bundle '{program}' has several startable pathways ({names}): name one of them")
    known = sorted({p["id"] for d in deployments for p in d.processes if p.get("startable")})
    hint = f"; deployed pathways: {', '.join(known)}" if known else "; nothing is deployed yet"
    raise NotFound(f"no deployed pathway called '{program}'{hint}")


def list_versions(session: Session, with_publication: bool = False) -> list[Deployment]:
    """Every version, by bundle and number; `with_publication` loads how each was published from the studio
    (`Deployment.publication`: change note, publisher, approver, test results; None for a plain deploy)."""
    query = select(Deployment).order_by(Deployment.name, Deployment.version)
    if with_publication:
        query = query.options(selectinload(Deployment.publication))
    return list(session.scalars(query))


def programs_to_start(session: Session) -> list[dict]:
    """The programs a person can start for a patient: startable processes of each bundle's newest version
    that no other process calls (stages are called) and that no message starts (TCM starts on a discharge)."""
    newest: dict[str, Deployment] = {}
    for deployment in list_versions(session):
        newest[deployment.name] = deployment
    programs = {}
    for deployment in newest.values():
        for process in deployment.processes:
            if process.get("startable") and not process.get("called") and not process.get("message_start_events"):
                programs[process["id"]] = {"id": process["id"], "name": process.get("name") or process["id"],
                                           "documentation": process.get("documentation")}
    return sorted(programs.values(), key=lambda p: p["name"])
