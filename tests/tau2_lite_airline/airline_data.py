"""A small airline data folder in τ²-bench's schema (the reference's airline data is not
available here): one user, one reservation, flights in every status, two tasks."""
from __future__ import annotations

from typing import Any

DAY = "2024-05-20"


def _available(seats: tuple[int, int, int], prices: tuple[int, int, int]) -> dict[str, Any]:
    cabins = ("business", "economy", "basic_economy")
    return {"status": "available", "available_seats": dict(zip(cabins, seats)), "prices": dict(zip(cabins, prices))}


def _flight(number: str, origin: str, dest: str, dep: str, arr: str, dates: dict[str, Any]) -> dict[str, Any]:
    return {"flight_number": number, "origin": origin, "destination": dest, "scheduled_departure_time_est": dep,
            "scheduled_arrival_time_est": arr, "dates": dates}


DB: dict[str, Any] = {
    "flights": {
        "HAT001": _flight("HAT001", "JFK", "ORD", "06:00:00", "08:00:00", {
            DAY: _available((2, 5, 0), (500, 200, 100)),
            "2024-05-10": {"status": "landed", "actual_departure_time_est": "2024-05-10T06:02:00",
                           "actual_arrival_time_est": "2024-05-10T07:55:00"},
            "2024-05-21": {"status": "cancelled"}}),
        "HAT002": _flight("HAT002", "ORD", "LAX", "09:00:00", "11:30:00", {DAY: _available((1, 3, 2), (600, 250, 120))}),
        "HAT003": _flight("HAT003", "ORD", "LAX", "07:00:00", "09:30:00", {DAY: _available((4, 4, 4), (400, 150, 90))}),
        "HAT004": _flight("HAT004", "JFK", "LAX", "23:00:00", "02:00:00+1", {DAY: _available((3, 3, 3), (700, 300, 150))}),
        "HAT005": _flight("HAT005", "LAX", "SFO", "05:00:00", "06:30:00", {
            "2024-05-21": _available((3, 3, 3), (300, 100, 60)),
            DAY: {"status": "delayed", "estimated_departure_time_est": "2024-05-20T07:00:00",
                  "estimated_arrival_time_est": "2024-05-20T08:30:00"}}),
    },
    "users": {
        "mia_li_1": {
            "user_id": "mia_li_1", "name": {"first_name": "Mia", "last_name": "Li"},
            "address": {"address1": "1 Main St", "address2": "Apt 2", "city": "Austin", "country": "USA",
                        "state": "TX", "zip": "78701"},
            "email": "mia@example.com", "dob": "1990-04-05",
            "payment_methods": {
                "credit_card_1": {"source": "credit_card", "id": "credit_card_1", "brand": "visa", "last_four": "1234"},
                "gift_card_1": {"source": "gift_card", "id": "gift_card_1", "amount": 300.0},
                "certificate_1": {"source": "certificate", "id": "certificate_1", "amount": 100.0}},
            "saved_passengers": [{"first_name": "Ann", "last_name": "Li", "dob": "2015-01-01"}],
            "membership": "gold", "reservations": ["ABC123"]},
    },
    "reservations": {
        "ABC123": {
            "reservation_id": "ABC123", "user_id": "mia_li_1", "origin": "JFK", "destination": "ORD",
            "flight_type": "one_way", "cabin": "economy",
            "flights": [{"flight_number": "HAT001", "origin": "JFK", "destination": "ORD", "date": DAY, "price": 200}],
            "passengers": [{"first_name": "Mia", "last_name": "Li", "dob": "1990-04-05"}],
            "payment_history": [{"payment_id": "credit_card_1", "amount": 200}],
            "created_at": "2024-05-01T10:00:00", "total_baggages": 1, "nonfree_baggages": 0, "insurance": "no"},
    },
}

BOOKING = {"user_id": "mia_li_1", "origin": "JFK", "destination": "LAX", "flight_type": "one_way",
           "cabin": "economy", "flights": [{"flight_number": "HAT001", "date": DAY},
                                           {"flight_number": "HAT002", "date": DAY}],
           "passengers": [{"first_name": "Mia", "last_name": "Li", "dob": "1990-04-05"},
                          {"first_name": "Ann", "last_name": "Li", "dob": "2015-01-01"}],
           "payment_methods": [{"payment_id": "gift_card_1", "amount": 300}, {"payment_id": "credit_card_1", "amount": 710}],
           "total_baggages": 2, "nonfree_baggages": 1, "insurance": "yes"}

TASKS = [
    {"id": "0", "user_scenario": {"instructions": {"domain": "airline", "reason_for_call": "Book JFK to LAX.",
                                                   "task_instructions": "Pay with the gift card first."}},
     "evaluation_criteria": {"actions": [
         {"action_id": "0_0", "name": "get_user_details", "arguments": {"user_id": "mia_li_1"}},
         {"action_id": "0_1", "name": "book_reservation", "arguments": BOOKING}],
         "communicate_info": [], "reward_basis": ["DB", "COMMUNICATE"]}},
    {"id": "1", "user_scenario": {"instructions": "Cancel reservation ABC123 and ask for a certificate."},
     "evaluation_criteria": {"actions": [
         {"action_id": "1_0", "name": "cancel_reservation", "arguments": {"reservation_id": "ABC123"}},
         {"action_id": "1_1", "name": "send_certificate", "arguments": {"user_id": "mia_li_1", "amount": 50}}],
         "communicate_info": ["50"], "reward_basis": ["DB", "COMMUNICATE"]}},
]

