"""Column roles: what a header of a real export says a column is.

Review sites, help desks, survey tools and social-listening tools each name their columns
their own way (``review_rating``, ``Star Rating``, ``Review Stars``, ``stars``, ``rating``;
``author_title``, ``Reviewer``, ``Requester email``, ``RecipientEmail``). :func:`header_roles`
reads a header as words and returns the roles it may play, strongest first, with a weight:
the caller (:mod:`carlzon.understand`) then checks each candidate against the column's values
(a ``location`` of 1-5 numbers is a rating, not a place; an ``id`` that repeats is no id).

Roles: ``id``, ``customer_id``, ``customer_email``, ``customer_name``, ``timestamp``, ``text``,
``title`` (joined to the text), ``reply`` (the company's answer: kept, never read as the
customer's words), ``nps``, ``csat``, ``ces``, ``stars`` (the overall rating), ``rating``
(a per-touchpoint or per-aspect rating), ``location``, ``channel``, ``staff``, ``language``,
``touchpoint``, ``measure``, ``count`` (likes, votes: never a rating), ``skip`` (coordinates,
links, progress flags).

Example:
    >>> header_roles("review_rating")[0], header_roles("Requester email")[0][0], header_roles("hotel_id")[0][0]
    (('stars', 10), 'customer_email', 'location')
"""

from __future__ import annotations

import re

__all__ = ["ROLES", "header_roles", "words"]

ROLES = (
    "id",
    "customer_id",
    "customer_email",
    "customer_name",
    "timestamp",
    "text",
    "title",
    "reply",
    "nps",
    "csat",
    "ces",
    "stars",
    "rating",
    "location",
    "channel",
    "staff",
    "language",
    "touchpoint",
    "measure",
    "count",
    "skip",
)

_RECORD = {
    "review",
    "response",
    "ticket",
    "conversation",
    "respondent",
    "record",
    "interaction",
    "tweet",
    "post",
    "message",
    "comment",
    "submission",
    "case",
    "feedback",
    "chat",
    "mention",
    "entry",
    "survey",
    "result",
    "reviews",
}
_PERSON = {
    "customer",
    "user",
    "client",
    "author",
    "reviewer",
    "requester",
    "contact",
    "member",
    "consumer",
    "guest",
    "passenger",
    "account",
    "visitor",
    "profile",
    "buyer",
    "shopper",
    "patient",
    "subscriber",
    "recipient",
    "person",
    "caller",
    "sender",
}
_PLACE = {
    "location",
    "store",
    "branch",
    "shop",
    "hotel",
    "property",
    "restaurant",
    "venue",
    "site",
    "outlet",
    "unit",
    "place",
    "business",
    "airport",
    "station",
    "route",
    "office",
    "clinic",
    "dealership",
    "franchise",
    "premises",
    "club",
    "gym",
    "cafe",
    "salon",
    "resort",
    "lounge",
    "facility",
    "department",
    "storefront",
}
_STAFF = {
    "assignee",
    "agent",
    "staff",
    "employee",
    "server",
    "waiter",
    "waitress",
    "cashier",
    "barista",
    "teammate",
    "advisor",
    "adviser",
    "associate",
    "stylist",
    "rep",
    "representative",
    "responder",
    "owner",
    "handler",
    "technician",
    "driver",
    "nurse",
    "doctor",
    "host",
    "hostess",
    "bartender",
    "clerk",
    "operator",
}
_SKIP = {
    "latitude",
    "longitude",
    "lat",
    "lng",
    "lon",
    "url",
    "link",
    "href",
    "image",
    "img",
    "avatar",
    "photo",
    "photos",
    "picture",
    "ip",
    "ipaddress",
    "address",
    "progress",
    "finished",
    "duration",
    "phone",
    "zip",
    "postcode",
    "device",
    "os",
    "browser",
    "useragent",
    "version",
    "build",
    "hash",
    "pagination",
    "token",
}
_COUNT = {
    "likes",
    "like",
    "votes",
    "vote",
    "helpful",
    "thumbs",
    "thumbsup",
    "count",
    "total",
    "reach",
    "impressions",
    "followers",
    "shares",
    "retweets",
    "replies",
    "reactions",
    "views",
    "interactions",
    "number",
    "reviews",
    "engagement",
    "amount",
    "price",
    "spend",
    "revenue",
    "age",
    "quantity",
    "nights",
    "useful",
    "funny",
    "cool",
    "upvotes",
    "downvotes",
}
_TIME_WORDS = {
    "date",
    "time",
    "datetime",
    "timestamp",
    "created",
    "submitted",
    "published",
    "posted",
    "recorded",
    "updated",
    "modified",
    "at",
    "on",
    "when",
    "day",
    "started",
    "ended",
    "utc",
    "millis",
    "epoch",
}
_TEXT = {
    "text",
    "review",
    "reviews_text",
    "comment",
    "comments",
    "feedback",
    "message",
    "body",
    "content",
    "description",
    "verbatim",
    "remarks",
    "remark",
    "opinion",
    "testimonial",
    "post",
    "tweet",
    "caption",
    "snippet",
    "complaint",
    "suggestion",
    "suggestions",
    "transcript",
    "answer",
    "notes",
    "story",
    "why",
    "reason",
    "details",
    "experience",
    "response",
}
_TITLE = {"title", "subject", "headline", "summary", "heading", "topic"}
_REPLY = {"reply", "answer", "response", "responded", "replied", "answered"}
_REPLIER = {
    "owner",
    "developer",
    "company",
    "business",
    "merchant",
    "management",
    "brand",
    "manager",
    "host",
    "partner",
    "vendor",
    "seller",
    "admin",
    "agent",
    "staff",
    "hotel",
    "public",
}


_OVERALL = {
    "review",
    "overall",
    "general",
    "total",
    "customer",
    "experience",
    "visit",
    "stay",
    "service_overall",
    "us",
    "company",
    "business",
    "app",
    "product",
    "score",
    "nps",
    "csat",
    "ces",
    "rating",
    "ratings",
    "star",
    "stars",
    "satisfaction",
    "satisfied",
    "rate",
    "rated",
    "grade",
    "how",
    "would",
    "you",
    "your",
    "please",
    "the",
    "of",
    "with",
    "our",
    "we",
    "today",
    "recent",
    "most",
    "last",
    "time",
    "on",
    "a",
    "an",
    "and",
    "to",
    "in",
    "at",
    "for",
    "were",
    "was",
    "are",
    "is",
    "scale",
    "from",
    "1",
    "5",
    "10",
    "0",
    "value",
    "given",
    "overall_rating",
    "note",
    "conversation",
    "chat",
    "call",
    "ticket",
    "interaction",
    "case",
    "support",
    "survey",
    "response",
}


def _item_words(header: str) -> list[str]:
    """What a rating header rates besides 'overall' ('How would you rate your delivery?' -> ['delivery']).

    >>> _item_words("How would you rate your delivery?"), _item_words("review_rating"), _item_words("Please rate - Breakfast")
    (['delivery'], [], ['breakfast'])
    """
    parts = re.split(r"\s[-\u2013:|]\s|:\s", str(header))
    target = parts[-1] if len(parts) > 1 else str(header)
    return [w for w in words(target) if w not in _OVERALL and not w.isdigit()]


def words(header: str) -> list[str]:
    """A header as lower-case words, camelCase and run-together names split ('RecipientEmail' -> recipient, email).

    >>> words("Review Submit Date and Time"), words("reviewerNickname"), words("StartDate")
    (['review', 'submit', 'date', 'and', 'time'], ['reviewer', 'nickname'], ['start', 'date'])
    """
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    out: list[str] = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        out.extend(_split_run(w))
    return out


_GLUED = (
    "response",
    "recipient",
    "recorded",
    "start",
    "end",
    "date",
    "time",
    "email",
    "first",
    "last",
    "name",
    "user",
    "language",
    "external",
    "reference",
    "distribution",
    "channel",
    "location",
    "ip",
    "address",
    "duration",
    "finished",
    "progress",
    "status",
    "latitude",
    "longitude",
    "id",
)


def _split_run(w: str) -> list[str]:
    """Qualtrics-style glued names ('responseid', 'recipientemail') into their words."""
    if len(w) < 7 or w in _TIME_WORDS | _TEXT:
        return [w]
    for head in _GLUED:
        if w.startswith(head) and len(w) > len(head):
            rest = w[len(head) :]
            if rest in _GLUED or rest in ("in", "seconds"):
                return [head, rest]
    return [w]


def header_roles(header: str) -> list[tuple[str, int]]:
    """The roles a column's header suggests, strongest first, each with a weight 1-10 (its evidence).

    Values decide in the end (see :mod:`carlzon.understand`): weights only order the candidates.
    """
    w = words(header)
    s = set(w)
    joined = "_".join(w)
    out: list[tuple[str, int]] = []

    def add(role: str, weight: int) -> None:
        if all(r != role for r, _ in out):
            out.append((role, weight))

    if not w or header.strip() == "#":
        return [("id", 8)] if header.strip() == "#" else []
    if s & _SKIP and not s & {"email", "mail"}:
        return [("skip", 5)]
    # the company's answer is never the customer's words, nor their timestamp
    if (s & _REPLY and s & _REPLIER) or joined in ("reply", "reply_text", "replies_text", "response_from_owner"):
        return [("reply", 9)]
    if {"nps", "ltr"} & s or "recommend" in joined or "promoter" in joined:
        if s & {"group", "category", "segment", "type", "label"}:
            return [("skip", 6)]
        add("nps", 9)
    if {"csat", "osat"} & s or "satisf" in joined or joined in ("conversation_rating", "chat_rating"):
        add("csat", 8)
    if {"ces", "effort"} & s or ("easy" in s and "how" in s):
        add("ces", 8)
    is_id = bool(s & {"id", "guid", "uuid", "key", "no", "ref", "reference", "nr"}) or joined.endswith("number")
    if is_id or joined in ("id", "#"):
        if s & _PLACE and not s & _PERSON:
            add("location", 7 + ("location" in s))
        elif s & _PERSON and not s & {"respondent"}:
            add("customer_id", 9)
        elif s & _RECORD or joined in ("id", "uuid", "guid", "external_reference", "reference"):
            add("id", 9 if s & _RECORD or joined == "id" else 5)
    if {"email", "mail", "e_mail"} & s or "email" in joined:
        add("customer_email", 8 if not s & _STAFF else 2)
    if s & _COUNT and not {"nps", "rating", "stars", "score"} & s:
        add("count", 6)
    remark = s & {"remark", "remarks", "comment", "comments", "text", "reason", "why", "feedback", "explain"}
    rating_word = not remark and s & {
        "rating",
        "stars",
        "star",
        "score",
        "overall",
        "grade",
        "rate",
        "rated",
        "note",
        "bewertung",
        "puntuacion",
        "valutazione",
        "betyg",
        "vote",
    }
    item = _item_words(header)
    if (rating_word or s & {"satisfied", "satisfaction"}) and not s & _COUNT and item:
        add("rating", 8)  # rates one thing ('How would you rate your delivery?', 'Please rate - Check-in')
        out[:] = [(r, w) for r, w in out if r not in ("csat", "stars")]
    elif rating_word and not s & _COUNT:
        strong = {"review", "overall", "star", "stars"} & s or joined in ("rating", "score", "stars", "overall")
        bonus = 1 if s & {"review", "star", "stars"} and "rating" not in out else 0
        add("stars", 5 if any(r in ("csat", "nps", "ces") for r, _ in out) else (9 + bonus) if strong else 6)
    if s & _TIME_WORDS and not s & {"birth", "birthday", "dob", "due", "expiry", "expires"}:
        weight = 5
        if s & {"submitted", "submit", "recorded", "created", "published", "posted", "review", "response"}:
            weight = 9
        elif s & {"end", "ended", "completed", "received"}:
            weight = 7
        elif s & {"start", "started"}:
            weight = 6
        elif s & {"updated", "modified", "last", "resolved", "closed", "solved", "stay", "travel", "visit", "visited"}:
            weight = 3
        add("timestamp", weight)
    if s & {"language", "lang", "locale", "languagecode"}:
        add("language", 9)
    if (s & {"channel", "via", "platform", "network", "medium", "source"} or joined == "page_type") and not s & {
        "id",
        "url",
    }:
        add("channel", 6 if "source" not in s else 4)
    if {"touchpoint", "touch", "step"} & s:
        add("touchpoint", 7)
    if s & _PLACE and not s & _PERSON:
        add("location", (8 if "name" in s else 7 if s & {"id", "code"} else 6) + ("location" in s))
    if joined in ("name", "place_name", "business_name"):
        add("location", 3)
    if s & _STAFF and not s & {"email", "wait", "interactions", "count"}:
        add("staff", 7)
    person_name = s & _PERSON and (s & {"name", "title", "nickname", "username", "handle", "full"} or len(w) == 1)
    if person_name or joined in (
        "name",
        "full_name",
        "username",
        "user_name",
        "nickname",
        "from",
        "first_name",
        "last_name",
        "display_name",
        "screen_name",
        "handle",
        "author_title",
        "reviewer",
    ):
        add("customer_name", 7 if s & _PERSON else 4)
    plain = not (is_id or rating_word or s & _TIME_WORDS or s & _COUNT or s & {"language", "lang", "locale"})
    head = w[: w.index("of")] if "of" in w[1:] else w  # 'Source Of Review' is a source, not a review
    if s & _TITLE and not s & ({"job"} | _PERSON) and plain:
        add("title", 8)
    elif (head[-1] in _TEXT or head[0] in _TEXT and len(head) <= 2 or joined.endswith("_text")) and plain:
        add(
            "text",
            8
            if s
            & {
                "text",
                "review",
                "comment",
                "comments",
                "feedback",
                "verbatim",
                "body",
                "content",
                "message",
                "description",
            }
            else 5,
        )
    return sorted(out, key=lambda rw: -rw[1])
