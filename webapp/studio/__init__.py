"""The pathway studio (/studio): clinical leads edit, check, test and publish pathways in the browser; admins
look and approve. Pages (pages.py) and the editor's JSON routes (api.py) share one blueprint; every route checks
the role here and the engine checks it again (`engine.service` StudioUseCases)."""
