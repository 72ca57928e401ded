"""Demo data and automatic answers: synthetic patients worked through the shipped programs (`carepath demo`,
`carepath walk`), and answers built from a form's JSON Schema that the form accepts.

A caller of the engine like the CLI: it may import the service and the engine's public types, never Flask,
`forms`, `webapp` or `engine.cli`.
"""
