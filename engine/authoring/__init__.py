"""Authoring tools for program bundles; nothing here runs a pathway or touches the database. May import
`engine.deploy` (the same checks deploy makes), `engine.sandbox` (compiling scripts) and `engine.errors`.

- `carepath lint` (lint.py): deploy's own checks, then checks/ (diagram completeness, layout quality, human
  tasks' roles and forms, gateway conditions, decision inputs against dataflow.py, names).
- `carepath layout` (rewrite.py): layout.py and scope_layout.py place the shapes, routing.py draws the edges,
  dixml.py writes the BPMNDI back into the file, every other byte kept.
"""
