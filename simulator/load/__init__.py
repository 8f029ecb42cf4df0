"""``rsim load``: the locust suite run headless against the embedded stack or a bank's system."""
