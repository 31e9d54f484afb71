"""Personal-data removal for what leaves the store in shareable form (role-play cards, reports, exports).

Kept for the imports that name it; the recogniser lives in :mod:`carlzon.privacy.recognise`
(e-mails also spelled out, phones, cards, IBANs, passports and ID numbers, addresses and
postcodes, dates of birth, IP addresses, handles, names of many origins).

Example:
    >>> redact("Thanks, Will. Call me on +44 20 7946 0958")
    'Thanks, [NAME]. Call me on [PHONE]'
"""

from __future__ import annotations

from carlzon.privacy.cards import luhn_ok
from carlzon.privacy.recognise import Finding, find_personal_data, redact

__all__ = ["Finding", "find_personal_data", "luhn_ok", "redact"]
