"""carepath engine: deploys BPMN care pathways and runs durable instances on SpiffWorkflow.

Callers (the web app, the CLI, background jobs) come in through one door, `engine.service`, and take their
settings from `engine.config`. Below the door, imports point down: service -> read -> care -> runtime ->
deploy -> store -> models and time. docs/architecture.md draws the layers and the data flow. This package never
imports Flask, `forms` or `webapp`.
"""
