"""Time: the engine's clock (replaceable in tests and simulations), the business-day calendar and ISO 8601
durations as pathway authors write them.

Imports nothing of the engine but `engine.errors` and `engine.config`: everything else may use it.
"""
