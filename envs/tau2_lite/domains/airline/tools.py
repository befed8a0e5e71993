"""τ²-bench's 14 airline tools, with the reference's semantics and error messages.

Descriptions and argument docs follow the reference, so agents see τ²-bench's tool schemas.
Its quirks are kept: ids come from fixed lists (reservations HATHAT, HATHAU, HATHAV;
certificates certificate_3221322…4), "now" is 2024-05-15T15:00:00, cancelling does not
release seats, changing flights does not update seat counts, and a one-stop search computes
the next day as `2024-05-{day + 1}`.
"""
from __future__ import annotations

from copy import deepcopy
from typing import List, Optional

from envs.tau2_lite.domains.airline.models import (
    AirportCode, AirportInfo, CabinClass, Certificate, DirectFlight, Flight, FlightDateStatus,
    FlightDateStatusAvailable, FlightDB, FlightInfo, FlightType, Insurance, Passenger, Payment, Reservation,
    ReservationFlight, User,
)
from envs.tau2_lite.domains.calculator import calculate_expression
from envs.tau2_lite.toolkit import Toolkit, ToolType, tool

NOW = "2024-05-15T15:00:00"
RESERVATION_IDS = ("HATHAT", "HATHAU", "HATHAV")
PAYMENT_IDS = (3221322, 3221323, 3221324)
AIRPORTS = (("SFO", "San Francisco"), ("JFK", "New York"), ("LAX", "Los Angeles"), ("ORD", "Chicago"),
            ("DFW", "Dallas"), ("DEN", "Denver"), ("SEA", "Seattle"), ("ATL", "Atlanta"), ("MIA", "Miami"),
            ("BOS", "Boston"), ("PHX", "Phoenix"), ("IAH", "Houston"), ("LAS", "Las Vegas"), ("MCO", "Orlando"),
            ("EWR", "Newark"), ("CLT", "Charlotte"), ("MSP", "Minneapolis"), ("DTW", "Detroit"),
            ("PHL", "Philadelphia"), ("LGA", "LaGuardia"))


class AirlineTools(Toolkit):
    """All the tools of the airline domain."""

    db: FlightDB

    # -- helpers (not tools); `write=False` reads a shared record without copying it ----------
    def _user(self, user_id: str, write: bool = True) -> User:
        if user_id not in self.db.users:
            raise ValueError(f"User {user_id} not found")
        return self.db.users[user_id] if write else self.db.users.peek(user_id)

    def _reservation(self, reservation_id: str, write: bool = True) -> Reservation:
        if reservation_id not in self.db.reservations:
            raise ValueError(f"Reservation {reservation_id} not found")
        return self.db.reservations[reservation_id] if write else self.db.reservations.peek(reservation_id)

    def _flight(self, flight_number: str, write: bool = True) -> Flight:
        if flight_number not in self.db.flights:
            raise ValueError(f"Flight {flight_number} not found")
        return self.db.flights[flight_number] if write else self.db.flights.peek(flight_number)

    def _flight_on(self, flight_number: str, date: str, write: bool = True) -> FlightDateStatus:
        flight = self._flight(flight_number, write)
        if date not in flight.dates:
            raise ValueError(f"Flight {flight_number} not found on date {date}")
        return flight.dates[date]

    def _direct_flights(self, date: str, origin: Optional[str] = None, destination: Optional[str] = None,
                        leave_after: Optional[str] = None) -> list[DirectFlight]:
        found = []
        for _, flight in self.db.flights.scan():
            day = flight.dates.get(date)
            if ((origin is None or flight.origin == origin)
                    and (destination is None or flight.destination == destination)
                    and day is not None and day.status == "available"
                    and (leave_after is None or flight.scheduled_departure_time_est >= leave_after)):
                found.append(DirectFlight(
                    flight_number=flight.flight_number, origin=flight.origin, destination=flight.destination,
                    status="available", scheduled_departure_time_est=flight.scheduled_departure_time_est,
                    scheduled_arrival_time_est=flight.scheduled_arrival_time_est,
                    available_seats=day.available_seats, prices=day.prices))
        return found

    @staticmethod
    def _charge_for_update(user: User, payment_id: str, total_price: int) -> Optional[Payment]:
        """Check and take the payment of a reservation change; None when nothing is owed."""
        if payment_id not in user.payment_methods:
            raise ValueError("Payment method not found")
        method = user.payment_methods[payment_id]
        if method.source == "certificate":
            raise ValueError("Certificate cannot be used to update reservation")
        if method.source == "gift_card" and method.amount < total_price:
            raise ValueError("Gift card balance is not enough")
        if method.source == "gift_card":
            method.amount -= total_price
        return Payment(payment_id=payment_id, amount=total_price) if total_price != 0 else None

    # -- tools -------------------------------------------------------------------------------
    @tool(ToolType.WRITE)
    def book_reservation(
        self,
        user_id: str,
        origin: str,
        destination: str,
        flight_type: FlightType,
        cabin: CabinClass,
        flights: List[FlightInfo | dict],
        passengers: List[Passenger | dict],
        payment_methods: List[Payment | dict],
        total_baggages: int,
        nonfree_baggages: int,
        insurance: Insurance,
    ) -> Reservation:
        """
        Book a reservation.

        Args:
            user_id: The ID of the user to book the reservation such as 'sara_doe_496'`.
            origin: The IATA code for the origin city such as 'SFO'.
            destination: The IATA code for the destination city such as 'JFK'.
            flight_type: The type of flight such as 'one_way' or 'round_trip'.
            cabin: The cabin class such as 'basic_economy', 'economy', or 'business'.
            flights: An array of objects containing details about each piece of flight.
            passengers: An array of objects containing details about each passenger.
            payment_methods: An array of objects containing details about each payment method.
            total_baggages: The total number of baggage items to book the reservation.
            nonfree_baggages: The number of non-free baggage items to book the reservation.
            insurance: Whether the reservation has insurance.
        """
        flights = [f if isinstance(f, FlightInfo) else FlightInfo(**f) for f in flights]
        passengers = [p if isinstance(p, Passenger) else Passenger(**p) for p in passengers]
        payment_methods = [p if isinstance(p, Payment) else Payment(**p) for p in payment_methods]
        user = self._user(user_id)
        reservation_id = next((r for r in RESERVATION_IDS if r not in self.db.reservations), None)
        if reservation_id is None:
            raise ValueError("Too many reservations")
        reservation = Reservation(
            reservation_id=reservation_id, user_id=user_id, origin=origin, destination=destination,
            flight_type=flight_type, cabin=cabin, flights=[], passengers=deepcopy(passengers),
            payment_history=deepcopy(payment_methods), created_at=NOW, total_baggages=total_baggages,
            nonfree_baggages=nonfree_baggages, insurance=insurance)
        total_price = 0
        seats_to_take: list[FlightDateStatusAvailable] = []
        for info in flights:
            flight = self._flight(info.flight_number)
            day = self._flight_on(info.flight_number, info.date)
            if not isinstance(day, FlightDateStatusAvailable):
                raise ValueError(f"Flight {info.flight_number} not available on date {info.date}")
            if day.available_seats[cabin] < len(passengers):
                raise ValueError(f"Not enough seats on flight {info.flight_number}")
            price = day.prices[cabin]
            reservation.flights.append(ReservationFlight(origin=flight.origin, destination=flight.destination,
                                                         flight_number=info.flight_number, date=info.date,
                                                         price=price))
            seats_to_take.append(day)
            total_price += price * len(passengers)
        if insurance == "yes":
            total_price += 30 * len(passengers)
        total_price += 50 * nonfree_baggages
        for payment in payment_methods:
            if payment.payment_id not in user.payment_methods:
                raise ValueError(f"Payment method {payment.payment_id} not found")
            method = user.payment_methods[payment.payment_id]
            if method.source in {"gift_card", "certificate"} and method.amount < payment.amount:
                raise ValueError(f"Not enough balance in payment method {payment.payment_id}")
        paid = sum(payment.amount for payment in payment_methods)
        if paid != total_price:
            raise ValueError(f"Payment amount does not add up, total price is {total_price}, but paid {paid}")
        # Every check passed: take the payments, the seats, and store the reservation.
        for payment in payment_methods:
            method = user.payment_methods[payment.payment_id]
            if method.source == "gift_card":
                method.amount -= payment.amount
            elif method.source == "certificate":
                user.payment_methods.pop(payment.payment_id)
        for day in seats_to_take:
            day.available_seats[cabin] -= len(passengers)
        self.db.reservations[reservation_id] = reservation
        user.reservations.append(reservation_id)
        return reservation

    @tool(ToolType.GENERIC)
    def calculate(self, expression: str) -> str:
        """
        Calculate the result of a mathematical expression.

        Args:
            expression: The mathematical expression to calculate, such as '2 + 2'. The expression can contain numbers, operators (+, -, *, /), parentheses, and spaces.

        Returns:
            The result of the mathematical expression.

        Raises:
            ValueError: If the expression is invalid.
        """
        return calculate_expression(expression)

    @tool(ToolType.WRITE)
    def cancel_reservation(self, reservation_id: str) -> Reservation:
        """
        Cancel the whole reservation.

        Args:
            reservation_id: The reservation ID, such as 'ZFA04Y'.

        Returns:
            The updated reservation.

        Raises:
            ValueError: If the reservation is not found.
        """
        reservation = self._reservation(reservation_id)
        refunds = [Payment(payment_id=p.payment_id, amount=-p.amount) for p in reservation.payment_history]
        reservation.payment_history.extend(refunds)
        reservation.status = "cancelled"
        return reservation   # the reference releases no seats

    @tool(ToolType.READ)
    def get_reservation_details(self, reservation_id: str) -> Reservation:
        """
        Get the details of a reservation.

        Args:
            reservation_id: The reservation ID, such as '8JX2WO'.

        Returns:
            The reservation details.

        Raises:
            ValueError: If the reservation is not found.
        """
        return self._reservation(reservation_id, write=False)

    @tool(ToolType.READ)
    def get_user_details(self, user_id: str) -> User:
        """
        Get the details of a user, including their reservations.

        Args:
            user_id: The user ID, such as 'sara_doe_496'.

        Returns:
            The user details.

        Raises:
            ValueError: If the user is not found.
        """
        return self._user(user_id, write=False)

    @tool(ToolType.READ)
    def list_all_airports(self) -> AirportInfo:
        """Returns a list of all available airports.

        Returns:
            A dictionary mapping IATA codes to AirportInfo objects.
        """
        return [AirportCode(iata=code, city=city) for code, city in AIRPORTS]

    @tool(ToolType.READ)
    def search_direct_flight(self, origin: str, destination: str, date: str) -> list[DirectFlight]:
        """
        Search for direct flights between two cities on a specific date.

        Args:
            origin: The origin city airport in three letters, such as 'JFK'.
            destination: The destination city airport in three letters, such as 'LAX'.
            date: The date of the flight in the format 'YYYY-MM-DD', such as '2024-01-01'.

        Returns:
            The direct flights between the two cities on the specific date.
        """
        return self._direct_flights(date=date, origin=origin, destination=destination)

    @tool(ToolType.READ)
    def search_onestop_flight(self, origin: str, destination: str, date: str) -> list[tuple[DirectFlight, DirectFlight]]:
        """
        Search for one-stop flights between two cities on a specific date.

        Args:
            origin: The origin city airport in three letters, such as 'JFK'.
            destination: The destination city airport in three letters, such as 'LAX'.
            date: The date of the flight in the format 'YYYY-MM-DD', such as '2024-05-01'.

        Returns:
            A list of pairs of DirectFlight objects.
        """
        pairs = []
        for first in self._direct_flights(date=date, origin=origin):
            first.date = date
            # The reference's next-day rule (it assumes May 2024 and does not zero-pad).
            date2 = f"2024-05-{int(date[-2:]) + 1}" if "+1" in first.scheduled_arrival_time_est else date
            for second in self._direct_flights(date=date2, origin=first.destination, destination=destination,
                                               leave_after=first.scheduled_arrival_time_est):
                second.date = date2
                pairs.append([first, second])
        return pairs

    @tool(ToolType.WRITE)
    def send_certificate(self, user_id: str, amount: int) -> str:
        """
        Send a certificate to a user. Be careful!

        Args:
            user_id: The ID of the user to book the reservation, such as 'sara_doe_496'.
            amount: The amount of the certificate to send.

        Returns:
            A message indicating the certificate was sent.

        Raises:
            ValueError: If the user is not found.
        """
        user = self._user(user_id)
        for payment_id in (f"certificate_{n}" for n in PAYMENT_IDS):
            if payment_id not in user.payment_methods:
                user.payment_methods[payment_id] = Certificate(id=payment_id, amount=amount, source="certificate")
                return f"Certificate {payment_id} added to user {user_id} with amount {amount}."
        raise ValueError("Too many certificates")

    @tool(ToolType.GENERIC)
    def transfer_to_human_agents(self, summary: str) -> str:
        """
        Transfer the user to a human agent, with a summary of the user's issue.
        Only transfer if
         -  the user explicitly asks for a human agent
         -  given the policy and the available tools, you cannot solve the user's issue.

        Args:
            summary: A summary of the user's issue.

        Returns:
            A message indicating the user has been transferred to a human agent.
        """
        return "Transfer successful"

    @tool(ToolType.WRITE)
    def update_reservation_baggages(self, reservation_id: str, total_baggages: int, nonfree_baggages: int,
                                    payment_id: str) -> Reservation:
        """
        Update the baggage information of a reservation.

        Args:
            reservation_id: The reservation ID, such as 'ZFA04Y'
            total_baggages: The updated total number of baggage items included in the reservation.
            nonfree_baggages: The updated number of non-free baggage items included in the reservation.
            payment_id: The payment id stored in user profile, such as 'credit_card_7815826', 'gift_card_7815826', 'certificate_7815826'.

        Returns:
            The updated reservation.

        Raises:
            ValueError: If the reservation is not found.
            ValueError: If the user is not found.
            ValueError: If the payment method is not found.
            ValueError: If the certificate cannot be used to update reservation.
            ValueError: If the gift card balance is not enough.
        """
        reservation = self._reservation(reservation_id)
        user = self._user(reservation.user_id)
        total_price = 50 * max(0, nonfree_baggages - reservation.nonfree_baggages)
        payment = self._charge_for_update(user, payment_id, total_price)
        if payment is not None:
            reservation.payment_history.append(payment)
        reservation.total_baggages = total_baggages
        reservation.nonfree_baggages = nonfree_baggages
        return reservation

    @tool(ToolType.WRITE)
    def update_reservation_flights(self, reservation_id: str, cabin: CabinClass, flights: List[FlightInfo | dict],
                                   payment_id: str) -> Reservation:
        """
        Update the flight information of a reservation.


        Args:
            reservation_id: The reservation ID, such as 'ZFA04Y'.
            cabin: The cabin class of the reservation
            flights: An array of objects containing details about each piece of flight in the ENTIRE new reservation. Even if the a flight segment is not changed, it should still be included in the array.
            payment_id: The payment id stored in user profile, such as 'credit_card_7815826', 'gift_card_7815826', 'certificate_7815826'.

        Returns:
            The updated reservation.

        Raises:
            ValueError: If the reservation is not found.
            ValueError: If the user is not found.
            ValueError: If the payment method is not found.
            ValueError: If the certificate cannot be used to update reservation.
            ValueError: If the gift card balance is not enough.
        """
        flights = [f if isinstance(f, FlightInfo) else FlightInfo(**f) for f in flights]
        reservation = self._reservation(reservation_id)
        user = self._user(reservation.user_id)
        travellers = len(reservation.passengers)
        total_price = 0
        new_flights: list[ReservationFlight] = []
        for info in flights:
            # A segment already booked (same flight, date and cabin) keeps its price.
            kept = next((f for f in reservation.flights if f.flight_number == info.flight_number
                         and f.date == info.date and cabin == reservation.cabin), None)
            if kept:
                total_price += kept.price * travellers
                new_flights.append(kept)
                continue
            flight = self._flight(info.flight_number, write=False)
            day = self._flight_on(info.flight_number, info.date, write=False)
            if not isinstance(day, FlightDateStatusAvailable):
                raise ValueError(f"Flight {info.flight_number} not available on date {info.date}")
            if day.available_seats[cabin] < travellers:
                raise ValueError(f"Not enough seats on flight {info.flight_number}")
            segment = ReservationFlight(flight_number=info.flight_number, date=info.date, price=day.prices[cabin],
                                        origin=flight.origin, destination=flight.destination)
            total_price += segment.price * travellers
            new_flights.append(segment)
        total_price -= sum(f.price for f in reservation.flights) * travellers
        payment = self._charge_for_update(user, payment_id, total_price)
        if payment is not None:
            reservation.payment_history.append(payment)
        reservation.flights = new_flights
        reservation.cabin = cabin
        return reservation   # seat counts are not updated here, as in the reference

    @tool(ToolType.WRITE)
    def update_reservation_passengers(self, reservation_id: str, passengers: List[Passenger | dict]) -> Reservation:
        """
        Update the passenger information of a reservation.

        Args:
            reservation_id: The reservation ID, such as 'ZFA04Y'.
            passengers: An array of objects containing details about each passenger.

        Returns:
            The updated reservation.

        Raises:
            ValueError: If the reservation is not found.
            ValueError: If the number of passengers does not match.
        """
        passengers = [p if isinstance(p, Passenger) else Passenger(**p) for p in passengers]
        reservation = self._reservation(reservation_id)
        if len(passengers) != len(reservation.passengers):
            raise ValueError("Number of passengers does not match")
        reservation.passengers = deepcopy(passengers)
        return reservation

    @tool(ToolType.READ)
    def get_flight_status(self, flight_number: str, date: str) -> str:
        """
        Get the status of a flight.

        Args:
            flight_number: The flight number.
            date: The date of the flight.

        Returns:
            The status of the flight.

        Raises:
            ValueError: If the flight is not found.
        """
        return self._flight_on(flight_number, date, write=False).status
