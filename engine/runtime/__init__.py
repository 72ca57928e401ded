"""Running an instance: load its workflow, advance it in the sandbox, save it back with its inbox, timer and
message rows, as one unit of work; the compact state codec; what a workflow waits on; moving an instance onto a
newer pathway version.

Facts a step works out about its patient (the risk tier) reach the patient's record here (`patient_facts`).
May import `engine.deploy`, `engine.store`, `engine.sandbox`, `engine.models`, `engine.time`, `engine.errors`.
"""
