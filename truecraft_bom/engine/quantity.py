"""Exact quantities.

The engine computes with ``fractions.Fraction`` so that no rounding can lose or add a unit at a boundary
(0.7 in stock at 0.1 per unit is exactly 7 units). Quantities leave the engine as ``decimal.Decimal``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import (
	ROUND_CEILING,
	ROUND_HALF_EVEN,
	Context,
	Decimal,
	DecimalException,
	DivisionByZero,
	Inexact,
	InvalidOperation,
	Overflow,
	localcontext,
)
from fractions import Fraction
from typing import TypeVar

from .errors import QuantityError

T = TypeVar("T")

ZERO = Fraction(0)
ONE = Fraction(1)
HUNDRED = Fraction(100)

# Quantities that have no finite decimal expansion (1/3 of a batch) are shown with this many places,
# the most an ERPNext Float field keeps.
PLACES = 9
_QUANTUM = Decimal(1).scaleb(-PLACES)


# Decimal arithmetic is ~20x faster than Fraction. The engine uses it only while every step stays exact:
# in this context an inexact or impossible step raises (a DecimalException) and ``fast_or_exact`` redoes the
# work in Fractions.
EXACT = Context(prec=120, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
NOT_EXACT = DecimalException

# Quantities beyond this many digits either side of the point are refused: nobody stocks 1e999999999 of
# anything, and turning such a number into an exact integer would take minutes.
MAX_DIGITS = 40


class NotANumber(ValueError):
	"""A value that should be a quantity is not a finite number."""


def exact(value) -> Fraction:
	"""Turn an int, Decimal, numeric string, float or Fraction into an exact Fraction.

	Floats are read through their shortest repr, so 63.6 means 63.6 and not its binary neighbour.
	"""
	if isinstance(value, Fraction):
		return value
	if isinstance(value, bool) or value is None:
		raise NotANumber(repr(value))
	if isinstance(value, int):
		return Fraction(value)
	if isinstance(value, float):
		if not math.isfinite(value):
			raise NotANumber(repr(value))
		return Fraction(repr(value))
	if isinstance(value, Decimal):
		return _from_decimal(value, str(value))
	if isinstance(value, str):
		text = value.strip()
		try:
			number = Decimal(text)
		except InvalidOperation:
			raise NotANumber(repr(value)) from None
		if not text:
			raise NotANumber(repr(value))
		return _from_decimal(number, repr(value))
	raise NotANumber(repr(value))


def fraction(value) -> Fraction:
	"""A quantity the engine computed (a Fraction, int or finite Decimal) as a Fraction, whatever its size.

	Results may lie beyond the range ``exact`` accepts for input (1e40 in stock at 1e-40 per unit makes 1e80);
	anything else is read as input, by ``exact``.
	"""
	if isinstance(value, Fraction):
		return value
	if isinstance(value, int) and not isinstance(value, bool):
		return Fraction(value)
	if isinstance(value, Decimal) and value.is_finite():
		return Fraction(value)
	return exact(value)


def _from_decimal(number: Decimal, shown: str) -> Fraction:
	if not number.is_finite():
		raise NotANumber(shown)
	if number and abs(number.adjusted()) > MAX_DIGITS:
		raise NotANumber(f"{shown} is out of range")
	return Fraction(number)


def positive(value) -> Fraction:
	"""A quantity asked of the engine, exactly; QuantityError unless it is a number above zero."""
	try:
		number = exact(value)
	except NotANumber:
		raise QuantityError(value) from None
	if number <= 0:
		raise QuantityError(value)
	return number


def fast_or_exact(fast: Callable[[], T] | None, slow: Callable[[], T]) -> T:
	"""``fast()`` in exact Decimal arithmetic, or ``slow()`` (in Fractions) when a step of it would round.

	``fast`` None: only the slow way applies (a figure has no finite decimal expansion).
	"""
	if fast is not None:
		try:
			with localcontext(EXACT):
				return fast()
		except NOT_EXACT:
			pass
	return slow()


def to_decimal(value, rounding: str = ROUND_CEILING) -> Decimal:
	"""An exact Fraction as a Decimal: exact when it has a finite expansion, else rounded to PLACES.

	Requirements round up (a maker never gets less than the build needs); money uses half-even. Results may
	lie beyond the range of input quantities (1e40 in stock at 1e-40 per unit makes 1e80): they are exact too.
	"""
	if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) <= MAX_DIGITS:
		return _plain(value)  # already exact
	value = fraction(value)
	numerator, denominator = value.numerator, value.denominator
	if denominator == 1:
		return Decimal(numerator)
	if _terminates(denominator):
		places = _places(denominator)
		return _plain(_scaled(numerator * 10**places // denominator, places))
	scaled = value * 10**PLACES
	if rounding == ROUND_HALF_EVEN:
		units = round(scaled)  # Fraction rounds half to even
	elif rounding == ROUND_CEILING:
		units = math.ceil(scaled)
	else:
		raise ValueError(f"unsupported rounding {rounding}")
	return _plain(_scaled(units, PLACES))


def _places(denominator: int) -> int:
	"""Decimal places of n / denominator when the denominator is 2^a 5^b: max(a, b)."""
	twos = fives = 0
	while denominator % 2 == 0:
		denominator //= 2
		twos += 1
	while denominator % 5 == 0:
		denominator //= 5
		fives += 1
	return max(twos, fives)


def _scaled(units: int, places: int) -> Decimal:
	"""units * 10^-places, exactly (no context precision involved)."""
	return Decimal((0 if units >= 0 else 1, tuple(int(digit) for digit in str(abs(units))), -places))


def exact_decimal(value: Fraction) -> Decimal | None:
	"""The Decimal equal to value, or None when value has no finite decimal expansion (1/3)."""
	if value.denominator == 1:
		return Decimal(value.numerator)
	if not _terminates(value.denominator):
		return None
	try:
		with localcontext(EXACT):
			return Decimal(value.numerator) / Decimal(value.denominator)
	except NOT_EXACT:
		return None


def money(value) -> Decimal:
	"""A cost figure: half-even rounding where the expansion does not terminate."""
	return to_decimal(value, ROUND_HALF_EVEN)


def _terminates(denominator: int) -> bool:
	for prime in (2, 5):
		while denominator % prime == 0:
			denominator //= prime
	return denominator == 1


def _plain(value: Decimal) -> Decimal:
	"""Drop trailing zeros without switching to exponent notation (1E+1 -> 10), exactly at any length."""
	if value == value.to_integral_value():
		return Decimal(int(value))
	sign, digits, exponent = value.as_tuple()
	while digits and digits[-1] == 0 and exponent < 0:
		digits, exponent = digits[:-1], exponent + 1
	return Decimal((sign, digits, exponent))
