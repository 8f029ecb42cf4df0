"""The stroke glyph set: complete, fixed pitch, and drawn so that OCR confusions are far apart."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulator.identity.documents.glyphs import (
    MRZ_CHARS,
    STROKES,
    VIZ_CHARS,
    GlyphError,
    glyph_templates,
    text_mask,
)


def test_every_mrz_and_viz_character_is_defined() -> None:
    assert len(MRZ_CHARS) == 37
    assert set(VIZ_CHARS) <= set(STROKES)
    for c in MRZ_CHARS:
        assert STROKES[c], c


def test_text_mask_is_fixed_pitch() -> None:
    one = text_mask("A", 20.0)
    line = text_mask("A" * 44, 20.32)
    assert one.mode == "L" and one.size == (20, 20)
    assert line.size == (round(44 * 20.32), 20)
    arr = np.asarray(line, dtype=np.float32)
    cells = [arr[:, round(i * 20.32) : round(i * 20.32) + 20].sum() for i in range(44)]
    assert max(cells) - min(cells) < 0.02 * max(cells)  # the same glyph in every cell, same ink


def test_space_has_no_ink_and_characters_do() -> None:
    assert np.asarray(text_mask(" ", 24.0)).max() == 0
    for c in MRZ_CHARS:
        assert np.asarray(text_mask(c, 24.0)).max() > 200, c


def test_unknown_character_is_a_typed_error() -> None:
    with pytest.raises(GlyphError):
        text_mask("Ä", 20.0)


@pytest.mark.parametrize("pitch", [16.0, 20.32])
def test_templates_are_mutually_distinct(pitch: float) -> None:
    cell = round(pitch)
    t = glyph_templates(MRZ_CHARS, pitch, cell, cell).reshape(len(MRZ_CHARS), -1)
    t = t - t.mean(axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    corr = t @ t.T
    worst = max(corr[i, j] for i, j in itertools.combinations(range(len(MRZ_CHARS)), 2))
    assert worst < 0.9
    k = MRZ_CHARS.index
    for a, b in [("O", "0"), ("B", "8"), ("I", "1"), ("S", "5"), ("Z", "2"), ("D", "0")]:
        assert corr[k(a), k(b)] < 0.88, (a, b)
