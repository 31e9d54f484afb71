"""Words exports use for touchpoints and aspects, for :meth:`carlzon.journey.Journey.match_item`.

A survey item or an aspect-rating column rarely carries a touchpoint's id: a hotel export
rates ``rooms``, ``service`` and ``check_in_front_desk``, an airline survey ``Inflight wifi
service``. :data:`ITEM_SYNONYMS` maps such words (normalised: lower case, words joined by
``_``) to the touchpoint ids of the built-in templates that they name, most likely first; the
first id the journey has wins. :data:`ASPECT_WORDS` maps words to the aspects of the design
(price and value, speed and waiting, staff attitude, cleanliness, quality, accuracy,
availability), so that a rating of ``value`` is understood even in a journey without a price
touchpoint.

Example:
    >>> ITEM_SYNONYMS["rooms"][0], ASPECT_WORDS["value"]
    ('room_condition', 'price_value')
"""

from __future__ import annotations

__all__ = ["ASPECT_WORDS", "ITEM_SYNONYMS", "ITEM_STOP_WORDS"]

_STAFF = ("staff", "service", "barista", "cabin_crew", "staffing", "smiles", "greeting", "customer_service",
          "customer_support")
_CLEAN = ("room_condition", "cleanliness", "atmosphere", "ambience", "entrance", "housekeeping")
_FOOD = ("food", "food_quality", "restaurant_bar", "breakfast", "drink_quality", "product_quality")
_PRICE = ("price", "price_promotions", "fees")
_WAIT = ("queue", "food_timing", "checkout_queue", "seating", "check_in")
_SUPPORT = ("customer_service", "customer_support", "complaint_handling", "technical_support", "phone_support")
_WEB = ("website_app", "mobile_app", "online_booking", "search")
_WIFI = ("wifi_entertainment", "wifi_power", "wifi_coverage", "room_facilities")
_PLACE = ("search", "find_us", "discovery", "branch", "signage", "coverage_plans")

ITEM_SYNONYMS: dict[str, tuple[str, ...]] = {
    # people
    "service": _STAFF, "staff": _STAFF, "staff_service": _STAFF, "customer_service": _SUPPORT + _STAFF,
    "friendliness": _STAFF, "friendly_staff": _STAFF, "friendliness_of_staff": _STAFF, "helpfulness": _STAFF,
    "courtesy": _STAFF, "hospitality": _STAFF, "personnel": _STAFF, "employees": _STAFF, "team": _STAFF,
    "waiter": ("service", "staff"), "server": ("service", "staff"), "crew": ("cabin_crew",),
    "cabin_staff": ("cabin_crew",), "flight_attendants": ("cabin_crew",), "support": _SUPPORT,
    "help_desk": _SUPPORT, "agent": _SUPPORT, "advice": ("product_knowledge", "staff"),
    # rooms and places
    "rooms": ("room_condition",), "room": ("room_condition",), "room_quality": ("room_condition",),
    "room_comfort": ("room_condition", "bed_sleep"), "accommodation": ("room_condition",),
    "cleanliness": _CLEAN, "clean": _CLEAN, "hygiene": ("food_safety",) + _CLEAN, "tidiness": _CLEAN,
    "sleep": ("bed_sleep",), "sleep_quality": ("bed_sleep",), "beds": ("bed_sleep",), "bed": ("bed_sleep",),
    "comfort": ("seat", "bed_sleep", "seating", "room_condition"),
    "location": _PLACE, "neighbourhood": _PLACE, "neighborhood": _PLACE, "area": _PLACE, "surroundings": _PLACE,
    "check_in": ("check_in",), "checkin": ("check_in",), "front_desk": ("check_in",), "reception": ("check_in",),
    "arrival": ("check_in", "arrival", "welcome"), "check_out": ("check_out", "basket_checkout", "checkout_queue"),
    "checkout": ("check_out", "basket_checkout", "checkout_queue"), "business_service": ("staff",),
    "amenities": ("room_facilities", "amenities"), "facilities": ("room_facilities", "amenities", "restrooms"),
    "bathroom": ("bathroom", "restrooms"), "bathrooms": ("bathroom", "restrooms"), "toilets": ("restrooms", "bathroom"),
    "washrooms": ("restrooms", "bathroom"), "restroom": ("restrooms", "bathroom"), "pool": ("amenities",),
    "spa": ("amenities",), "gym": ("amenities",), "parking": ("arrival_parking",), "noise": ("noise",),
    "quietness": ("noise",), "atmosphere": ("atmosphere", "ambience"), "ambience": ("ambience", "atmosphere"),
    "ambiance": ("ambience", "atmosphere"), "decor": ("ambience", "atmosphere"), "music": ("ambience", "atmosphere"),
    "seats": ("seat", "seating"), "seat": ("seat", "seating"), "seating": ("seating", "seat"),
    "legroom": ("seat",), "leg_room": ("seat",),
    # food and drink
    "food": _FOOD, "food_and_drink": _FOOD, "food_and_beverage": _FOOD, "meals": _FOOD, "meal": _FOOD,
    "dining": ("restaurant_bar", "food_quality"), "taste": ("food_quality", "drink_quality", "food"),
    "drinks": ("drinks", "drink_quality", "food"), "beverages": ("drinks", "drink_quality", "food"),
    "coffee": ("drink_quality",), "bar": ("restaurant_bar", "drinks"), "breakfast": ("breakfast", "food"),
    "bar_and_drinks": ("drinks", "restaurant_bar", "food"), "menu": ("ordering", "food_quality"),
    # money
    "value": _PRICE, "value_for_money": _PRICE, "price": _PRICE, "prices": _PRICE, "pricing": _PRICE,
    "price_value": _PRICE, "cost": _PRICE, "fees": ("fees", "billing"), "bill": ("bill", "billing"),
    "billing": ("billing", "bill"), "payment": ("payment", "card_payments"),
    # time
    "speed": ("speed",) + _WAIT, "speed_of_service": _WAIT, "wait": _WAIT, "wait_time": _WAIT,
    "waiting_time": _WAIT, "queue": ("queue", "checkout_queue"), "punctuality": ("arrival", "delays_cancellations"),
    "on_time": ("arrival", "delays_cancellations"), "timeliness": ("arrival", "delivery", "food_timing"),
    # things
    "wifi": _WIFI, "wi_fi": _WIFI, "internet": ("speed",) + _WIFI, "entertainment": ("entertainment", "wifi_entertainment"),
    "baggage": ("baggage_claim",), "luggage": ("baggage_claim",), "boarding": ("boarding",),
    "delivery": ("delivery", "takeaway_delivery"), "shipping": ("delivery", "dispatch_tracking"),
    "returns": ("returns",), "refund": ("refunds", "returns"), "refunds": ("refunds", "returns"),
    "quality": ("product_quality", "food_quality", "drink_quality"), "product": ("product_quality",),
    "product_quality": ("product_quality",), "selection": ("stock",), "availability": ("stock",),
    "stock": ("stock",), "fitting_rooms": ("fitting_rooms",), "app": _WEB, "website": _WEB,
    "ease_of_use": _WEB, "booking": ("online_booking", "reservation"), "reservation": ("reservation",),
    "order_accuracy": ("order_accuracy",), "accuracy": ("order_accuracy",),
}
"""Normalised item words -> touchpoint ids of the built-in templates, most likely first."""

ASPECT_WORDS: dict[str, str] = {
    "value": "price_value", "value_for_money": "price_value", "price": "price_value", "prices": "price_value",
    "pricing": "price_value", "price_value": "price_value", "cost": "price_value", "fees": "price_value",
    "speed": "speed_waiting", "speed_of_service": "speed_waiting", "wait": "speed_waiting",
    "wait_time": "speed_waiting", "waiting_time": "speed_waiting", "punctuality": "speed_waiting",
    "timeliness": "speed_waiting", "service": "staff_attitude", "staff": "staff_attitude",
    "friendliness": "staff_attitude", "courtesy": "staff_attitude", "helpfulness": "staff_attitude",
    "hospitality": "staff_attitude", "cleanliness": "cleanliness", "clean": "cleanliness", "hygiene": "cleanliness",
    "quality": "quality", "food": "quality", "taste": "quality", "product_quality": "quality",
    "accuracy": "accuracy", "order_accuracy": "accuracy", "availability": "availability",
    "selection": "availability", "stock": "availability",
}
"""Normalised words -> the aspect a rating of that name judges."""

ITEM_STOP_WORDS = frozenset({
    "rating", "ratings", "rate", "rated", "score", "scores", "satisfaction", "satisfied", "with", "the", "of", "your",
    "you", "how", "would", "please", "following", "our", "my", "was", "were", "is", "are", "a", "an", "and", "for",
    "to", "in", "on", "at", "stars", "star", "grade", "experience", "overall_rating",
})
"""Words of a survey question that say nothing about what it rates ("How would you rate the ...")."""
