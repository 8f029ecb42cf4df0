"""Enrollment Server device API (``/enrollment-server/pa/v3/...``): what the mobile SDK calls."""
