"""Reports and dashboards: the CCM billing worklist, TCM compliance, the program dashboard and the bottleneck
heatmap, and who may see which patients in them.

Read side only, at the read layer: queries over indexed rows (inbox tasks, time entries and their monthly sums,
audit events, and the per-instance facts the runtime writes as steps save: engine.runtime.report_facts), never
over serialized workflow state. The billing and compliance rules (CMS's) are functions here, each with its
source, applied to those rows. May import the models, the store, the time package and the care domain's
access rules; the service (engine.service.reports) opens the transactions and audits what is shown.
"""
