"""The face API, shaped like iProov's REST API v2 under ``/api/v2``.

Flow (steps 4-7 of the reactivation): the server (Wultra) asks for an enrol token and uploads the
trusted image (``source`` ``eid`` = chip DG2, ``oid`` = document photo), whose face template is
cached; it asks for a verify token, which carries the flash-liveness challenge for the device; the
device's biometry SDK uploads the captured frames with that token; the provider decides from the
pixels (liveness, then the face against the cached template); the server fetches the result with
``claim/verify/validate``.

Modules: :mod:`.schemas` (request bodies), :mod:`.auth` (credentials), :mod:`.users` (enrolled
users and templates), :mod:`.claims` (token lifecycle), :mod:`.images` (trusted-image checks),
:mod:`.evaluation` (computed or forced verdict), :mod:`.responses` (handlers), :mod:`.urls`.
"""
