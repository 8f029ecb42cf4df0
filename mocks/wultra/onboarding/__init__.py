"""Onboarding Server (``/enrollment-server-onboarding/api/...``): the identity-verification process."""
