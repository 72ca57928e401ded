"""No patient data in the logs. An exception's message and a logged value can hold it (a database error
carries the statement's parameters: names, birth dates, addresses; a form's answers travel in a draft), so
every log record of the process is cut down to what an operator needs: the message's own words, the class of
each exception, and where it was raised (file, line, function), never a value or an exception's text.

`install()` does it once per process, for every logger (the engine's, the web app's, the libraries'); the
service installs it when it is made, so every door to the engine gets it.
"""
from __future__ import annotations

import logging
import traceback

_installed = False


def where(exc: BaseException) -> str:
    """An exception as a log may show it: its class and the frames it came through, without its message."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    trail = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(frames))
    chained = exc.__cause__ or exc.__context__
    cause = f" (from {type(chained).__name__})" if chained is not None else ""
    return f"{type(exc).__name__}{cause}" + (f" at {trail}" if trail else "")


def _safe(value):
    return type(value).__name__ if isinstance(value, BaseException) else value


def _strip(record: logging.LogRecord) -> logging.LogRecord:
    if record.args:
        record.args = tuple(_safe(a) for a in record.args) if isinstance(record.args, tuple) else record.args
    if record.exc_info and record.exc_info[1] is not None:
        record.msg = f"{record.msg} [{where(record.exc_info[1])}]"
        record.exc_info, record.exc_text = None, None
    return record


def install() -> None:
    """Strip values from every log record of this process (idempotent)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return _strip(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
