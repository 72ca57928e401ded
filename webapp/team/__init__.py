"""The team leads' pages (/team): workload per person, the team's tasks (overdue first) with reassigning one or
many, and escalations with acknowledge. For nurse leads and clinical leads (and admins)."""
