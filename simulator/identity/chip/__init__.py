"""Synthetic eMRTD chips (ICAO Doc 9303 Parts 10-12).

Modules, each with one job:
- `tlv`, `apdu`: BER-TLV and ISO/IEC 7816-4 APDU encodings.
- `tdes`, `bac`, `sm`: 3DES primitives, Basic Access Control, 3DES secure messaging.
- `mrz_key`: the BAC access key (document number, birth and expiry dates with check digits).
- `lds`: EF.COM, DG1, DG2 (ISO/IEC 19794-5 face record), DG11; `aa`: DG14/DG15 and Active Authentication.
- `pki`: CSCA, document signers, CRLs and the verifier's trust list; `sod`: EF.SOD build and parse.
- `image`, `issuance`: a serializable chip image and how a genuine one is personalised.
- `chip`: the virtual chip (`transceive`); `reader`: the phone's NFC reader side.
- `verifier`: passive (and active) authentication with named checks; `forgery`: attacks it must catch.
"""
