"""The reports area (/reports): the CCM billing worklist, TCM compliance, the program dashboard and the bottleneck
heatmap, each with a CSV export and every number linked to the patients or tasks behind it; and the log-time
form of the patient page (reports/_log_time.html), which posts here."""
