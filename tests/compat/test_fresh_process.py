"""A per-process spec cache never changes what happens.

Every step of a pathway may run in another process than the step before it (a second web worker, a Celery
worker, the `carepath` command): a fresh service whose spec cache parses the deployment anew. Whatever a
process keeps in memory beside the stored state (SpiffWorkflow connects a multi-instance loop to its
instances' task spec when the loop starts, on the spec object) is not there for the next one. So every corpus
model the compatibility walk runs, and a long scenario of each program of the library, is walked twice: in
one process (one service, one cache), and with a new service with an empty cache for every call. After every
call the two walks must stand in the same place: the same instances, inbox, timer and message rows, and data.
"""
from __future__ import annotations

import pickle
import shutil
from pathlib import PurePosixPath

import pytest
from sqlalchemy import select, text

from engine.care.actors import Actor
from engine.deploy.parsing import ParsedBundle
from engine.deploy.spec_cache import SpecCache
from engine.models import Base, InboxTask, Instance, MessageWait, TimerWait
from engine.service import CarePathways
from engine.store.database import Database
from engine.time.clock import FrozenClock, use_clock
from tests.pathways import test_program_behavioural_health as bh
from tests.pathways import test_program_ccm as ccm
from tests.pathways import test_program_diabetes as diabetes
from tests.pathways import test_program_heart_failure as heart_failure
from tests.pathways import test_program_tcm as tcm
from tests.pathways.answers import CCM_CANDIDATE, Team, engage
from tests.pathways.library import deploy_library
from tests.registry import register

from .corpus_walk import CORPUS, PATIENT, carepath_run
from .test_corpus_runs import RUNS, Model, param, startable

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"compatibility corpus not found at {CORPUS}")

ADMIN = Actor.system_actor("fresh-process-test")
PATIENTS = (PATIENT, "MRN100", "MRN200", "MRN300", "MRN400", "MRN500")


# --------------------------------------------------------------------------------------------- the services
class PristineSpecs:
    """Each deployment parsed once, never run, kept as bytes: `cache()` is an empty spec cache whose parses
    are unpickled copies of it (the objects a fresh process's parse builds, at a hundredth of the cost of
    parsing the pathway library at every step)."""

    def __init__(self):
        self.parsed: dict[int, bytes] = {}

    def cache(self) -> SpecCache:
        pristine = self

        class FreshCache(SpecCache):
            def get(self, session, deployment_id: int) -> ParsedBundle:
                with self._lock:
                    known = self._entries.get(deployment_id)
                if known is None:
                    known = pickle.loads(pristine.bytes_of(session, deployment_id))
                    self.put(deployment_id, known)
                return known

        return FreshCache()

    def bytes_of(self, session, deployment_id: int) -> bytes:
        if deployment_id not in self.parsed:
            self.parsed[deployment_id] = pickle.dumps(SpecCache().get(session, deployment_id))
        return self.parsed[deployment_id]


class FreshEachCall:
    """The service as a caller sees it when each call lands in a new process: a new `CarePathways` with an
    empty spec cache for every call (and for every look at its runtime)."""

    def __init__(self, database):
        self.db = database
        self.specs = PristineSpecs()

    def _fresh(self) -> CarePathways:
        return CarePathways(self.db, specs=self.specs.cache())

    @property
    def runtime(self):
        return self._fresh().runtime

    def __getattr__(self, name):
        return getattr(self._fresh(), name)


class Recorded:
    """The service, with where every instance stands written down after each call it answers."""

    def __init__(self, service, database):
        self.service = service
        self.db = database
        self.observer = CarePathways(database)  # reads only; its own cache
        self.trail: list = []

    @property
    def runtime(self):
        return self.service.runtime

    def __getattr__(self, name):
        found = getattr(self.service, name)
        if not callable(found):
            return found

        def call(*args, **kwargs):
            result = found(*args, **kwargs)
            self.trail.append((name, where_things_stand(self.db, self.observer)))
            return result
        return call


def where_things_stand(database, observer) -> list:
    """Every instance with its rows and its data (ids included: both walks start on an empty database)."""
    with database.transaction() as session:
        instances = session.scalars(select(Instance).order_by(Instance.id)).all()
        found = [_instance_facts(session, instance) for instance in instances]
    for facts in found:
        facts.append(observer.current_data(facts[0]))
    return found


def _instance_facts(session, instance) -> list:
    def rows(model, *columns):
        query = select(*(getattr(model, c) for c in columns)).where(model.instance_id == instance.id)
        return sorted(tuple(row) for row in session.execute(query))

    error = {k: v for k, v in (instance.error or {}).items() if k != "task"}  # a task's id is random
    return [instance.id, instance.process_id, instance.deployment_id, instance.status, error,
            instance.ended_at, instance.open_tasks, instance.timer_rows, instance.message_rows,
            rows(InboxTask, "id", "element_id", "title", "role", "assignee", "status", "due_at", "created_at",
                 "completed_at", "completed_by"),
            rows(TimerWait, "element_id", "kind", "due_at"),
            rows(MessageWait, "element_id", "message_name", "correlation")]


# --------------------------------------------------------------------------------------------- the walks
@pytest.fixture
def second_database(database, request, tmp_path):
    """An empty database for the second walk, once the first is done: on SQLite a new copy of the migrated
    template, on PostgreSQL the same schema emptied (its ids starting at 1 again)."""
    made = []

    def make():
        if database.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            with database.engine.begin() as conn:
                # as tests/conftest.py does: the audit trail refuses TRUNCATE while its trigger is on
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return database
        path = tmp_path / "second" / "carepath.db"
        path.parent.mkdir()
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        made.append(Database(f"sqlite:///{path}"))
        return made[-1]

    yield make
    for db in made:
        db.dispose()


def walked_twice(database, second_database, walk) -> tuple:
    """`walk(service, clock)` in one process, then on another empty database with a fresh service at every
    call; returns (what each returned, the trail of each)."""
    outcomes, trails = [], []
    for make in (lambda: CarePathways(database), lambda: FreshEachCall(second_database())):
        service = make()
        service = Recorded(service, service.db)
        with use_clock(FrozenClock()) as clock:
            register(service, *PATIENTS)
            outcomes.append(walk(service, clock))
        trails.append(service.trail)
    return outcomes, trails


def _names(trail) -> list[str]:
    return [name for name, _ in trail]


def assert_same_walk(trails) -> None:
    in_one, fresh = trails
    assert _names(fresh) == _names(in_one)
    for step, (one, other) in enumerate(zip(in_one, fresh)):
        assert other == one, f"call {step} ({one[0]}) left things differently"


# --------------------------------------------------------------------------------------------- corpus models
@pytest.mark.parametrize("model", [param(m) for m in RUNS])
def test_corpus_model_runs_the_same_with_a_fresh_service_at_each_step(database, second_database, model: Model):
    bundle = model.make_bundle()

    def walk(service, clock):
        runs = []
        for process_id in startable(service, bundle, PurePosixPath(model.path).name):
            run = carepath_run(service, process_id, model.make_answers(bundle))
            runs.append((run.outcome, run.data, run.steps, run.refused))
            for instance in service.instances(status="running"):
                service.terminate(instance.id, ADMIN)  # the next process starts for the same patient
        return runs

    (in_one, fresh), trails = walked_twice(database, second_database, walk)
    assert in_one[0][0] == model.expected
    assert fresh == in_one
    assert_same_walk(trails)


# --------------------------------------------------------------------------------------------- program scenarios
def _ccm(team, clock):
    instance_id = team.pathways.start("ccm", "MRN100", CCM_CANDIDATE).id
    ccm.test_enrolment_to_discharge_with_a_plan_adjustment(team, clock, instance_id)


def _diabetes(team, clock):
    diabetes.test_discharge_summary_gives_the_latest_hba1c_and_the_earlier_ones(team, clock, diabetes.enrolled(team))


def _heart_failure(team, clock):
    heart_failure.test_discharge_summary_gives_the_weights_and_the_alerts(team, clock, heart_failure.enrolled(team))


def _tcm_billed(team, clock):
    tcm.test_period_end_closes_the_program_with_99496(team, clock, tcm.discharged(team, clock))


def _tcm_missed_visit(team, clock):
    tcm.test_rebooked_visit_goes_back_to_the_physician(team, clock, tcm.discharged(team, clock))


def _behavioural_health(team, clock):
    instance_id = team.pathways.start("behavioural_health", "MRN400").id
    engage(team, instance_id)
    bh.test_discharge_after_remission_closes_the_program(team, clock, instance_id)


SCENARIOS = [_ccm, _diabetes, _heart_failure, _tcm_billed, _tcm_missed_visit, _behavioural_health]


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.__name__.strip("_")) for s in SCENARIOS])
def test_program_scenario_runs_the_same_with_a_fresh_service_at_each_step(database, second_database, scenario):
    def walk(service, clock):
        deploy_library(service)
        scenario(Team(service), clock)

    _, trails = walked_twice(database, second_database, walk)
    assert_same_walk(trails)
