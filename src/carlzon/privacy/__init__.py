"""Customers' personal data: erasure (:func:`forget`), card numbers masked at ingest, redaction for what is shared.

Example:
    >>> from carlzon.privacy import mask_cards
    >>> mask_cards("card 4111 1111 1111 1111, order 12")
    'card [CARD], order 12'
"""

from carlzon.privacy.cards import mask_cards
from carlzon.privacy.forget import ForgetResult, coverage, forget, forget_log
from carlzon.privacy.recognise import Finding, find_personal_data, redact

__all__ = ["Finding", "ForgetResult", "coverage", "find_personal_data", "forget", "forget_log", "mask_cards", "redact"]
