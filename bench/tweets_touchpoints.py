"""How the negative reasons of Tweets.csv map onto the airline template's touchpoints.

Crowd workers gave each negative tweet one reason. Most reasons name one touchpoint of
`carlzon/journeys/airline.yaml`; those are mapped here. Left out of the touchpoint figures:
  * "Can't Tell"  - no reason could be read from the tweet;
  * "Bad Flight"  - the in-flight experience as a whole (seat, food, cleanliness, crew,
                    entertainment, turbulence...): not one touchpoint, so no fair single label.

What the crowd's reasons cover, measured once with word searches on the tweets (so the
per-touchpoint figures can be read in context; nothing here is tuned to them):
  * "Flight Attendant Complaints": staff in general. About 28% of these tweets name on-board
    crew (attendant, crew, pilot, FA); about 42% name a ground agent, staff, the gate or a counter.
    A rude gate agent is `gate` in the template, so cabin_crew recall is capped low.
  * "longlines": any waiting at the airport. About 15% name check-in (desk, counter, kiosk,
    ticketing); about half name the gate, bags, boarding, security or the plane.
  * "Late Flight" and "Cancelled Flight": the template splits a late departure
    (delays_cancellations) from a late landing or a missed connection (arrival).
  * "Customer Service Issue" vs "Late Flight" vs "Flight Booking Problems": a tweet about two
    hours on hold to rebook a cancelled flight gets any of the three.
bench/detect.py prints, beside carlzon's figures, a TF-IDF + logistic regression trained on these
very labels (5-fold CV, a guess for every tweet): about macro-F1 0.57, a ceiling set by the labels.
"""

REASON_TO_TOUCHPOINT = {
    "Late Flight": "delays_cancellations",
    "Cancelled Flight": "delays_cancellations",
    "Lost Luggage": "baggage_claim",  # bags that did not arrive are reported at baggage claim
    "Damaged Luggage": "baggage_claim",
    "Customer Service Issue": "complaint_handling",  # calls, hold times, agents, replies
    "Flight Booking Problems": "online_booking",  # booking, changing, paying for flights
    "Flight Attendant Complaints": "cabin_crew",
    "longlines": "check_in",  # queues at the airport: check-in and bag drop
}
EXCLUDED = ("Can't Tell", "Bad Flight")
