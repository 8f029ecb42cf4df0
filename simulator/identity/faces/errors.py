"""Typed errors of the face package: a caller can tell bad input from a failed verification."""

from __future__ import annotations


class FaceError(Exception):
    """Base class of every error raised by :mod:`simulator.identity.faces`."""


class InvalidImageError(FaceError, ValueError):
    """The bytes are not a decodable image (or the image is unusably small)."""


class TemplateFormatError(FaceError, ValueError):
    """Serialised face-template bytes are truncated, of another version, or inconsistent."""


class ChallengeFormatError(FaceError, ValueError):
    """A liveness challenge's JSON is malformed or names an unknown colour."""
