"""The virtual phone: a PowerAuth mobile SDK that talks to an Enrollment Server only over HTTP."""
