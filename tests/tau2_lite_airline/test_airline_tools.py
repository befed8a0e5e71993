"""Every airline tool on a small database in τ²-bench's schema: results, DB effects and the
reference's failure texts (a failing call returns `Error: <message>` with error true and
changes nothing). Parity with the reference's own airline data was not checked (not available)."""
from __future__ import annotations

import copy
import json

from airline_data import BOOKING, DAY
from envs.tau2_lite.evaluator import grade
from envs.tau2_lite.replay import replay_gold
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.types import Termination


def call(rt: Runtime, name: str, **arguments):
    return rt.respond(ToolCall("c", name, arguments))


def fails(rt: Runtime, name: str, message: str, **arguments) -> None:
    before = rt.db.hash()
    reply = call(rt, name, **arguments)
    assert (reply.error, reply.content) == (True, f"Error: {message}"), reply.content
    assert rt.db.hash() == before, f"{name} changed the DB although it failed"


def test_tool_list_and_reads(airline) -> None:
    assert [s["function"]["name"] for s in airline.toolkit_class.schemas()] == [
        "book_reservation", "calculate", "cancel_reservation", "get_reservation_details", "get_user_details",
        "list_all_airports", "search_direct_flight", "search_onestop_flight", "send_certificate",
        "transfer_to_human_agents", "update_reservation_baggages", "update_reservation_flights",
        "update_reservation_passengers", "get_flight_status"]
    rt = Runtime(airline)
    user = json.loads(call(rt, "get_user_details", user_id="mia_li_1").content)
    assert list(user) == ["user_id", "name", "address", "email", "dob", "payment_methods", "saved_passengers",
                          "membership", "reservations"]
    assert user["payment_methods"]["gift_card_1"] == {"source": "gift_card", "id": "gift_card_1", "amount": 300.0}
    res = json.loads(call(rt, "get_reservation_details", reservation_id="ABC123").content)
    assert res["status"] is None and res["flights"][0] == {"flight_number": "HAT001", "origin": "JFK",
                                                           "destination": "ORD", "date": DAY, "price": 200}
    airports = json.loads(call(rt, "list_all_airports").content)
    assert len(airports) == 20 and airports[0] == {"iata": "SFO", "city": "San Francisco"}
    assert call(rt, "get_flight_status", flight_number="HAT001", date="2024-05-10").content == "landed"
    assert call(rt, "get_flight_status", flight_number="HAT005", date=DAY).content == "delayed"
    assert call(rt, "transfer_to_human_agents", summary="wants a human").content == "Transfer successful"
    assert call(rt, "calculate", expression="(200 + 250) * 2 / 3").content == "300.0"
    fails(rt, "calculate", "Invalid characters in expression", expression="__import__('os')")
    fails(rt, "get_user_details", "User nobody not found", user_id="nobody")
    fails(rt, "get_reservation_details", "Reservation ZZZ999 not found", reservation_id="ZZZ999")
    fails(rt, "get_flight_status", "Flight HAT999 not found", flight_number="HAT999", date=DAY)
    fails(rt, "get_flight_status", "Flight HAT001 not found on date 2024-06-01", flight_number="HAT001",
          date="2024-06-01")


def test_searches(airline) -> None:
    rt = Runtime(airline)
    direct = json.loads(call(rt, "search_direct_flight", origin="JFK", destination="ORD", date=DAY).content)
    assert direct == [{"flight_number": "HAT001", "origin": "JFK", "destination": "ORD", "status": "available",
                       "scheduled_departure_time_est": "06:00:00", "scheduled_arrival_time_est": "08:00:00",
                       "date": None, "available_seats": {"business": 2, "economy": 5, "basic_economy": 0},
                       "prices": {"business": 500, "economy": 200, "basic_economy": 100}}]
    assert json.loads(call(rt, "search_direct_flight", origin="JFK", destination="ORD", date="2024-05-21").content) == []
    onestop = json.loads(call(rt, "search_onestop_flight", origin="JFK", destination="LAX", date=DAY).content)
    # HAT003 leaves ORD before HAT001 lands: only HAT001 + HAT002 connect.
    assert [[a["flight_number"], b["flight_number"], a["date"], b["date"]] for a, b in onestop] == [
        ["HAT001", "HAT002", DAY, DAY]]
    overnight = json.loads(call(rt, "search_onestop_flight", origin="JFK", destination="SFO", date=DAY).content)
    assert [[a["flight_number"], b["flight_number"], b["date"]] for a, b in overnight] == [
        ["HAT004", "HAT005", "2024-05-21"]]


def test_book_reservation_and_its_failures(airline) -> None:
    rt = Runtime(airline)
    for change, message in (
        ({"user_id": "nobody"}, "User nobody not found"),
        ({"flights": [{"flight_number": "HAT001", "date": "2024-05-10"}]}, "Flight HAT001 not available on date 2024-05-10"),
        ({"flights": [{"flight_number": "HAT009", "date": DAY}]}, "Flight HAT009 not found"),
        ({"cabin": "basic_economy"}, "Not enough seats on flight HAT001"),
        ({"payment_methods": [{"payment_id": "gift_card_9", "amount": 1010}]}, "Payment method gift_card_9 not found"),
        ({"payment_methods": [{"payment_id": "certificate_1", "amount": 1010}]},
         "Not enough balance in payment method certificate_1"),
        ({"payment_methods": [{"payment_id": "credit_card_1", "amount": 1000}]},
         "Payment amount does not add up, total price is 1010, but paid 1000"),
    ):
        fails(rt, "book_reservation", message, **{**copy.deepcopy(BOOKING), **change})
    booked = json.loads(call(rt, "book_reservation", **copy.deepcopy(BOOKING)).content)
    assert booked["reservation_id"] == "HATHAT" and booked["created_at"] == "2024-05-15T15:00:00"
    assert [f["price"] for f in booked["flights"]] == [200, 250] and booked["status"] is None
    assert booked["payment_history"] == BOOKING["payment_methods"]
    user = json.loads(call(rt, "get_user_details", user_id="mia_li_1").content)
    assert user["payment_methods"]["gift_card_1"]["amount"] == 0.0 and user["reservations"] == ["ABC123", "HATHAT"]
    seats = json.loads(call(rt, "search_direct_flight", origin="JFK", destination="ORD", date=DAY).content)
    assert seats[0]["available_seats"]["economy"] == 3
    # A certificate is used up whole; ids run out after three bookings.
    cheap = {**copy.deepcopy(BOOKING), "flights": [{"flight_number": "HAT003", "date": DAY}], "origin": "ORD",
             "passengers": BOOKING["passengers"][:1], "insurance": "no", "nonfree_baggages": 0,
             "payment_methods": [{"payment_id": "certificate_1", "amount": 100}, {"payment_id": "credit_card_1", "amount": 50}]}
    assert json.loads(call(rt, "book_reservation", **cheap).content)["reservation_id"] == "HATHAU"
    assert "certificate_1" not in json.loads(call(rt, "get_user_details", user_id="mia_li_1").content)["payment_methods"]
    cheap["payment_methods"] = [{"payment_id": "credit_card_1", "amount": 150}]
    assert json.loads(call(rt, "book_reservation", **cheap).content)["reservation_id"] == "HATHAV"
    fails(rt, "book_reservation", "Too many reservations", **cheap)


def test_cancel_certificates_and_updates(airline) -> None:
    rt = Runtime(airline)
    cancelled = json.loads(call(rt, "cancel_reservation", reservation_id="ABC123").content)
    assert cancelled["status"] == "cancelled"
    assert cancelled["payment_history"] == [{"payment_id": "credit_card_1", "amount": 200},
                                            {"payment_id": "credit_card_1", "amount": -200}]
    seats = json.loads(call(rt, "search_direct_flight", origin="JFK", destination="ORD", date=DAY).content)
    assert seats[0]["available_seats"]["economy"] == 5          # the reference releases no seats
    fails(rt, "cancel_reservation", "Reservation NOPE not found", reservation_id="NOPE")
    texts = [call(rt, "send_certificate", user_id="mia_li_1", amount=50).content for _ in range(3)]
    assert texts == [f"Certificate certificate_{n} added to user mia_li_1 with amount 50." for n in (3221322, 3221323, 3221324)]
    fails(rt, "send_certificate", "Too many certificates", user_id="mia_li_1", amount=50)
    fails(rt, "send_certificate", "User nobody not found", user_id="nobody", amount=50)

    rt = Runtime(airline)
    fails(rt, "update_reservation_baggages", "Certificate cannot be used to update reservation",
          reservation_id="ABC123", total_baggages=3, nonfree_baggages=2, payment_id="certificate_1")
    fails(rt, "update_reservation_baggages", "Payment method not found", reservation_id="ABC123",
          total_baggages=3, nonfree_baggages=2, payment_id="paypal_1")
    fails(rt, "update_reservation_baggages", "Gift card balance is not enough", reservation_id="ABC123",
          total_baggages=9, nonfree_baggages=8, payment_id="gift_card_1")
    bags = json.loads(call(rt, "update_reservation_baggages", reservation_id="ABC123", total_baggages=3,
                           nonfree_baggages=2, payment_id="gift_card_1").content)
    assert (bags["total_baggages"], bags["nonfree_baggages"]) == (3, 2)
    assert bags["payment_history"][-1] == {"payment_id": "gift_card_1", "amount": 100}
    free = json.loads(call(rt, "update_reservation_baggages", reservation_id="ABC123", total_baggages=1,
                           nonfree_baggages=0, payment_id="credit_card_1").content)
    assert len(free["payment_history"]) == 2                   # nothing owed: no payment recorded

    fails(rt, "update_reservation_passengers", "Number of passengers does not match", reservation_id="ABC123",
          passengers=BOOKING["passengers"])
    renamed = json.loads(call(rt, "update_reservation_passengers", reservation_id="ABC123",
                              passengers=[{"first_name": "Mia", "last_name": "Lee", "dob": "1990-04-05"}]).content)
    assert renamed["passengers"] == [{"first_name": "Mia", "last_name": "Lee", "dob": "1990-04-05"}]

    fails(rt, "update_reservation_flights", "Flight HAT001 not available on date 2024-05-21", reservation_id="ABC123",
          cabin="economy", flights=[{"flight_number": "HAT001", "date": "2024-05-21"}], payment_id="credit_card_1")
    fails(rt, "update_reservation_flights", "Not enough seats on flight HAT001", reservation_id="ABC123",
          cabin="basic_economy", flights=[{"flight_number": "HAT001", "date": DAY}], payment_id="credit_card_1")
    upgraded = json.loads(call(rt, "update_reservation_flights", reservation_id="ABC123", cabin="business",
                               flights=[{"flight_number": "HAT001", "date": DAY}], payment_id="credit_card_1").content)
    assert upgraded["cabin"] == "business" and upgraded["flights"][0]["price"] == 500
    assert upgraded["payment_history"][-1] == {"payment_id": "credit_card_1", "amount": 300}
    seats = json.loads(call(rt, "search_direct_flight", origin="JFK", destination="ORD", date=DAY).content)
    assert seats[0]["available_seats"]["business"] == 2        # changes do not update seat counts


def test_tasks_splits_replay_and_grading(airline) -> None:
    assert airline.split_of("0") == "train" and airline.split_of("1") == "test"
    assert airline.policy().startswith("# Airline Agent Policy")
    for task in airline.tasks.values():
        replay = replay_gold(airline, task)
        assert not replay.failed, replay.failed
        conv = []
        for action, result in zip(task.gold_actions, replay.results):
            conv += [{"role": "assistant", "content": None, "tool_calls": [
                {"id": action.action_id, "name": action.name, "arguments": action.arguments}]}, result.as_message()]
        conv.append({"role": "assistant", "content": "Done: a certificate of 50 dollars was sent."})
        assert grade(airline, task, conv, Termination.AGENT_DONE).reward == 1.0, task.id
        assert grade(airline, task, conv[:-3], Termination.AGENT_DONE).reward == 0.0, task.id


def test_oracle_episode_through_the_gymnasium_env(airline_dir) -> None:
    import gymnasium as gym

    for task_id in ("0", "1"):
        env = gym.make("tau2-lite/airline", task_id=task_id, data_dir=str(airline_dir), disable_env_checker=True)
        env.reset()
        reward, done = 0.0, False
        for action in env.unwrapped.reference_solution():
            _, reward, done, truncated, info = env.step(json.dumps(action))
            if done or truncated:
                break
        assert done and reward == 1.0, (task_id, info.get("evaluation"))
