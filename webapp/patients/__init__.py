"""The patients area: My patients, the registry's search and a patient's page (views), the record over time
(record: demographics, programs ending, discharges, care plan, comments) and the care team with its access
(team: members, breaking the glass, the report of it); each adds its routes to the same blueprint."""
from webapp.patients import record, team  # noqa: F401 - they add their routes to the patients blueprint
