"""Finding patients by what people type: given and family names in any order, each word a prefix ("Heather",
"Lang, Heather", "hea la"), or the start of an MRN ("20401"). Served by an index on each database (migration
0010): PostgreSQL's full-text search over the name's words (a GIN index, `simple` configuration) and a pattern
index on the lower-cased MRN; SQLite's FTS5 table `patients_search` and a NOCASE index on the MRN."""
from __future__ import annotations

import re

from sqlalchemy import bindparam, false, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import NullType

from engine.care.characters import refused_character
from engine.errors import InvalidInput
from engine.models import Patient

MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")  # letters and digits: what both databases' tokenizers keep of a name
_MRN = re.compile(r"^[A-Za-z0-9-]{1,50}$")
# what PostgreSQL's index is built on (migration 0010): the name's words, and the name again without apostrophes
# and hyphens
PG_WORDS = ("to_tsvector('simple'::regconfig, patients.search_name || ' ' || "
            "translate(patients.search_name, '''-', ''))")


class NameWords(ColumnElement):
    """True for a patient whose name has a word starting with each of `words` (lower case, letters and digits).

    Untyped on purpose: a Boolean-typed element is written `(...) = 1` on SQLite, which no index serves (the
    FTS5 lookup and the MRN index are then not used, and the search scans every patient)."""

    type = NullType()
    inherit_cache = False

    def __init__(self, words: list[str]):
        self.words = words


class MrnPrefix(ColumnElement):
    """True for a patient whose MRN starts with `prefix` (letters, digits and '-'), in any case (untyped, as
    NameWords)."""

    type = NullType()
    inherit_cache = False

    def __init__(self, prefix: str):
        self.prefix = prefix


@compiles(NameWords, "postgresql")
def _name_words_pg(element: NameWords, compiler, **kw) -> str:
    query = " & ".join(f"'{w}':*" for w in element.words)
    return f"{PG_WORDS} @@ to_tsquery('simple'::regconfig, {compiler.process(bindparam('name_words', query), **kw)})"


@compiles(NameWords)
def _name_words_sqlite(element: NameWords, compiler, **kw) -> str:
    query = " AND ".join(f'"{w}"*' for w in element.words)
    return ("patients.id IN (SELECT patient_id FROM patients_search WHERE patients_search MATCH "
            f"{compiler.process(bindparam('name_words', query), **kw)})")


@compiles(MrnPrefix, "postgresql")
def _mrn_prefix_pg(element: MrnPrefix, compiler, **kw) -> str:
    return f"lower(patients.mrn) LIKE {compiler.process(bindparam('mrn_prefix', element.prefix.lower() + '%'), **kw)}"


@compiles(MrnPrefix)
def _mrn_prefix_sqlite(element: MrnPrefix, compiler, **kw) -> str:
    # SQLite's LIKE ignores case (ASCII), and without ESCAPE it is served by the NOCASE index
    return f"patients.mrn LIKE {compiler.process(bindparam('mrn_prefix', element.prefix + '%'), **kw)}"


def words_of(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())[:MAX_WORDS]


def condition(text: str):
    """The WHERE condition for patients matching `text`; refused (InvalidInput) when it holds nothing to find."""
    text = (text or "").strip()
    if problem := refused_character(text):
        raise InvalidInput(f"the search text {problem}")
    if not text:
        raise InvalidInput("enter a name or an MRN to search for")
    words = words_of(text)
    conditions = [NameWords(words)] if words else []
    if _MRN.match(text):
        conditions.append(MrnPrefix(text))
    return or_(*conditions) if conditions else false()  # "%": no name or MRN holds it


def matching_ids(text: str):
    """A select of the ids of the patients matching `text` (for an inbox filtered by patient)."""
    return select(Patient.id).where(condition(text))


def search_query(text: str, limit: int):
    """Patients matching `text`: an exact MRN first, then by name."""
    exact = Patient.mrn == (text or "").strip()
    return select(Patient).where(condition(text)).order_by(exact.desc(), Patient.search_name).limit(limit)
