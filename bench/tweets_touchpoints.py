"""How the negative reasons of Tweets.csv map onto the airline template's touchpoints.

Crowd workers gave each negative tweet one reason. Most reasons name one touchpoint of
`carlzon/journeys/airline.yaml`; those are mapped here. Left out of the touchpoint figures:
  * "Can't Tell"  - no reason could be read from the tweet;
  * "Bad Flight"  - the in-flight experience as a whole (seat, food, cleanliness, crew,
                    entertainment, turbulence...): not one touchpoint, so no fair single label.
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
