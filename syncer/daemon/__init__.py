"""``syncer watch``: the reconcile daemon (files -> database, continuously, unattended)."""
