"""The scripted reactivation: a virtual device with a persona runs the 11 steps against the parties by URL."""
