"""The simulated parties: one package per party (Wultra, bank, SMS gateway, biometry) plus the
framework they share (``mocks.framework``). Every party is a Flask application built by a factory."""
