"""Synthetic eMRTD chips (ICAO Doc 9303 Parts 10-12): LDS files, issuer PKI, EF.SOD, a virtual chip
answering APDUs with BAC and secure messaging, the NFC reader and passive authentication."""
