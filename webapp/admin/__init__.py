"""The admin console (/admin): programs and versions (upload, check, deploy, open or close for new starts),
instances (list, stuck, an instance's page and actions), bulk migration, background work and people. Every
route is for admins (`requires(ADMIN)`), and the engine checks the same again."""
