"""The care domain, one session at a time: people and roles (actors, accounts), patients and their imports,
instances of a program for a patient, the tasks of an inbox (claim, release, assign, complete, drafts, minutes),
the checks of a task's form, and the timers and messages that resume instances.

Functions here take a session and do one rule each; the service (`engine.service`) wraps them in transactions.
May import `engine.runtime`, `engine.deploy`, `engine.store`, `engine.models`, `engine.time`, `engine.errors`.
"""
