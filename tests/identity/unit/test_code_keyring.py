"""The security-code keyring (shared.sealing.Keyring) and identity's setting of the previous keys."""

from __future__ import annotations

import base64
import os
import uuid

import pytest
from pydantic import ValidationError

from identity.config import Settings
from identity.resealing import reseal_command
from shared.sealing import HEADER_BYTES, KEYED_FORMAT, Keyring, Sealer, UnknownSealingKey, key_id
from shared.settings import load_settings

OWNER = uuid.uuid4()


def raw() -> bytes:
    return os.urandom(32)


def test_a_value_names_its_key_and_opens_with_it_once_the_key_is_a_previous_one():
    a, b = raw(), raw()
    sealed = Keyring(a).seal("135792", owner=OWNER)
    assert sealed[1:HEADER_BYTES] == key_id(a)
    rotated = Keyring(b, [a])
    assert rotated.open(sealed, owner=OWNER) == "135792"
    assert not rotated.is_current(sealed)
    again = rotated.reseal(sealed, owner=OWNER)
    assert again is not None and rotated.is_current(again) and Keyring(b).open(again, owner=OWNER) == "135792"
    assert rotated.reseal(again, owner=OWNER) is None  # already under the current key


def test_values_sealed_before_key_ids_still_open_with_any_configured_key():
    a, b = raw(), raw()
    legacy = Sealer(a).seal("135792", owner=OWNER)
    assert Keyring(a).open(legacy, owner=OWNER) == "135792"
    assert Keyring(b, [a]).open(legacy, owner=OWNER) == "135792"
    assert not Keyring(a).is_current(legacy)  # re-sealed into the keyed format


def test_an_unknown_key_is_named_and_a_value_is_bound_to_its_owner():
    a, b = raw(), raw()
    sealed = Keyring(a).seal("135792", owner=OWNER)
    with pytest.raises(UnknownSealingKey, match=key_id(a).hex()) as caught:
        Keyring(b).open(sealed, owner=OWNER)
    assert caught.value.key_id == key_id(a).hex()
    with pytest.raises(UnknownSealingKey, match="no key id"):
        Keyring(b).open(legacy_value(a, first_byte_is_format=False), owner=OWNER)
    # A value of the old format whose random nonce begins with the format byte (1 in 256) reads as naming
    # a key: it is refused all the same, naming those bytes.
    looks_keyed = legacy_value(a, first_byte_is_format=True)
    with pytest.raises(UnknownSealingKey, match=looks_keyed[1:5].hex()):
        Keyring(b).open(looks_keyed, owner=OWNER)
    assert Keyring(b, [a]).open(looks_keyed, owner=OWNER) == "135792"  # and opens with its key
    with pytest.raises(UnknownSealingKey, match="does not open with its key") as caught:
        Keyring(a).open(sealed, owner=uuid.uuid4())  # copied to another user: does not open
    assert caught.value.configured
    with pytest.raises(UnknownSealingKey, match="does not open with its key"):
        Keyring(a).open(sealed[:-1] + bytes([sealed[-1] ^ 1]), owner=OWNER)  # tampered
    with pytest.raises(UnknownSealingKey, match="no key id"):
        Keyring(a).open(b"", owner=OWNER)


def test_a_keyring_refuses_a_key_of_the_wrong_size():
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring(raw(), [b"short"])


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_the_previous_keys_setting_takes_a_comma_separated_or_json_list_and_never_shows_them(monkeypatch):
    a, b = b64(raw()), b64(raw())
    monkeypatch.setenv("IDENTITY_PREVIOUS_SECURITY_CODE_KEYS", f" {a}, {b} ")
    settings = Settings(environment="development")
    assert [base64.b64encode(k).decode() for k in settings.previous_code_keys()] == [a, b]
    assert a not in repr(settings) and a not in str(settings.model_dump())
    monkeypatch.setenv("IDENTITY_PREVIOUS_SECURITY_CODE_KEYS", f'["{a}"]')
    assert len(Settings(environment="development").previous_code_keys()) == 1
    monkeypatch.delenv("IDENTITY_PREVIOUS_SECURITY_CODE_KEYS")
    assert Settings(environment="development").previous_code_keys() == []


@pytest.mark.parametrize("bad", ["not-base64!", base64.b64encode(b"16 bytes only..").decode()])
def test_a_malformed_previous_key_is_refused_naming_the_setting_not_the_value(bad):
    good = b64(raw())
    with pytest.raises(ValidationError) as caught:
        Settings(environment="development", previous_security_code_keys=f"{good},{bad}")
    message = caught.value.errors()[0]["msg"]
    assert "previous_security_code_keys" in message and "number 2" in message
    assert bad not in message and good not in message


def test_a_process_with_a_malformed_previous_key_refuses_to_start_with_one_line_naming_it(
    monkeypatch, capsys
):
    monkeypatch.setenv("IDENTITY_ENVIRONMENT", "development")
    monkeypatch.setenv("IDENTITY_PREVIOUS_SECURITY_CODE_KEYS", "c2hvcnQ=")  # "short"
    with pytest.raises(SystemExit) as exit_info:
        load_settings(Settings)
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("identity: refusing to start: IDENTITY_PREVIOUS_SECURITY_CODE_KEYS:"), line
    assert "c2hvcnQ=" not in line


@pytest.mark.parametrize("batch", ["0", "-3", "many"])
def test_the_reseal_command_refuses_a_batch_that_is_not_a_positive_number(batch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        reseal_command(["--batch", batch])
    assert exit_info.value.code == 2
    assert "--batch" in capsys.readouterr().err
    assert callable(reseal_command(["--batch", "7"]))


def legacy_value(key: bytes, *, first_byte_is_format: bool) -> bytes:
    """A value sealed in the format before key ids (nonce first), whose first byte is, or is not, the
    keyed format's: sealed again until it is (about 256 tries for `True`)."""
    while True:
        sealed = Sealer(key).seal("135792", owner=OWNER)
        if (sealed[:1] == KEYED_FORMAT) == first_byte_is_format:
            return sealed
