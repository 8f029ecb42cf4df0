"""Synthetic identity-document images and the reader that verifies them from pixels.

- :mod:`.glyphs` — the project's own fixed-pitch OCR glyph set (why not a font file: see there);
- :mod:`.layout` — where every field sits on the ID card front/back and the passport data page (mm);
- :mod:`.pattern` — the guilloche seeded from the MRZ data that ties a page to its data;
- :mod:`.render` — Pillow renderer: ``render_face(kind, data, portrait)``;
- :mod:`.capture` — phone-camera model: ``capture(image, rng, strength) -> JPEG bytes``;
- :mod:`.reader` — ``read_document(image_bytes) -> DocumentReading`` (MRZ, printed fields, portrait
  crop, pattern verdict, typed reasons), built on :mod:`.geometry` (page detection, rectification),
  :mod:`.ocr` (template OCR) and :mod:`.charclasses` (field-type repair).
"""
