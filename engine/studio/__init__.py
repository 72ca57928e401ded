"""The pathway studio's domain: drafts of a bundle (files with version numbers, who changed what), a new
program's template, test cases beside the pathways (SpiffArena's `test_<file>.json` format with carepath's
extensions) and the runner that plays them in memory on a simulated clock, reviews and the rules of publishing,
and readable diffs of forms and decision tables.

Sits beside `engine.care` and `engine.authoring`: may import `engine.runtime`, `engine.deploy`, `engine.store`,
`engine.sandbox`, `engine.models`, `engine.time`, `engine.roles` and `engine.errors`. The service
(`engine/service/studio.py`) joins it with lint (`engine.authoring`) in one transaction per use case.
"""
