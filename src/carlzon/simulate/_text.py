"""Customer language: per-touchpoint phrase templates, composed into comments with typos.

Specific phrases for well-known touchpoint ids; any other touchpoint gets
phrases built from its name and its signal phrases in the journey YAML.
"""

from __future__ import annotations

import numpy as np

from carlzon.journey import Touchpoint

NEG: dict[str, tuple[str, ...]] = {
    "search": (
        "the fares kept changing every time I searched",
        "couldn't compare prices properly, the search was useless",
    ),
    "online_booking": (
        "the booking website crashed twice before I got a confirmation",
        "booking online took forever and the app kept logging me out",
    ),
    "loyalty_programme": (
        "my miles never showed up on my account",
        "the frequent flyer points expired without any warning",
    ),
    "check_in": (
        "the check-in queue took {wait} minutes and only two counters were open",
        "the kiosk wouldn't print my boarding pass and nobody helped",
    ),
    "security": (
        "security line was a nightmare, {wait} minutes of shuffling",
        "only one security lane open, we nearly missed the flight",
    ),
    "gate": ("gate changed twice with no announcement", "the gate agent was rude and didn't answer anything"),
    "boarding": (
        "boarding was chaos, no groups, no order",
        "no room in the overhead bins so my carry-on went in the hold",
    ),
    "seat": ("the seat was broken and wouldn't recline", "zero legroom, my knees were in the seat in front"),
    "cabin_crew": ("the flight attendants ignored the call button for an hour", "crew were rude and unhelpful"),
    "food": ("the meal was cold and they ran out of the vegetarian option", "paid for a snack that was stale"),
    "wifi_entertainment": ("wifi didn't work the whole flight", "the wifi kept dropping and the power outlet was dead"),
    "entertainment": ("the entertainment screen was dead and no headphones", "the movies on the screen kept freezing"),
    "cleanliness": ("the toilet was filthy and the seat pocket full of rubbish", "cabin was dirty, crumbs everywhere"),
    "arrival": (
        "landed {delay} minutes late and missed my connection",
        "arrived late and nobody told us about the connection",
    ),
    "baggage_claim": (
        "lost my bag and nobody can tell me where it is",
        "my suitcase came back damaged and we waited {wait} minutes at the carousel",
    ),
    "delays_cancellations": (
        "flight delayed {delay} minutes with no explanation",
        "they cancelled the flight and left us stranded overnight",
    ),
    "complaint_handling": (
        "on hold for {wait} minutes then they hung up",
        "customer service never replied to my complaint",
    ),
    "sharing": ("I won't recommend this airline to anyone", "never again, worst airline I have flown"),
    "queue": ("waited {wait} minutes in the queue for one coffee", "the line was out the door and only one till open"),
    "barista": ("the barista was rude and rolled her eyes", "staff ignored me at the counter"),
    "drink_quality": ("my flat white was lukewarm and bitter", "the coffee tasted burnt"),
    "order_accuracy": ("they got my order wrong again", "asked for oat milk and got cow's milk"),
    "payment": ("the card machine was broken so cash only", "got charged twice for one drink"),
}
POS: dict[str, tuple[str, ...]] = {
    "search": ("found a great fare in minutes", "easy to compare prices"),
    "online_booking": ("booking online was quick and easy", "the app made booking a breeze"),
    "loyalty_programme": ("miles credited straight away", "got upgraded thanks to my Gold status"),
    "check_in": ("check-in took two minutes, lovely staff at the counter", "bag drop was fast and friendly"),
    "security": ("security was quick and painless", "fast track through security, no queue"),
    "gate": ("the gate agent was really helpful", "clear announcements at the gate"),
    "boarding": ("boarding was smooth and on time", "orderly boarding, plenty of overhead space"),
    "seat": ("comfortable seat with plenty of legroom", "got upgraded to an exit row seat"),
    "cabin_crew": (
        "the cabin crew were amazing and remembered my name",
        "flight attendants went out of their way to help my kids",
    ),
    "food": ("the meal was actually delicious", "nice snacks and free coffee"),
    "wifi_entertainment": ("wifi worked all the way", "fast wifi and a power outlet at every seat"),
    "entertainment": ("great choice of movies", "the entertainment screen was excellent"),
    "cleanliness": ("spotless cabin", "the plane was very clean"),
    "arrival": ("landed early and made my connection easily", "arrived right on time"),
    "baggage_claim": ("bags were on the carousel before we got there", "my luggage arrived quickly"),
    "delays_cancellations": (
        "they rebooked me straight away when the flight was cancelled",
        "the delay was handled really well with vouchers",
    ),
    "complaint_handling": ("customer service sorted my refund in one call", "the agent on the chat was brilliant"),
    "sharing": ("I recommend this airline to everyone", "my favourite airline by far"),
    "queue": ("no queue at all", "served within a minute"),
    "barista": ("the barista remembered my usual", "lovely friendly staff"),
    "drink_quality": ("best flat white in town", "perfect coffee as always"),
    "order_accuracy": ("order was spot on", "got exactly what I asked for"),
    "payment": ("paying with the app was seamless", "quick contactless payment"),
}
NEG_GENERIC = (
    "the {p} was a real letdown",
    "really disappointed with the {p}",
    "{P} was terrible this time",
    "had a bad experience with the {p}",
    "the {p} needs serious work",
)
POS_GENERIC = (
    "the {p} was excellent",
    "really impressed with the {p}",
    "{P} was great",
    "loved the {p}",
    "the {p} was better than expected",
)
NEUTRAL = (
    "{N} was fine",
    "{N}: nothing special",
    "{N} was ok overall",
    "{N} was as expected",
    "{N}, no complaints, no praise",
    "average experience with the {n}",
)
OPENERS_NEG = ("", "Honestly, ", "Really disappointed. ", "Not happy. ", "Ugh. ", "Terrible trip. ")
OPENERS_POS = ("", "Great trip! ", "Wow. ", "Thank you! ", "Really happy. ", "")
CLOSERS_NEG = ("", "", " Not good enough.", " Very frustrating.", " I expected better.")
CLOSERS_POS = ("", "", " Will be back!", " Keep it up.", " Thanks team!")
SARCASM = (
    "Great, another {delay} minute delay. Just what I needed.",
    "Love waiting {wait} minutes for nothing. Brilliant.",
    "Fantastic service as usual, nobody answered.",
)

RECOVERY_REPLY = (
    "Thanks for sorting out the {what} so quickly, the {gesture} was a nice touch.",
    "Got a call from the manager about the {what}, they apologised and fixed it. Really appreciate it.",
    "They put it right: the {what} is sorted and I got {gesture}. I'll be back.",
)
UNRECOVERED_REPLY = (
    "Still no answer about the {what}. I've given up.",
    "Nobody ever got back to me about the {what}.",
    "Second time I write about the {what} and still nothing.",
)
COMPLAINT_OPEN = ("I want to complain: ", "Please help, ", "Hello, ", "@support ", "")


def pick(rng: np.random.Generator, seq) -> str:
    """One element of a sequence, as a string (faster than rng.choice on small tuples)."""
    return str(seq[int(rng.integers(len(seq)))])


def touchpoint_word(tp: Touchpoint) -> str:
    return tp.phrases[0] if tp.phrases else tp.name.lower()


def phrase(tp: Touchpoint, positive: bool, rng: np.random.Generator) -> str:
    bank = (POS if positive else NEG).get(tp.id)
    if bank:
        return pick(rng, bank)
    word = pick(rng, tp.phrases) if tp.phrases and rng.random() < 0.6 else tp.name.lower()
    t = pick(rng, POS_GENERIC if positive else NEG_GENERIC)
    return t.replace("{P}", word[:1].upper() + word[1:]).replace("{p}", word)


def fill(text: str, rng: np.random.Generator, *, wait: float | None = None, delay: float | None = None) -> str:
    return text.replace("{wait}", str(int(wait if wait is not None else rng.integers(25, 90)))).replace(
        "{delay}", str(int(delay if delay is not None else rng.integers(45, 240)))
    )


def neutral(tp: Touchpoint, rng: np.random.Generator) -> str:
    name = tp.name.lower()
    return pick(rng, NEUTRAL).replace("{N}", name[:1].upper() + name[1:]).replace("{n}", name)


def typo(text: str, rng: np.random.Generator) -> str:
    """Swap two neighbouring letters in one word."""
    words = text.split(" ")
    cands = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not cands:
        return text
    i = cands[int(rng.integers(len(cands)))]
    w = words[i]
    k = int(rng.integers(1, len(w) - 2))
    words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    return " ".join(words)


def sentence(core: str, positive: bool | None, rng: np.random.Generator) -> str:
    if positive is None:
        s = core
    else:
        opener = pick(rng, OPENERS_POS if positive else OPENERS_NEG)
        closer = pick(rng, CLOSERS_POS if positive else CLOSERS_NEG)
        first = core[:1].lower() if opener.endswith(", ") else core[:1].upper()
        s = opener + first + core[1:] + "." + closer
    if rng.random() < 0.08:
        s = typo(s, rng)
    return s
