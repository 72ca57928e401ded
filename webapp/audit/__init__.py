"""The audit viewer (/audit): for admins and privacy officers. Filters, who saw a patient, CSV export; every
read of the trail is itself in the trail (the engine records it)."""
