"""Personal-data removal: a planted set of e-mails, phones, card numbers and names goes; ordinary words stay."""

import pytest

from carlzon.loop.privacy import find_personal_data, luhn_ok, redact

# The planted set: (text, what must disappear).
PLANTED = [
    ("Mail me at anna.berg+air@example.co.uk please", ["anna.berg+air@example.co.uk"]),
    ("or j_smith@mail.example.com", ["j_smith@mail.example.com"]),
    ("Call me on +44 20 7946 0958 tonight", ["+44 20 7946 0958"]),
    ("my cell is (555) 123-4567", ["(555) 123-4567"]),
    ("US office +1-202-555-0143", ["+1-202-555-0143"]),
    ("Swedish mobile 0046 70 123 45 67", ["0046 70 123 45 67"]),
    ("phone 070-123 45 67", ["070-123 45 67"]),
    ("Visa 4111 1111 1111 1111 was charged twice", ["4111 1111 1111 1111"]),
    ("Mastercard 5500-0000-0000-0004", ["5500-0000-0000-0004"]),
    ("Amex 378282246310005", ["378282246310005"]),
    ("IBAN GB82 WEST 1234 5698 7654 32", ["GB82 WEST 1234 5698 7654 32"]),
    ("account number 12345678 is frozen", ["12345678"]),
    ("My name is Sarah Connor and I am furious", ["Sarah", "Connor"]),
    ("Thanks, Will", ["Will"]),
    ("Dear Mrs. Lindqvist, your bag is here", ["Lindqvist"]),
    ("Hi Bill, sorry about the delay. ^JK", ["Bill", "JK"]),
    ("Michael at the gate was rude", ["Michael"]),
    ("@Delta lost my stroller", ["@Delta"]),
    ("Oskar Berg waited three hours", ["Oskar", "Berg"]),  # known to the customer memory
]

# Ordinary sentences with name-like words, numbers, dates and times: nothing may change.
UNTOUCHED = [
    "Will you call me back in May?",
    "I will mark this as resolved, Grace period or not.",
    "My bill is wrong and I hope you fix it.",
    "Flight UA 1234 on 2026-03-02 left at 14:30 from gate 12, 45 minutes late.",
    "I paid 1,200 dollars for 3 bags and waited 2 hours.",
    "Rose from my seat when the crew came by; Frank answers please.",
    "This is ridiculous. Hello team, anyone there?",
    "Summer schedule changed again, April was no better.",
]


@pytest.mark.parametrize("text,planted", PLANTED)
def test_planted_personal_data_is_removed(text, planted):
    out = redact(text, names=["Oskar Berg"])
    for item in planted:
        assert item not in out, (text, out)
    assert "[" in out
    print(f"{text!r} -> {out!r}")


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_words_untouched(text):
    assert redact(text) == text
    assert find_personal_data(text) == []


def test_whole_planted_set_in_one_text_shows_result():
    text = "\n".join(t for t, _ in PLANTED)
    out = redact(text, names=["Oskar Berg"])
    print("planted:\n" + text + "\n\nresult:\n" + out)
    for _, items in PLANTED:
        for item in items:
            assert item not in out
    for tag in ("[EMAIL]", "[PHONE]", "[CARD]", "[ACCOUNT]", "[NAME]", "[HANDLE]"):
        assert tag in out
    # ordinary words around the data survive
    for word in ("please", "tonight", "charged twice", "furious", "rude", "stroller", "waited three hours"):
        assert word in out


def test_luhn():
    assert luhn_ok("4111 1111 1111 1111")
    assert not luhn_ok("4111 1111 1111 1112")
    # printed in card groups, a number that fails the check is a mistyped card and goes too
    assert redact("order 1234 5678 9012 3456") == "order [CARD]"
    # a bare run without an issuer's prefix is not (an 18-digit post id)
    assert "[CARD]" not in redact("tweet 570306133677760513")


def test_findings_carry_kind_and_span():
    text = "mail a@b.io or call +46 70 123 45 67"
    kinds = [(f.kind, text[f.start : f.end]) for f in find_personal_data(text)]
    assert kinds == [("email", "a@b.io"), ("phone", "+46 70 123 45 67")]


def test_real_support_tweets(shared_data):
    """On 5,000 real support tweets: no e-mail or Luhn card number survives; product names stay."""
    import re

    import pandas as pd

    from carlzon.loop.privacy import luhn_ok

    df = pd.read_csv(
        shared_data / "customer_support_twitter" / "twcs.csv", dtype=str, keep_default_na=False, on_bad_lines="skip"
    )
    out = [redact(t) for t in df["text"]]
    joined = "\n".join(out)
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", joined)
    assert not [c for c in re.findall(r"\b\d(?:[ -]?\d){12,18}\b", joined) if luhn_ok(c)]
    assert "Star Wars" in joined
    assert "Chase Online" in joined
    assert "@Delta Is" not in joined
    assert "[HANDLE] Is" in joined
