"""What every mock shares: application factory, admin API, journal, virtual clock, faults,
isolation by session header, state store and error envelopes."""
