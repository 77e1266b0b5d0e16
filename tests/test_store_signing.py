"""Canonical encoding and Ed25519 signing, offline, exactly as a party's liaison would use them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from corridor.errors import StoreError
from corridor.store.signing import (
    DOCUMENT_TYPE,
    KeyPair,
    canonical_json,
    fingerprint,
    signature_valid,
    verify_agreement,
)

DOCUMENT = {"type": DOCUMENT_TYPE, "agreement_id": 7, "parties": ["UA", "RU"],
            "corridor": {"origin": "Mariupol", "destination": "Zaporizhzhia",
                         "route": {"type": "LineString",
                                   "coordinates": [[37.55, 47.1], [35.14, 47.84]]}},
            "windows": [{"start": "2022-03-08T10:00:00+03:00", "tz": "Europe/Moscow"}],
            "conditions": ["no military escort"]}


def test_numbers_follow_rfc_8785() -> None:
    # The sample array of RFC 8785, section 3.2.2.3.
    values = [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001]
    assert canonical_json(values) == b"[333333333.3333333,1e+30,4.5,0.002,1e-27]"
    assert canonical_json([1e21, 1e-7, 1e-6, 100.0, -0.0, 5]) == b"[1e+21,1e-7,0.000001,100,0,5]"


def test_keys_sort_by_utf16_code_units_and_strings_escape_minimally() -> None:
    # Key set of RFC 8785, section 3.2.3: the emoji sorts before U+FB33 only in UTF-16 order.
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    encoded = canonical_json(dict.fromkeys(keys, 0)).decode("utf-8")
    assert [k.strip('"').split('":')[0] for k in encoded[1:-1].split(",")] == [
        "\\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert canonical_json({"s": "\u000f\n\"é"}) == '{"s":"\\u000f\\n\\"é"}'.encode()


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(StoreError, match="no JSON representation"):
        canonical_json({"x": float("nan")})


def test_key_file_roundtrip_is_private_and_signs_the_same(tmp_path: Path) -> None:
    pair = KeyPair.generate()
    path = tmp_path / "ua.pem"
    pair.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = KeyPair.load(path)
    assert loaded.public_key_hex == pair.public_key_hex
    assert signature_valid(pair.public_key_hex, DOCUMENT, loaded.sign(DOCUMENT, "UA"), "UA")


def test_any_change_to_the_document_breaks_the_signature() -> None:
    pair = KeyPair.generate()
    signature = pair.sign(DOCUMENT, "UA")
    reordered = dict(reversed(list(DOCUMENT.items())))
    assert signature_valid(pair.public_key_hex, reordered, signature, "UA")
    changed = {**DOCUMENT, "conditions": []}
    assert not signature_valid(pair.public_key_hex, changed, signature, "UA")
    assert not signature_valid(pair.public_key_hex, DOCUMENT, "00" * 64, "UA")


def test_offline_verification_needs_every_party() -> None:
    keys = {p: KeyPair.generate() for p in ("UA", "RU")}
    public = {p: k.public_key_hex for p, k in keys.items()}
    both = verify_agreement(DOCUMENT, {p: k.sign(DOCUMENT, p) for p, k in keys.items()}, public)
    assert both.valid and both.missing == []
    assert {c.fingerprint for c in both.signatures} == {fingerprint(v) for v in public.values()}
    one = verify_agreement(DOCUMENT, {"UA": keys["UA"].sign(DOCUMENT, "UA")}, public)
    assert not one.valid and one.missing == ["RU"]
    swapped = verify_agreement(DOCUMENT, {"UA": keys["RU"].sign(DOCUMENT, "UA"),
                                          "RU": keys["RU"].sign(DOCUMENT, "RU")}, public)
    assert [(c.party_id, c.valid) for c in swapped.signatures] == [("UA", False), ("RU", True)]


def test_fingerprint_is_16_hex_of_the_key_hash() -> None:
    assert fingerprint("00" * 32) == "66687aadf862bd77"


@pytest.mark.parametrize("bad", ["", "zz" * 32, "00" * 31])
def test_malformed_public_keys_are_refused(bad: str) -> None:
    with pytest.raises(StoreError, match="64 hex digits"):
        signature_valid(bad, DOCUMENT, "00" * 64, "UA")


def test_unreadable_key_file_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pem"
    path.write_text("not a key")
    with pytest.raises(StoreError, match=r"garbage\.pem"):
        KeyPair.load(path)


def test_a_signature_counts_only_for_the_party_that_made_it() -> None:
    """The party is part of what is signed: the same key's signature as RU is not UA's."""
    pair = KeyPair.generate()
    as_ru = pair.sign(DOCUMENT, "RU")
    assert signature_valid(pair.public_key_hex, DOCUMENT, as_ru, "RU")
    assert not signature_valid(pair.public_key_hex, DOCUMENT, as_ru, "UA")
    shared = {"UA": pair.public_key_hex, "RU": pair.public_key_hex}
    replayed = verify_agreement(DOCUMENT, {"UA": as_ru, "RU": as_ru}, shared)
    assert [(c.party_id, c.valid) for c in replayed.signatures] == [("UA", False), ("RU", True)]
