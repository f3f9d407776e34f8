"""Figures as the dashboards print them: rates as percentages with two decimals (the four
places of the rate), amounts in yuan with two decimals, "—" where undefined."""

from decimal import Decimal

from django import template

from mutualaid.money import format_yuan

register = template.Library()


@register.filter
def percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


@register.filter
def yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else format_yuan(amount)


@register.filter
def figure(value, kind: str) -> str:
    if kind == "rate":
        return percent(value)
    if kind == "amount":
        return yuan(value)
    return "—" if value is None else str(value)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
