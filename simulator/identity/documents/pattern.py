"""Per-document security pattern: a guilloche whose parameters are derived from the MRZ data.

Real documents carry guilloche, microprint and a ghost image that are hard to reproduce and tie the
page to its data. Here the pattern is a sum of wavy line families (guilloche) whose frequencies, wave
amplitudes and phases come from ``HMAC-SHA256(issuer_key, mrz_information)``. The pattern is a
function of position in millimetres, so the renderer draws it at print resolution and the reader
recomputes it at its own resolution from the MRZ it has just read: a page whose MRZ (or printed
number/dates) was edited, whose portrait was pasted from another document, or whose background was
retouched no longer correlates with the pattern its data predicts.

The issuer key stands for the state's secret print parameters; its default makes every simulated
state use one key, which is enough for the simulator (the mock verifier knows it, a forger does not
need to be modelled beyond "cannot recompute it for another person without redrawing the page").
"""

from __future__ import annotations

import hashlib
import hmac
import math

import numpy as np

DEFAULT_ISSUER_KEY = b"rsim-document-issuer-key-v1"


def pattern_seed(mrz_information: str, issuer_key: bytes = DEFAULT_ISSUER_KEY) -> bytes:
    """32 bytes seeding the pattern: HMAC over the Doc 9303 "MRZ information" (number, birth, expiry)."""
    return hmac.new(
        issuer_key, b"security-pattern|" + mrz_information.encode("ascii"), hashlib.sha256
    ).digest()


def _params(seed: bytes) -> list[tuple[float, ...]]:
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(seed, "big")))
    families = []
    for k in range(3):
        angle = k * math.pi / 3 + rng.uniform(-0.35, 0.35)
        spacing = rng.uniform(2.4, 3.6)  # mm between lines
        wave_amp = rng.uniform(0.25, 0.6)  # in line spacings
        wave_len = rng.uniform(6.0, 14.0)  # mm
        phase_a = rng.uniform(0, 2 * math.pi)
        phase_b = rng.uniform(0, 2 * math.pi)
        families.append((angle, spacing, wave_amp, wave_len, phase_a, phase_b))
    return families


def pattern_ink(seed: bytes, width_mm: float, height_mm: float, px_per_mm: float) -> np.ndarray:
    """Ink coverage (float32, 0..1, shape (rows, cols)) of the pattern sampled at pixel centres."""
    cols = round(width_mm * px_per_mm)
    rows = round(height_mm * px_per_mm)
    xs = ((np.arange(cols, dtype=np.float32) + 0.5) / px_per_mm)[None, :]
    ys = ((np.arange(rows, dtype=np.float32) + 0.5) / px_per_mm)[:, None]
    clear = np.ones((rows, cols), dtype=np.float32)
    for angle, spacing, wave_amp, wave_len, phase_a, phase_b in _params(seed):
        ca, sa = math.cos(angle), math.sin(angle)
        along = xs * ca + ys * sa
        across = -xs * sa + ys * ca
        wave = np.sin(along * np.float32(2 * math.pi / wave_len) + np.float32(phase_a))
        phase = across * np.float32(2 * math.pi / spacing) + wave * np.float32(2 * math.pi * wave_amp)
        line = (1.0 + np.cos(phase + np.float32(phase_b))) * 0.5
        line *= line  # (.)**6 as three multiplications: pow is the slowest step here
        line *= line * line
        clear *= 1.0 - line
    return 1.0 - clear
