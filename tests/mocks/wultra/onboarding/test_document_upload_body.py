"""A page upload's body is byte for byte what ``json.dumps`` writes (the image is spliced in, not encoded)."""

from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from mocks.wultra.onboarding.providers.documents import _page_body


def _encoded(document_type: str, side: str, image: str, filename: str) -> bytes:
    return json.dumps({"documentType": document_type, "side": side, "image": image, "filename": filename},
                      allow_nan=False).encode()


@given(st.sampled_from(["ID_CARD", "PASSPORT"]), st.sampled_from(["FRONT", "BACK", "DATA_PAGE"]),
       st.binary(max_size=300), st.text(max_size=40))
def test_a_base64_image_is_spliced_into_the_encoders_bytes(document_type: str, side: str, data: bytes,
                                                           filename: str) -> None:
    image = base64.b64encode(data).decode("ascii")
    assert _page_body(document_type, side, image, filename) == _encoded(document_type, side, image, filename)


@given(st.text(max_size=40))
def test_anything_but_base64_text_is_left_to_the_encoder(image: str) -> None:
    body = _page_body("ID_CARD", "FRONT", image, "page.jpg")
    assert body is None or body == _encoded("ID_CARD", "FRONT", image, "page.jpg")
    if any(c in image for c in '"\\\n\u00e9 '):
        assert body is None
