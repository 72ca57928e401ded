"""Demo patients that differ the way a real panel does: each is put in a program their conditions qualify for,
and answers the mood and social needs screenings in their own way, so the risk tiers spread over the pyramid
instead of every patient scoring the same."""
from __future__ import annotations

import random

# program -> the condition on the problem list it manages (CCM: any two; TCM follows a hospital stay)
PROGRAM_CONDITION = {"diabetes": "Type 2 diabetes", "heart_failure": "Heart failure",
                     "behavioural_health": "Major depressive disorder"}

# PHQ-9 total of the first eight items, by how the patient's mood is (item 9, self-harm, stays at 0)
MOOD_TOTALS = [((0, 4), 55), ((5, 9), 20), ((10, 14), 15), ((15, 19), 10)]
# GAD-7 total of its seven items, by how anxious the patient is
ANXIETY_TOTALS = [((0, 4), 50), ((5, 9), 25), ((10, 14), 25)]
# number of positive social needs domains (housing, food, transportation, utilities)
NEEDS_COUNTS = [(0, 50), (1, 30), (2, 15), (3, 5)]
NO_NEEDS = {"living_situation": "steady_place", "housing_problems": ["none"], "food_worried": "never_true",
            "food_did_not_last": "never_true", "transportation": "no", "utilities": "no", "physically_hurt": 1,
            "insulted": 1, "threatened": 1, "screamed_or_cursed": 1}
RESOURCES = {"housing": ("Housing Authority tenant support line", "worried about losing their home"),
             "food": ("County Food Bank", "food runs out before the end of the month"),
             "transportation": ("Medicaid non-emergency medical transport", "no way to get to appointments"),
             "utilities": ("LIHEAP energy assistance", "utility company threatened to shut off power")}
NEED_ANSWERS = {"housing": {"living_situation": "worried_about_losing_it"},
                "food": {"food_worried": "sometimes_true", "food_did_not_last": "sometimes_true"},
                "transportation": {"transportation": "yes"}, "utilities": {"utilities": "yes"}}


def qualifies(program: str, conditions: list[str]) -> bool:
    if program == "ccm":
        return len(conditions) >= 2
    if program in PROGRAM_CONDITION:
        return PROGRAM_CONDITION[program] in conditions
    return True


def assign_programs(conditions: list[list[str]], mix: list[tuple[str, int]]) -> list[str]:
    """A program for each patient (by their conditions), as near to `mix` (program -> share) as the conditions
    allow: the programs that need a particular condition take their patients first, TCM (any patient after
    a hospital stay) takes whoever is left."""
    total = sum(share for _, share in mix) or 1
    quota = {program: round(share * len(conditions) / total) for program, share in mix}
    chosen: list[str | None] = [None] * len(conditions)
    by_need = sorted(quota, key=lambda program: (program == "tcm", program == "ccm"))
    for program in by_need:
        for n, found in enumerate(conditions):
            if quota[program] <= 0:
                break
            if chosen[n] is None and qualifies(program, found):
                chosen[n], quota[program] = program, quota[program] - 1
    fallback = "tcm" if "tcm" in quota else mix[0][0]
    return [program or fallback for program in chosen]


def _weighted(rng: random.Random, table):
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


def screening_answers(rng: random.Random) -> dict:
    """One patient's answers to PHQ-9 items 1-8, GAD-7 and the social needs questions, and the community
    resources the care team connects them with."""
    low, high = _weighted(rng, MOOD_TOTALS)
    total, items = rng.randint(low, high), [0] * 8
    while sum(items) < total:
        slot = rng.randrange(8)
        if items[slot] < 3:
            items[slot] += 1
    answers: dict = {f"phq9_{n + 1}": value for n, value in enumerate(items)}
    answers["phq9_9"] = 0
    low, high = _weighted(rng, ANXIETY_TOTALS)
    total, anxiety = rng.randint(low, high), [0] * 7
    while sum(anxiety) < total:
        slot = rng.randrange(7)
        if anxiety[slot] < 3:
            anxiety[slot] += 1
    answers.update({f"gad7_{n + 1}": value for n, value in enumerate(anxiety)})
    needs, referrals = dict(NO_NEEDS), []
    for domain in rng.sample(sorted(NEED_ANSWERS), k=_weighted(rng, NEEDS_COUNTS)):
        needs.update(NEED_ANSWERS[domain])
        to, reason = RESOURCES[domain]
        referrals.append({"domain": domain, "status": "information_given", "to": to, "reason": reason})
    answers["social_needs"] = needs
    if referrals:  # the care team connects each need that screened positive with a resource
        answers["community_referrals"] = referrals
    return answers
