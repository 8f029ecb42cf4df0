"""Synthetic faces that are verified honestly from pixels.

One identity id seeds a portrait (the document photo and the chip's DG2), the selfies and the
liveness video frames. The matcher and the liveness verifier know only the *grammar* of these faces
(two eyes with white sclera and a dark iris, an identity-specific skin texture, a face that reflects
the phone screen like a curved surface); they never see the identity id.

Modules: :mod:`.render` (portraits), :mod:`.capture` (camera degradations), :mod:`.eyes` (eye-pair
locator), :mod:`.texture` (aligned skin-texture descriptor), :mod:`.matcher` (1:1 face comparison),
:mod:`.liveness` (flash-reflection challenge, device capture, attacks and the verifier).
"""
