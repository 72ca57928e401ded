"""Deploying pathways: reading a bundle (folder or zip), validating and parsing it with SpiffWorkflow, storing it
as an immutable numbered pathway version, and the per-process cache of parsed versions.

May import `engine.store`, `engine.models`, `engine.sandbox`, `engine.time` and `engine.errors`.
"""
