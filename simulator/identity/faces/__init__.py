"""Synthetic faces that are verified honestly from pixels.

One identity id seeds a portrait (the document photo and the chip's DG2), the selfies and the
liveness video frames. The matcher and the liveness verifier know only the *grammar* of these faces
(two eyes with white sclera and a dark iris, an identity-specific skin texture, a face that reflects
the phone screen like a curved surface); they never see the identity id.

Modules, one job each:

- :mod:`.render` — identity-seeded portraits (``portrait``, ``portrait_jpeg``, look-alikes);
- :mod:`.capture` — the camera model for selfies (pose, yaw, optics, lighting, noise, JPEG);
- :mod:`.eyes` — the eye-pair locator (coarse NCC at 128 px, sub-pixel refinement);
- :mod:`.texture` — eye alignment and the skin-texture descriptor;
- :mod:`.matcher` — ``FaceMatcher`` (``extract`` -> ``FaceTemplate``, ``compare`` -> ``MatchResult``);
- :mod:`.liveness` — flash liveness: ``LivenessChallenge``, ``capture_session``, the attacks
  (``stage_attack``) and ``LivenessVerifier`` (split over ``liveness_challenge``,
  ``liveness_capture`` and ``liveness_verify``);
- :mod:`.presence` — ``check_presence``: liveness, then the face, as a provider decides;
- :mod:`.imageio`, :mod:`.errors` — decoding untrusted bytes, typed errors.

Measured figures (FMR/FNMR, attack rejection, cost) come from
``python -m loadtests.benchmarks.identity_faces``.
"""
