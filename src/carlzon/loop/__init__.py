"""Close the loop: recovery cases, first replies, recovery measures, moments of magic, coaching.

Example:
    >>> from carlzon.loop import coach, redact
    >>> coach("We apologize for any inconvenience.").flags[0]["kind"]
    'script'
    >>> redact("mail me at anna@example.com")
    'mail me at [EMAIL]'

The REST routes (``carlzon.loop.api``) and dashboard pages (``carlzon.loop.pages``)
need the web app and are imported on their own.
"""

from carlzon.loop.coaching import CoachResult, coach
from carlzon.loop.magic import Opportunity, magic_opportunities
from carlzon.loop.measures import paradox_from_cases, recovery_measures
from carlzon.loop.memory import Customer, customer_memory
from carlzon.loop.privacy import find_personal_data, redact
from carlzon.loop.recovery import RecoveryDesk, priority
from carlzon.loop.replies import check_reply, suggest_reply
from carlzon.loop.roleplay import RoleplayCard, roleplay_cards

__all__ = [
    "CoachResult",
    "Customer",
    "Opportunity",
    "RecoveryDesk",
    "RoleplayCard",
    "check_reply",
    "coach",
    "customer_memory",
    "find_personal_data",
    "magic_opportunities",
    "paradox_from_cases",
    "priority",
    "recovery_measures",
    "redact",
    "roleplay_cards",
    "suggest_reply",
]
