"""Patient search at a registry's size: `find_patients` (the web page's and the API's search) over 100,000 patients
on PostgreSQL, beside the same queries over 1,000 patients measured in the same run. The target: p95 under 50 ms.

The registry is filled with bulk inserts (PostgreSQL's COPY): realistic names (Faker's lists of given and family
names, so a common name matches many patients) and MRNs. The queries are what people type: a full name either
way round, the name as lists show it ("Lang, Heather"), a given name, the first letters of each name, a family
name's start, an MRN's start and a whole MRN."""
from __future__ import annotations

import io
import random
import statistics
import time
from datetime import date, datetime, timezone

from faker.providers.person.en_US import Provider

from engine.service import CarePathways

TARGET_MS = 50.0
QUERIES_PER_KIND = 15


def _names(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    """(mrn, given, family, sex) for `count` patients."""
    women, men = list(Provider.first_names_female), list(Provider.first_names_male)
    families = list(Provider.last_names)
    found = []
    for n in range(count):
        female = rng.random() < 0.5
        given = rng.choice(women if female else men)
        found.append((f"{3000000 + n}", given, rng.choice(families), "female" if female else "male"))
    return found


def fill_registry(db, count: int, seed: int = 11) -> list[tuple[str, str, str, str]]:
    """`count` patients in one COPY (PostgreSQL) or one executemany (SQLite); returns them."""
    people = _names(random.Random(seed), count)
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    rows = [(mrn, mrn, given, family, f"{family} {given}".lower(), date(1940 + n % 50, 1 + n % 12, 1 + n % 28), sex,
             now, now, "bench") for n, (mrn, given, family, sex) in enumerate(people)]
    columns = ("id", "mrn", "given_name", "family_name", "search_name", "birth_date", "sex", "created_at",
               "updated_at", "created_by")
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.dialect == "postgresql":
            buffer = io.StringIO("".join("\t".join(str(v) for v in row) + "\n" for row in rows))
            with cursor.copy(f"COPY patients ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            cursor.execute("ANALYZE patients")
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO patients ({', '.join(columns)}) VALUES ({marks})",
                               [tuple(v.isoformat(" ") if isinstance(v, datetime) else v for v in row)
                                for row in rows])
        raw.commit()
    finally:
        raw.close()
    return people


def queries(people, rng: random.Random) -> list[str]:
    """What people type, QUERIES_PER_KIND of each kind, about patients of the registry."""
    found = []
    for _ in range(QUERIES_PER_KIND):
        mrn, given, family, _sex = rng.choice(people)
        found += [f"{given} {family}", f"{family} {given}", f"{family}, {given}", given, f"{given[:3]} {family[:2]}",
                  family[:4], mrn[:5], mrn]
    rng.shuffle(found)
    return found


def measure(service: CarePathways, texts: list[str]) -> list[float]:
    for text in texts[:10]:  # warm the caches and the connection pool
        service.find_patients(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        service.find_patients(text)
        timings.append(time.perf_counter() - started)
    return timings


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] * 1000


def patient_search(kind: str, fresh_database, emit, patients: int = 100_000, baseline_patients: int = 1_000) -> None:
    results = {}
    for count in (baseline_patients, patients):
        with fresh_database(kind) as db:
            people = fill_registry(db, count)
            service = CarePathways(db)
            results[count] = measure(service, queries(people, random.Random(5)))
            hits = service.find_patients(people[0][1]).total
    ours, baseline = p95(results[patients]), p95(results[baseline_patients])
    emit(f"patient_search_{kind}", ours, "ms p95", baseline, ours / baseline, f"p95 < {TARGET_MS:g} ms",
         ours < TARGET_MS, patients=patients, baseline_patients=baseline_patients, queries=len(results[patients]),
         median_ms=round(statistics.median(results[patients]) * 1000, 3), hits_for_a_given_name=hits)
