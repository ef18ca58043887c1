"""The rules a product's SKUs follow, without I/O: each SKU picks one declared value of each of
the product's attributes, no two SKUs are the same variant, one currency per product, cost in
the price's currency."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chassis.money import Money


@dataclass(frozen=True)
class VariantError(ValueError):
    field: str  # relative to the body: "skus.1.attributes.颜色"
    message: str


@dataclass(frozen=True)
class Variant:
    code: str
    attributes: Mapping[str, str]
    price: Money
    cost: Money | None = None


def check_variants(attributes: Mapping[str, Sequence[str]], skus: Sequence[Variant]) -> None:
    """Raise the first VariantError of `skus` against the product's `attributes`."""
    for name, values in attributes.items():
        if len(set(values)) != len(values) or not values:
            raise VariantError(f"attributes.{name}", "list each value once, at least one")
    codes: set[str] = set()
    combinations: set[tuple] = set()
    currency = skus[0].price.currency if skus else None
    for i, sku in enumerate(skus):
        at = f"skus.{i}"
        if sku.code in codes:
            raise VariantError(f"{at}.code", f"{sku.code} is given twice")
        codes.add(sku.code)
        if set(sku.attributes) != set(attributes):
            names = ", ".join(attributes) or "none"
            raise VariantError(f"{at}.attributes", f"give a value of each attribute ({names})")
        for name, value in sku.attributes.items():
            if value not in attributes[name]:
                raise VariantError(f"{at}.attributes.{name}", f"{value} is not a value of {name}")
        combination = tuple(sorted(sku.attributes.items()))
        if combination in combinations:
            raise VariantError(f"{at}.attributes", "another SKU is already this variant")
        combinations.add(combination)
        if sku.price.currency != currency:
            raise VariantError(f"{at}.price.currency", f"price all SKUs in {currency}")
        if sku.cost is not None and sku.cost.currency != currency:
            raise VariantError(f"{at}.cost.currency", f"give the cost in {currency}")


def from_price(prices: Sequence[Money]) -> Money | None:
    """The "from" price shown for a product: the lowest of its SKUs'."""
    return min(prices, key=lambda money: money.amount) if prices else None
