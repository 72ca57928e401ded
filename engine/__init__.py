"""carepath engine: deploys BPMN care pathways and runs durable instances on SpiffWorkflow.

This package never imports Flask, `forms` or `webapp`.
"""
