"""The demo shop's assortment is valid catalog input (what `make run` loads through the
gateway), without starting anything."""

from deploy.local.demo_catalog import (
    CATEGORIES,
    PRODUCTS,
    SUPPLIED_CATEGORIES,
    SUPPLIER,
    WEIGHT_GRAMS,
    _skus,
)
from services.catalog.categories.tree import CategoryRole
from services.catalog.products.schemas import ProductCreate
from services.catalog.products.variants import Variant, check_variants
from services.catalog.suppliers.schemas import SupplierIn


def test_categories_have_roles_and_known_parents():
    keys = [key for key, *_ in CATEGORIES]
    assert len(keys) == len(set(keys))
    for index, (_, _, role, parent) in enumerate(CATEGORIES):
        assert CategoryRole(role)
        assert parent is None or parent in keys[:index]  # parents are created first
    assert {role for _, _, role, _ in CATEGORIES} == set(CategoryRole)


def test_about_fifty_products_each_a_valid_body():
    categories = {key for key, *_ in CATEGORIES}
    assert 45 <= len(PRODUCTS) <= 60
    codes = set()
    for index, (category, name, brand, price, stock, keywords, attributes) in enumerate(PRODUCTS):
        assert category in categories
        assert any("\u4e00" <= ch <= "\u9fff" for ch in name)  # a Chinese name...
        assert any(ch.isascii() and ch.isalpha() for ch in name)  # ...and an English one
        weight = WEIGHT_GRAMS[category]
        skus = _skus(index, price, stock, attributes, weight) if attributes else []
        body = ProductCreate(
            name=name, brand=brand, keywords=keywords, attributes=attributes, skus=skus
        )
        check_variants(
            body.attributes,
            [
                Variant(code=s.code, attributes=s.attributes, price=s.price, cost=s.cost)
                for s in body.skus
            ],
        )
        assert all(s.weight_grams and s.weight_grams >= weight for s in body.skus)
        codes.update(s.code for s in body.skus)
    assert len(codes) == sum(
        len(_skus(i, p[3], p[4], p[6], 100)) for i, p in enumerate(PRODUCTS) if p[6]
    )
    assert set(WEIGHT_GRAMS) == categories


def test_the_supplier_is_valid_and_restocks_categories_of_the_shop():
    SupplierIn.model_validate(SUPPLIER)
    categories = {key for key, *_ in CATEGORIES}
    assert set(SUPPLIED_CATEGORIES) <= categories
    assert any(entry[0] in SUPPLIED_CATEGORIES for entry in PRODUCTS)
