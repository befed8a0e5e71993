"""Seeded generation of the card-services database.

`generate_db(seed)` builds the same DB for the same seed, byte for byte: everything comes from one
`random.Random(seed)` consumed in a fixed order. The domain's canonical DB is
`generate_db(DB_SEED)`; tasks are written against it, and its hash is pinned in the frozen
test set so a change to this module cannot silently change what the test tasks mean.
Names, streets and phone numbers are fictional (555 numbers, example.* mail domains).
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from functools import lru_cache

from envs.tau2_lite.domains.card_services.db import (
    PRODUCT_MAX_LIMIT, Account, Address, Card, CardServicesDB, CreditLimitChange, Customer,
    Dispute, Fee, PaymentRecord, ReplacementOrder, Transaction, TravelNotice,
)

DB_SEED = 20260316
N_CUSTOMERS = 200
TODAY = date(2026, 3, 16)          # the date the generated DB describes ("now" for the tools)

FIRST = ("Ava Liam Noah Emma Olivia Mateo Sofia Ethan Mia Lucas Amara Kenji Priya Omar Lena Diego "
         "Chloe Yusuf Hana Marco Ingrid Tariq Nadia Felix Rosa Arjun Zoe Malik Elena Tomás Aisha Ivan "
         "Grace Kofi Leila Samuel Mei Rafael Hugo Julia").split()
LAST = ("Garcia Kim Patel Nguyen Smith Rossi Okafor Silva Müller Johansson Haddad Tanaka Cohen Novak "
        "Dubois Mensah Kowalski Ortiz Brennan Lindqvist Sato Ibrahim Moreau Fischer Alvarez Khan "
        "Petrov Walsh Santos Chen").split()
STREETS = ("Maple Ave|Oak St|Cedar Ln|Pine Rd|Elm St|Lakeview Dr|Harbor Way|Sunset Blvd|Ridge Rd|"
           "Willow Ct|Park Pl|Mill St|Birch Way|Hillcrest Ave|River Rd").split("|")
CITIES = (("Chicago", "IL", "606"), ("Austin", "TX", "787"), ("Denver", "CO", "802"),
          ("Portland", "OR", "972"), ("Atlanta", "GA", "303"), ("Boston", "MA", "021"),
          ("Phoenix", "AZ", "850"), ("Seattle", "WA", "981"), ("Columbus", "OH", "432"),
          ("Raleigh", "NC", "276"))
AREA = {"IL": "312", "TX": "512", "CO": "303", "OR": "503", "GA": "404", "MA": "617", "AZ": "602",
        "WA": "206", "OH": "614", "NC": "919"}
MAIL = ("example.com", "example.net", "example.org")
MERCHANTS: dict[str, tuple[tuple[str, ...], float, float]] = {
    "groceries": (("FreshMart", "Green Basket Market", "CornerGrocer", "Harvest Foods"), 12, 180),
    "restaurants": (("Bella Trattoria", "Sushi Koi", "Burger Barn", "Cafe Lumen", "Taqueria Sol"), 9, 140),
    "travel": (("SkyWays Airlines", "Grand Plaza Hotel", "RailConnect", "CityCab"), 40, 1800),
    "fuel": (("QuickFuel", "Roadside Gas", "PetroPlus"), 25, 95),
    "electronics": (("VoltTech", "PixelHouse", "GadgetWorld"), 30, 3200),
    "clothing": (("Threadline", "UrbanFit", "Denim & Co"), 20, 320),
    "subscriptions": (("StreamMax", "CloudDrive Plus", "NewsDaily", "FitTrack App"), 5, 25),
    "utilities": (("City Power & Light", "AquaWorks", "NetWave Internet"), 40, 220),
    "entertainment": (("Starlight Cinemas", "ArenaTix", "GameVault"), 12, 260),
    "health": (("WellCare Pharmacy", "Bright Smile Dental"), 10, 450),
    "gambling": (("Lucky Star Casino", "BetOnline Sports"), 20, 600),
    "cash_withdrawal": (("ATM Withdrawal",), 20, 400),
}
CATEGORY_WEIGHTS = {"groceries": 18, "restaurants": 16, "travel": 5, "fuel": 8, "electronics": 5,
                    "clothing": 7, "subscriptions": 9, "utilities": 6, "entertainment": 6,
                    "health": 4, "gambling": 2, "cash_withdrawal": 6}
FOREIGN = ("Mexico", "Canada", "France", "Japan", "Italy", "United Kingdom", "Spain")
BIN = {"classic": "453998", "gold": "455672", "platinum": "491734"}
ATM_LIMIT = {"classic": 500, "gold": 1000, "platinum": 2000}


def _d(day: date) -> str:
    return day.isoformat()


def luhn_complete(prefix15: str) -> str:
    """Append the Luhn check digit to a 15-digit prefix."""
    total = 0
    for i, ch in enumerate(reversed(prefix15)):
        n = int(ch)
        if i % 2 == 0:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return prefix15 + str((10 - total % 10) % 10)


class _Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.db = CardServicesDB()
        self.used: set[str] = set()

    def uid(self, prefix: str, width: int = 6) -> str:
        while True:
            value = f"{prefix}_{self.rng.getrandbits(4 * width):0{width}x}"
            if value not in self.used:
                self.used.add(value)
                return value

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def customer(self) -> Customer:
        r = self.rng
        first, last = r.choice(FIRST), r.choice(LAST)
        city, state, zip3 = r.choice(CITIES)
        while True:
            phone = f"{AREA[state]}-555-{r.randint(100, 9999):04d}"
            email = f"{first.lower()}.{last.lower()}{r.randint(1, 99)}@{r.choice(MAIL)}"
            email = email.replace("ü", "u").replace("á", "a")
            if phone not in self.used and email not in self.used:
                self.used.update((phone, email))
                break
        dob = self.day_between(date(1950, 1, 1), date(2004, 12, 31))
        adult = date(dob.year + 18, dob.month, 28 if (dob.month, dob.day) == (2, 29) else dob.day)
        since = self.day_between(max(date(2010, 1, 1), adult), TODAY - timedelta(days=60))
        address = Address(line1=f"{r.randint(10, 9899)} {r.choice(STREETS)}", city=city, state=state,
                          zip=f"{zip3}{r.randint(0, 99):02d}")
        return Customer(customer_id=self.uid("cus"), first_name=first, last_name=last, email=email,
                        phone=phone, date_of_birth=_d(dob), address=address, customer_since=_d(since))

    def account(self, cust: Customer) -> Account:
        r = self.rng
        product = r.choices(("classic", "gold", "platinum"), (5, 3, 2))[0]
        # A fifth of the accounts are young (under a year), so tenure rules bite.
        young = r.random() < 0.2
        since = date.fromisoformat(cust.customer_since)
        if young:
            opened = self.day_between(max(since, TODAY - timedelta(days=330)), TODAY - timedelta(days=45))
        else:
            opened = self.day_between(since, max(since, TODAY - timedelta(days=365)))
        top = PRODUCT_MAX_LIMIT[product]
        limit = r.choice([top] if r.random() < 0.15 else list(range(max(1000, top // 5), top, 500)))
        balance = round(r.uniform(0, 0.85) * limit, 2)
        months = min(12, (TODAY - opened).days // 30)
        profile = r.choices(("good", "late", "missed"), (70, 20, 10))[0]
        history = []
        bad_month = r.randrange(months) if months and profile != "good" else -1
        for k in range(months, 0, -1):
            year, month = divmod(TODAY.year * 12 + TODAY.month - 1 - k, 12)
            status = "on_time"
            if months - k == bad_month:
                status = "late" if profile == "late" else "missed"
            history.append(PaymentRecord(statement_month=f"{year}-{month + 1:02d}",
                                         amount_due=round(r.uniform(0.02, 0.3) * limit, 2), status=status))
        changes = []
        if r.random() < 0.3 and (TODAY - opened).days > 200:
            changed = self.day_between(max(opened, TODAY - timedelta(days=700)), TODAY - timedelta(days=20))
            old = max(500, int(limit / r.choice((1.2, 1.25, 1.5)) // 500 * 500))
            changes.append(CreditLimitChange(changed_on=_d(changed), old_limit=old, new_limit=limit))
        missed_recent = any(p.status == "missed" for p in history[-2:])
        return Account(account_id=self.uid("acc"), customer_id=cust.customer_id, product=product,
                       status="delinquent" if missed_recent else "open", opened_on=_d(opened),
                       credit_limit=limit, current_balance=balance, payment_history=history,
                       credit_limit_changes=changes)

    def card(self, acc: Account, cust: Customer, form: str, status: str, issued: date) -> Card:
        r = self.rng
        number = luhn_complete(BIN[acc.product] + "".join(str(r.randrange(10)) for _ in range(9)))
        frozen_by = None
        if status == "frozen":
            frozen_by = "bank" if r.random() < 0.45 else "customer"
        pin = 0 if form == "virtual" or status != "active" else r.choices((0, 1, 2, 3), (64, 8, 8, 20))[0]
        card = Card(card_id=self.uid("card"), account_id=acc.account_id,
                    cardholder_name=f"{cust.first_name} {cust.last_name}".upper(), card_number=number,
                    last4=number[-4:], form=form, status=status, frozen_by=frozen_by,
                    expiry=f"{issued.month:02d}/{(issued.year + 4) % 100:02d}", issued_on=_d(issued),
                    pin_failed_attempts=pin, atm_daily_limit=0 if form == "virtual" else ATM_LIMIT[acc.product])
        self.db.cards[card.card_id] = card
        acc.card_ids.append(card.card_id)
        return card

    def transactions(self, card: Card, acc: Account, since: date) -> None:
        r = self.rng
        cats = list(CATEGORY_WEIGHTS)
        if card.form == "virtual":
            cats = [c for c in cats if c not in ("cash_withdrawal", "fuel")]
        start = max(since, TODAY - timedelta(days=150))
        end = TODAY if card.status in ("active", "frozen") else max(start, TODAY - timedelta(days=30))
        for _ in range(r.randint(8, 18)):
            cat = r.choices(cats, [CATEGORY_WEIGHTS[c] for c in cats])[0]
            names, lo, hi = MERCHANTS[cat]
            amount = round(min(r.uniform(lo, hi), acc.credit_limit * 0.6), 2)
            if cat == "cash_withdrawal":
                amount = float(r.randrange(20, min(card.atm_daily_limit, 400) + 1, 20))
            country = r.choice(FOREIGN) if cat in ("travel", "restaurants") and r.random() < 0.3 else "United States"
            day = self.day_between(start, end)
            self.add_txn(card, day, amount, r.choice(names), cat, country)
        if card.status == "active" and r.random() < 0.3:      # a purchase from yesterday, still pending
            cat = r.choice(("restaurants", "clothing", "entertainment"))
            names, lo, hi = MERCHANTS[cat]
            self.add_txn(card, TODAY - timedelta(days=1), round(r.uniform(lo, hi), 2), r.choice(names), cat,
                         "United States")
        if acc.credit_limit * 0.8 > 2600 and card.status == "active" and r.random() < 0.3:   # a big-ticket purchase
            cat = r.choice(("electronics", "travel"))
            self.add_txn(card, self.day_between(TODAY - timedelta(days=55), TODAY - timedelta(days=3)),
                         round(r.uniform(2600, min(6000, acc.credit_limit * 0.8)), 2), r.choice(MERCHANTS[cat][0]),
                         cat, "United States")
        posted = [self.db.transactions[t] for t in card.transaction_ids
                  if self.db.transactions[t].date <= _d(TODAY - timedelta(days=4))
                  and self.db.transactions[t].category != "cash_withdrawal"]
        if card.status == "active" and posted and r.random() < 0.3:    # a duplicated charge, a day later
            txn = r.choice(posted)
            self.add_txn(card, date.fromisoformat(txn.date) + timedelta(days=1), txn.amount, txn.merchant,
                         txn.category, txn.country)

    def add_txn(self, card: Card, day: date, amount: float, merchant: str, cat: str, country: str) -> None:
        status = "pending" if (TODAY - day).days < 2 else "posted"
        txn = Transaction(transaction_id=self.uid("txn", 8), card_id=card.card_id, date=_d(day), amount=amount,
                          merchant=merchant, category=cat, country=country, status=status)
        self.db.transactions[txn.transaction_id] = txn
        card.transaction_ids.append(txn.transaction_id)
        if country != "United States" and status == "posted":
            self.fee(self.db.accounts[card.account_id], "foreign_transaction", round(amount * 0.03, 2), day,
                     f"Foreign transaction fee ({merchant}, {country})")

    def fee(self, acc: Account, kind: str, amount: float, day: date, description: str) -> Fee:
        fee = Fee(fee_id=self.uid("fee"), account_id=acc.account_id, kind=kind, amount=amount,
                  posted_on=_d(day), description=description)
        self.db.fees[fee.fee_id] = fee
        acc.fee_ids.append(fee.fee_id)
        return fee

    def extras(self, acc: Account) -> None:
        """Fees, past waivers, open disputes and travel notices."""
        r = self.rng
        for p in acc.payment_history:
            if p.status != "on_time":
                y, m = map(int, p.statement_month.split("-"))
                self.fee(acc, "late_payment", 35.0 if p.status == "late" else 40.0, date(y, m, 25),
                         f"Late payment fee (statement {p.statement_month})")
        if acc.product != "classic":
            opened = date.fromisoformat(acc.opened_on)
            leap_day = (opened.month, opened.day) == (2, 29)
            anniversary = date(TODAY.year, 3, 1) if leap_day else opened.replace(year=TODAY.year)
            if anniversary > TODAY:
                anniversary = anniversary.replace(year=TODAY.year - 1)
            if anniversary > opened:
                self.fee(acc, "annual_fee", 95.0 if acc.product == "gold" else 450.0, anniversary,
                         f"Annual membership fee ({acc.product})")
        if r.random() < 0.3:          # a fee waived some time ago (inside or outside 12 months)
            day = self.day_between(max(date.fromisoformat(acc.opened_on), TODAY - timedelta(days=600)),
                                   TODAY - timedelta(days=30))
            fee = self.fee(acc, r.choice(("late_payment", "foreign_transaction")), 35.0 if r.random() < 0.6 else 4.5,
                           day, "Late payment fee" if r.random() < 0.5 else "Foreign transaction fee")
            fee.waived, fee.waived_on = True, _d(day + timedelta(days=r.randint(1, 10)))
        posted = [t for t in self.db.transactions.values()
                  if self.db.cards[t.card_id].account_id == acc.account_id and t.status == "posted"]
        if posted and r.random() < 0.08:
            txn = r.choice(posted)
            dsp = Dispute(dispute_id=self.uid("dsp"), transaction_id=txn.transaction_id, card_id=txn.card_id,
                          reason=r.choice(("not_received", "incorrect_amount")), amount=txn.amount,
                          status="open", filed_on=_d(self.day_between(date.fromisoformat(txn.date), TODAY)))
            txn.dispute_id = dsp.dispute_id
            self.db.disputes[dsp.dispute_id] = dsp
        if r.random() < 0.1:
            start = self.day_between(TODAY - timedelta(days=30), TODAY + timedelta(days=40))
            notice = TravelNotice(notice_id=self.uid("trv"), account_id=acc.account_id,
                                  countries=r.sample(FOREIGN, r.randint(1, 2)), start_date=_d(start),
                                  end_date=_d(start + timedelta(days=r.randint(5, 25))),
                                  created_on=_d(start - timedelta(days=7)))
            self.db.travel_notices[notice.notice_id] = notice
            acc.travel_notice_ids.append(notice.notice_id)

    def cards_for(self, acc: Account, cust: Customer) -> None:
        r = self.rng
        opened = date.fromisoformat(acc.opened_on)
        status = r.choices(("active", "frozen", "lost_and_new"), (74, 18, 8))[0]
        if status == "lost_and_new":
            old = self.card(acc, cust, "physical", r.choice(("lost", "stolen")), opened)
            self.transactions(old, acc, opened)
            lost_on = TODAY - timedelta(days=r.randint(2, 9))
            new = self.card(acc, cust, "physical", "inactive", lost_on)
            order = ReplacementOrder(order_id=self.uid("rpl"), old_card_id=old.card_id, new_card_id=new.card_id,
                                     reason=old.status, shipping_method="standard", shipping_fee=0.0,
                                     ship_to=cust.address.model_copy(), ordered_on=_d(lost_on))
            self.db.replacement_orders[order.order_id] = order
        else:
            issued = self.day_between(max(opened, TODAY - timedelta(days=4 * 365 - 30)), TODAY - timedelta(days=40))
            main = self.card(acc, cust, "physical", status, issued)
            self.transactions(main, acc, opened)
        if r.random() < 0.4:
            virtual = self.card(acc, cust, "virtual", r.choices(("active", "frozen"), (85, 15))[0],
                                self.day_between(opened, TODAY - timedelta(days=30)))
            self.transactions(virtual, acc, date.fromisoformat(virtual.issued_on))


def generate_db(seed: int = DB_SEED, n_customers: int = N_CUSTOMERS) -> CardServicesDB:
    gen = _Gen(seed)
    for _ in range(n_customers):
        cust = gen.customer()
        gen.db.customers[cust.customer_id] = cust
        for _ in range(1 if gen.rng.random() < 0.8 else 2):
            acc = gen.account(cust)
            gen.db.accounts[acc.account_id] = acc
            cust.account_ids.append(acc.account_id)
            gen.cards_for(acc, cust)
            gen.extras(acc)
    for card in gen.db.cards.values():
        card.transaction_ids.sort(key=lambda t: (gen.db.transactions[t].date, t))
    return gen.db


@lru_cache(maxsize=1)
def canonical_db() -> CardServicesDB:
    """The domain's DB (shared, never mutated: tools work on copies made by the framework)."""
    return generate_db(DB_SEED, N_CUSTOMERS)
