"""PowerAuth protocol primitives (versions 3.0–3.3), the one home for them.

Both sides use this package: the virtual device (client role) and the Wultra mock (server role).
Every primitive here is verified against the published PowerAuth test vectors."""
