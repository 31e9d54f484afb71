"""Simulated customers: names, contact details, birthdays, tiers, preferences, value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carlzon.journey import Journey

FIRST = (
    "Emma Liam Olivia Noah Ava Oliver Sofia Elias Maja Lucas Ingrid Erik Amara Kwame Aisha Omar Fatima Yusuf "
    "Mei Wei Hana Kenji Yuki Haruto Priya Arjun Ananya Rohan Lucia Mateo Camila Diego Valentina Santiago Chloe "
    "Louis Camille Hugo Lea Jonas Lena Felix Marta Pawel Zofia Jakub Aino Mikko Freya Oscar Astrid Nils Grace "
    "Daniel Sarah Michael Laura David Anna James Maria Thomas Julia Samuel Nora Isaac Leila Hamid Chidi Ngozi "
    "Tariq Selin Emre Elif Dmitri Irina Giulia Marco Francesca Luca Sean Aoife Ciaran Niamh Rafael Beatriz"
).split()
LAST = (
    "Andersen Nielsen Larsen Johansson Lindqvist Berg Hansen Smith Johnson Williams Brown Garcia Martinez "
    "Rodriguez Lopez Gonzalez Silva Santos Pereira Costa Rossi Russo Bianchi Romano Muller Schmidt Schneider "
    "Fischer Weber Dubois Martin Bernard Moreau Laurent Kowalski Nowak Wojcik Virtanen Korhonen Okafor Mensah "
    "Adeyemi Diallo Haddad Khan Ahmed Hussain Patel Sharma Gupta Singh Chen Wang Li Zhang Liu Tanaka Sato "
    "Suzuki Kim Park Lee Nguyen Tran Yilmaz Kaya Demir Ivanov Petrov O'Brien Murphy Kelly Walsh Fernandes "
    "Oliveira Novak Horvat Jensen Eriksen Dahl Holm Sandberg Lund"
).split()
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.com", "mail.com")

PREFERENCES: dict[str, tuple[str, ...]] = {
    "airline": (
        "aisle seat, vegetarian meal",
        "window seat, no meal",
        "exit row, gluten-free meal",
        "aisle seat, extra legroom",
        "window seat, kosher meal",
        "front of the cabin, quick connection",
        "aisle seat, halal meal",
        "window seat, child meal for the little one",
    ),
    "coffee_shop": (
        "oat flat white",
        "large cappuccino with an extra shot",
        "iced americano",
        "chai latte with soy",
        "double espresso",
        "decaf latte, no sugar",
        "hot chocolate with cream",
        "matcha latte with oat",
    ),
    "retail_clothing": (
        "slim fit jeans, size M",
        "linen shirts, size L",
        "dresses, size 38",
        "chinos, waist 32",
        "knitwear, size S",
        "running gear, size M",
    ),
    "hotel": (
        "high floor, quiet room",
        "twin beds, feather-free pillows",
        "late check-out",
        "room near the lift",
        "sea view, king bed",
        "extra towels and a kettle",
    ),
    "restaurant": (
        "table by the window, sparkling water",
        "booth at the back",
        "vegetarian tasting menu",
        "terrace table",
        "no nuts, still water",
        "the corner table",
    ),
    "retail_bank": (
        "branch appointments in the morning",
        "contact by app message",
        "paper statements",
        "calls after 5 pm",
        "English-speaking adviser",
    ),
    "internet_provider": ("evening appointments", "contact by e-mail", "no calls on weekends", "text message updates"),
    "online_shop": (
        "express delivery",
        "parcel locker pick-up",
        "gift wrapping",
        "eco packaging",
        "evening delivery slot",
    ),
}
GENERIC_PREFERENCES = ("contact by e-mail", "morning visits", "the usual", "quiet corner", "text message updates")

TIERS: dict[str, tuple[str, ...]] = {
    "airline": ("Blue", "Silver", "Gold", "Platinum"),
    "hotel": ("Member", "Silver", "Gold", "Platinum"),
}
GENERIC_TIERS = ("Standard", "Silver", "Gold", "VIP")

LOCATIONS: dict[str, tuple[str, ...]] = {
    "airline": ("CPH", "ARN", "OSL", "LHR", "FRA", "JFK"),
    "hotel": ("Copenhagen Harbour", "Stockholm Central", "Oslo Fjord", "London Kings Cross"),
    "online_shop": ("web", "app"),
    "internet_provider": ("North region", "South region", "East region", "West region"),
}
GENERIC_LOCATIONS = ("Downtown", "Central Station", "Riverside Mall", "Old Town", "Harbour Street")
LOCATION_SHARES_HUB = 0.4


def locations(journey: Journey) -> tuple[str, ...]:
    return LOCATIONS.get(journey.name, GENERIC_LOCATIONS)


def location_shares(n: int) -> np.ndarray:
    """The first location is the hub (40%), the rest share the remainder unevenly."""
    if n == 1:
        return np.ones(1)
    rest = np.linspace(1.5, 0.7, n - 1)
    return np.concatenate([[LOCATION_SHARES_HUB], (1 - LOCATION_SHARES_HUB) * rest / rest.sum()])


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def customers(
    journey: Journey, rng: np.random.Generator, n: int, start: pd.Timestamp, today: pd.Timestamp
) -> pd.DataFrame:
    """n customers; nobody's birthday or signup anniversary falls on ``today`` (planted ones are set later)."""
    first = rng.choice(FIRST, size=n)
    last = rng.choice(LAST, size=n)
    ids = [f"C{i + 1:06d}" for i in range(n)]
    names = [f"{f} {s}" for f, s in zip(first, last)]
    emails = [f"{_slug(f)}.{_slug(s)}{rng.integers(1, 999)}@{rng.choice(DOMAINS)}" for f, s in zip(first, last)]
    phones = [
        f"+45 {rng.integers(20, 99)} {rng.integers(10, 99)} {rng.integers(10, 99)} {rng.integers(10, 99)}"
        for _ in range(n)
    ]
    age_days = rng.integers(18 * 365, 80 * 365, size=n)
    birthdays = (today - pd.to_timedelta(age_days, unit="D")).normalize()
    birthdays = pd.DatetimeIndex([_avoid_day(b, today) for b in birthdays])
    tiers_all = TIERS.get(journey.name, GENERIC_TIERS)
    tier = rng.choice(
        tiers_all,
        size=n,
        p=np.array([0.55, 0.25, 0.15, 0.05])[: len(tiers_all)]
        / np.array([0.55, 0.25, 0.15, 0.05])[: len(tiers_all)].sum(),
    )
    prefs = PREFERENCES.get(journey.name, GENERIC_PREFERENCES)
    usual = rng.choice(prefs, size=n)
    # about a third signed up during the window, the rest up to three years before it
    during = rng.random(n) < 0.35
    offset = np.where(during, rng.integers(0, max((today - start).days, 1), size=n), -rng.integers(1, 3 * 365, size=n))
    signup = (start + pd.to_timedelta(offset, unit="D")).normalize()
    signup = pd.DatetimeIndex([_avoid_day(s, today, anniversary=True) for s in signup])
    value = np.round(rng.lognormal(mean=6.0, sigma=0.8, size=n), 2)
    home = rng.choice(locations(journey), size=n, p=location_shares(len(locations(journey))))
    return pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "email": emails,
            "phone": phones,
            "birthday": birthdays.date,
            "tier": tier,
            "signup_date": signup.date,
            "usual_order": usual,
            "customer_value": value,
            "home_location": home,
        }
    )


def _avoid_day(day: pd.Timestamp, today: pd.Timestamp, *, anniversary: bool = False) -> pd.Timestamp:
    """Move a date off today's month-day (and off today itself for signups)."""
    if (day.month, day.day) == (today.month, today.day) or (anniversary and day >= today):
        day = day - pd.Timedelta(days=1 if day < today else (day - today).days + 1)
    return day
