"""A party's key and signatures are its own: no registering another's key, no replaying
another's signature, and the sheet shows each party's key fingerprint."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from corridor.api.app import create_app
from corridor.errors import ConflictError, StoreError
from corridor.store import coordination, queries
from corridor.store.models import Agreement, Signature
from corridor.store.schemas import PartyIn, PartyKeyIn, SignatureIn
from corridor.store.signing import KeyPair, fingerprint

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore


def test_another_partys_key_cannot_be_registered(world: SeededStore) -> None:
    ru_key = world.keys["RU"].public_key_hex
    with pytest.raises(ConflictError, match=r"already registered to party RU"), \
            world.db.write() as s:
        coordination.set_party_key(s, "t", "UA", PartyKeyIn(public_key=ru_key))
    with pytest.raises(ConflictError, match=r"already registered to party RU"), \
            world.db.write() as s:
        coordination.create_party(s, "t", PartyIn(id="MD", name="Moldova", public_key=ru_key))
    with world.db.write() as s:  # re-registering one's own key is no conflict
        coordination.set_party_key(s, "t", "RU", PartyKeyIn(public_key=ru_key))


def test_a_key_once_used_by_another_party_stays_refused(world: SeededStore) -> None:
    """After RU rotates away from a key it signed with, UA still cannot take it over."""
    world.agreement(signed_by=("RU",))
    old = world.keys["RU"].public_key_hex
    with world.db.write() as s:
        coordination.set_party_key(s, "t", "RU",
                                   PartyKeyIn(public_key=KeyPair.generate().public_key_hex))
    with pytest.raises(ConflictError, match=fingerprint(old)), world.db.write() as s:
        coordination.set_party_key(s, "t", "UA", PartyKeyIn(public_key=old))


def test_a_replayed_signature_fails_even_under_a_shared_key(world: SeededStore) -> None:
    """Were RU's key smuggled in as UA's (a direct table edit), RU's signature is still not
    UA's: the signer is part of what is signed."""
    agreement_id = world.agreement(signed_by=("RU",))
    with world.db.write() as s:
        s.execute(text("UPDATE parties SET public_key = :k WHERE id = 'UA'"),
                  {"k": world.keys["RU"].public_key_hex})
    with world.db.read() as s:
        ru = s.scalars(select(Signature).where(Signature.party_id == "RU")).one().signature
    with pytest.raises(StoreError, match="does not verify against party UA"), \
            world.db.write() as s:
        coordination.add_signature(s, "t", agreement_id, SignatureIn(party_id="UA",
                                                                     signature=ru))


def test_registering_anothers_key_through_the_api_is_409(sqlite_world: SeededStore) -> None:
    with TestClient(create_app(sqlite_world.db)) as client:
        response = client.put("/api/parties/UA/key",
                              json={"public_key": sqlite_world.keys["RU"].public_key_hex},
                              headers=sqlite_world.headers("liaison_UA"))
    assert response.status_code == 409
    assert response.json()["field"] == "public_key"


def test_the_sheet_shows_each_partys_key_fingerprint(sqlite_world: SeededStore) -> None:
    agreement_id = sqlite_world.agreement(signed_by=("UA",))
    proposal_id = sqlite_world.proposal()
    with sqlite_world.db.write() as s:
        queries.get(s, Agreement, agreement_id).proposal_id = proposal_id
    with TestClient(create_app(sqlite_world.db)) as client:
        sheet = html.unescape(client.get(f"/sheets/proposals/{proposal_id}",
                                         headers=sqlite_world.headers("observer")).text)
    assert "Parties' signing keys" in sheet
    for party in ("UA", "RU"):
        assert f"key fingerprint {fingerprint(sqlite_world.keys[party].public_key_hex)}" in sheet
