"""The synthetic identity world: people, MRZ, document images and their reader, eMRTD chips and
their verifier, faces, the face matcher, liveness capture and the liveness verifier."""
