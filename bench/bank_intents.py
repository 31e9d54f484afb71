"""A labelled set of retail-bank customer messages (intent tags), written for this project.

Written by the carlzon developers in the style of public banking intent sets (short chat and
app messages to a bank, each tagged with the reason the customer wrote), without copying from
any of them. Each intent has hand-written messages with a few slots ({amount}, {shop}, {days}
...) filled in turn, and some openers and sign-offs, so that one message gives several
variants; the benchmark splits by message (all variants of a message on one side), so that a
model is never tested on a variant of a text it was trained on.

The tags are the company's own (as a help desk would name them), not touchpoint ids; `TAG_MAP`
maps them onto the `retail_bank` template, as a company would with `--touchpoint-map`.

    python bench/bank_intents.py out.csv   # writes text,intent,group
"""

from __future__ import annotations

import csv
import itertools
import sys

TAG_MAP = {
    "card_arrival": "lost_stolen_card",
    "lost_or_stolen_card": "lost_stolen_card",
    "card_not_working": "card_payments",
    "declined_card_payment": "card_payments",
    "cash_withdrawal_problem": "card_payments",
    "unrecognised_payment": "fraud",
    "transfer_not_received": "transfers",
    "pending_transfer": "transfers",
    "exchange_rate_and_fees": "fees",
    "extra_charge": "fees",
    "cannot_log_in": "account_access",
    "app_problem": "mobile_app",
    "verify_identity": "account_opening",
    "loan_or_mortgage": "loans_mortgages",
    "close_account": "closing_account",
    "statement_or_balance": "statements",
    "waiting_on_phone": "phone_support",
    "branch_visit": "branch",
    "complaint": "complaint_handling",
}

SLOTS = {
    "amount": ["£40", "$120", "€15.99", "250 euros", "£1,200", "$8"],
    "shop": [
        "the supermarket",
        "a petrol station",
        "Amazon",
        "a restaurant in Lisbon",
        "the pharmacy",
        "an online shop",
    ],
    "days": ["3 days", "a week", "two weeks", "5 working days", "10 days"],
    "country": ["Spain", "the US", "Poland", "India", "Germany"],
}
OPEN = ["", "Hi, ", "Hello, ", "hey ", "Good morning. "]
CLOSE = ["", " Please help.", " Thanks", " what do I do?", " Can someone look at this asap"]

MESSAGES: dict[str, list[str]] = {
    "card_arrival": [
        "I ordered a new card {days} ago and it still hasn't come",
        "When will my replacement card be delivered?",
        "my new card never arrived in the post",
        "Where are cards delivered? I moved house recently",
        "how long does it take for the card to get here",
        "the card you sent me didn't turn up, it's been {days}",
        "Can I track the delivery of my card?",
        "still waiting for the card to arrive, do I need to order another",
    ],
    "lost_or_stolen_card": [
        "I think I left my card in a taxi, can you freeze it",
        "my wallet was stolen last night with my debit card in it",
        "Lost my card somewhere in town, please block it",
        "someone took my bag and my cards were in it",
        "I can't find my card anywhere, how do I cancel it",
        "My card was pickpocketed on the train",
        "I need to report a missing card and get a new one",
        "dropped my card at a bar, it's gone",
    ],
    "card_not_working": [
        "My card stopped working this morning",
        "the chip on my card seems broken, terminals won't read it",
        "contactless isn't working on my card anymore",
        "Why does my card not work in {country}?",
        "card is bent and the machine rejects it",
        "the magnetic strip on my card is damaged",
        "I activated my card but it still doesn't work",
        "my card works online but not in shops",
    ],
    "declined_card_payment": [
        "my payment at {shop} was declined even though I have money",
        "Why was my card declined for {amount}?",
        "the card keeps getting refused at {shop}",
        "tried to pay {amount} and it said transaction declined",
        "card got rejected at the till, so embarrassing",
        "my online purchase failed, the card was not accepted",
        "payment declined again at {shop}, what is going on",
        "I was declined paying for fuel today",
    ],
    "cash_withdrawal_problem": [
        "the ATM didn't give me my cash but took {amount} from my account",
        "I withdrew {amount} and the machine gave me less",
        "cash machine swallowed my card",
        "Can I take out cash abroad in {country}?",
        "the withdrawal shows twice on my account",
        "atm said error but the money left my balance",
        "what is my daily cash withdrawal limit",
        "I got charged for taking cash out at an atm",
    ],
    "unrecognised_payment": [
        "I found an unauthorized card payment",
        "there is a payment of {amount} to {shop} I didn't make",
        "I don't recognise a transaction on my statement",
        "someone used my card to buy things online",
        "there are charges from {country} and I have never been there",
        "a direct debit I never set up took {amount}",
        "I think my account has been hacked, money is gone",
        "strange payments keep appearing, I did not authorise them",
    ],
    "transfer_not_received": [
        "I sent {amount} to my friend and she hasn't received it",
        "the money I transferred {days} ago has not arrived",
        "my salary transfer hasn't come through",
        "Why hasn't my transfer from {country} reached my account?",
        "the person I paid says nothing arrived",
        "bank transfer missing, the payee can't see it",
        "I moved money between my accounts and it vanished",
        "sent a payment to the wrong account, how do I get it back",
    ],
    "pending_transfer": [
        "my transfer has been pending for {days}",
        "how long does an international transfer take",
        "Is there a way to speed up a payment that's still processing?",
        "the transfer still says pending, is that normal",
        "Can I cancel a transfer I just made?",
        "When will my SWIFT transfer to {country} be completed?",
        "payment stuck on processing since yesterday",
        "how long until a standing order goes through",
    ],
    "exchange_rate_and_fees": [
        "Is there a fee for sending money abroad?",
        "what exchange rate do you use for {country}",
        "why was I charged a foreign transaction fee",
        "the rate I got was much worse than the market rate",
        "Do you charge for card payments in {country}?",
        "how much does it cost to exchange currency",
        "Can I accept a payment in dollars without a fee?",
        "the conversion cost me way more than expected",
    ],
    "extra_charge": [
        "I was charged twice for the same purchase at {shop}",
        "there's an extra {amount} charge on my account I don't understand",
        "why did you take a monthly fee when my account is free",
        "I was charged {amount} for an overdraft I didn't use",
        "you took a penalty charge without telling me",
        "please refund the fee you charged me by mistake",
        "hidden charges on my account again",
        "what is this {amount} service charge",
    ],
    "cannot_log_in": [
        "I can't log in to my account",
        "forgot my password and the reset link doesn't work",
        "my account is locked after too many attempts",
        "the one time code never arrives so I can't sign in",
        "it says my login details are wrong but they're not",
        "I changed phones and now I can't get into online banking",
        "how do I reset my passcode",
        "keeps logging me out every few seconds",
    ],
    "app_problem": [
        "the app keeps crashing when I open it",
        "your app won't load since the last update",
        "the app is so slow, takes ages to show anything",
        "notifications from the app stopped working",
        "I can't find where to change my address in the app",
        "app shows a blank screen on my iphone",
        "the new version of the app is confusing",
        "Face ID doesn't work in the app anymore",
    ],
    "verify_identity": [
        "how do I verify my identity",
        "my ID verification was rejected, why",
        "what documents do you need to open an account",
        "the selfie check keeps failing",
        "I uploaded my passport {days} ago and I'm still not verified",
        "Can I open an account if I'm not a resident?",
        "why do you need proof of address",
        "stuck on the verification step when signing up",
    ],
    "loan_or_mortgage": [
        "I applied for a loan {days} ago and heard nothing",
        "Can I get a mortgage if I'm self employed?",
        "why was my loan application rejected",
        "what interest rate would I pay on a personal loan",
        "I want to pay off my loan early, is there a penalty",
        "how much can I borrow for a house",
        "my mortgage valuation came back low, what now",
        "Can I increase my credit limit?",
    ],
    "close_account": [
        "I want to close my account",
        "how do I close my savings account",
        "please shut my account down, I'm moving to another bank",
        "Can I close my account online?",
        "I'm leaving, transfer my balance and close everything",
        "what happens to my money if I close the account",
        "cancel my account please, I've had enough",
        "how long does it take to close a joint account",
    ],
    "statement_or_balance": [
        "where can I download my statement",
        "my balance looks wrong",
        "I need a statement for the last 3 months for my landlord",
        "Can I get paper statements sent to me?",
        "why doesn't my balance include yesterday's deposit",
        "how do I see my transaction history for last year",
        "the available balance and the actual balance are different",
        "I need a bank letter showing my balance",
    ],
    "waiting_on_phone": [
        "I've been on hold for 40 minutes",
        "nobody answers the phone at your call centre",
        "the chat bot is useless, I want to speak to a person",
        "I called three times and got cut off each time",
        "Can I speak to an advisor?",
        "what number do I call to talk to someone",
        "waited an hour in the live chat queue",
        "your helpline keeps transferring me to different departments",
    ],
    "branch_visit": [
        "what time does the branch open on Saturday",
        "Can I pay in a cheque at the branch?",
        "the queue at the branch was out the door",
        "why did you close my local branch",
        "do I need an appointment to see someone in branch",
        "the teller was really helpful today",
        "is there a branch near the train station",
        "I went in to deposit cash and the counter was closed",
    ],
    "complaint": [
        "I want to make a formal complaint",
        "my complaint from {days} ago still has no answer",
        "how do I escalate this, nobody is helping",
        "I'm taking this to the ombudsman",
        "I was promised compensation and never got it",
        "who do I complain to about how I was treated",
        "you closed my complaint without fixing anything",
        "I'd like a written response to my complaint",
    ],
}


def rows() -> list[tuple[str, str, str]]:
    """(text, intent, group): every message with up to 3 slot fillings, each with an opener and sign-off."""
    out = []
    k = 0
    for intent, msgs in MESSAGES.items():
        for j, m in enumerate(msgs):
            names = [n for n in SLOTS if "{" + n + "}" in m]
            fills = (
                [
                    dict(zip(names, vals))
                    for vals in itertools.islice(zip(*(SLOTS[n][j % 3 :] + SLOTS[n][: j % 3] for n in names)), 3)
                ]
                if names
                else [{}]
            )
            for v, fill in enumerate(fills * (3 if not names else 1)):
                body, end = m.format(**fill), CLOSE[(k + 2 * v) % len(CLOSE)]
                if end and body[-1] not in "?!.":
                    body += "."
                text = OPEN[(k + v) % len(OPEN)] + body + end
                out.append((text.strip(), intent, f"{intent}:{j}"))
            k += 1
    return out


if __name__ == "__main__":
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "intent", "group"])
        w.writerows(rows())
