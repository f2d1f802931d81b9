"""Schemathesis hooks of the contract test (test/api/contract.test.ts; docs/api.md says how to run it by hand).

The OpenAPI document gives SIRETs and IBANs a `format` of their own ("siret", "iban"): their check digits cannot
be written as a pattern. These strategies generate values that pass the server's checks (api/checks.ts), so that
schemathesis sends valid identifiers where the schema asks for valid ones.
"""

import schemathesis
from hypothesis import strategies as st


def _luhn_key(digits: str) -> str:
    """The digit that makes `digits` + key pass the Luhn check."""
    total = 0
    # Digits of `digits` + key, read from the right: the key is position 0, so these start at position 1 (doubled).
    for position, char in enumerate(reversed(digits), start=1):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


@st.composite
def _siret(draw):
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    return body + _luhn_key(body)


def _iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return "%02d" % (98 - number % 97)


@st.composite
def _iban(draw):
    # A French IBAN: bank (5 digits), branch (5), account (11 letters or digits), RIB key (2).
    bank = draw(st.text(alphabet="0123456789", min_size=10, max_size=10))
    account = draw(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=11, max_size=11))
    key = draw(st.text(alphabet="0123456789", min_size=2, max_size=2))
    bban = bank + account + key
    return "FR" + _iban_check("FR", bban) + bban


schemathesis.openapi.format("siret", _siret())
schemathesis.openapi.format("iban", _iban())


@st.composite
def _vat_number(draw):
    # A French number with its numeric check key (most of them), or another EU country's number.
    if draw(st.booleans()):
        siren = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
        return "FR%02d%s" % ((12 + 3 * (int(siren) % 97)) % 97, siren)
    country = draw(st.sampled_from(["BE", "DE", "ES", "IT", "LU", "NL"]))
    return country + draw(st.text(alphabet="0123456789", min_size=8, max_size=12))


schemathesis.openapi.format("vat-number", _vat_number())
