"""The ``ERR00xx`` codes this server answers with, and what each means (``error/list``)."""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "ERR0000": "Unknown error occurred.",
    "ERR0001": "No user ID was set.",
    "ERR0002": "No application ID was set.",
    "ERR0003": "No master server key pair configured in database.",
    "ERR0007": "Activation with given activation ID has expired.",
    "ERR0008": "Incorrect activation state.",
    "ERR0009": "Activation with given activation ID was not found.",
    "ERR0010": "Key with invalid format was provided.",
    "ERR0011": "Invalid input data format.",
    "ERR0012": "Invalid signature provided.",
    "ERR0015": "Application with given application ID or key does not exist.",
    "ERR0018": "Decryption failed.",
    "ERR0019": "Unable to generate token.",
    "ERR0024": "Invalid request.",
    "ERR0030": "Token timestamp is too old.",
    "ERR0031": "Activation OTP does not match.",
    "ERR0032": "Invalid activation OTP mode.",
    "ERR0040": "Activation could not be created.",
    "ERR0044": "Token timestamp is in the future.",
    "ERR0045": "Temporary key is missing or expired.",
}
