"""The demo shop's assortment: categories with their roles, about fifty products with SKUs
(Chinese and English names, stock) and one supplier restocking the home goods, created,
reviewed and listed through the gateway."""

import asyncio
import itertools
import json

import httpx
from sqlalchemy import text

from chassis.db import Database
from deploy.local.answers import checked
from services.users.settings import Settings as UsersSettings

REVIEWER = {"email": "demo.reviewer@example.com", "password": "flywheel-demo-reviewer"}

# (key, name, role, parent key)
CATEGORIES = [
    ("home", "家居日用 Home", "core", None),
    ("cups", "杯壶 Cups & bottles", "advantage", "home"),
    ("storage", "收纳 Storage", "potential", "home"),
    ("tea", "茶饮 Tea", "core", None),
    ("green", "绿茶 Green tea", "core", "tea"),
    ("oolong", "乌龙与红茶 Oolong & black tea", "advantage", "tea"),
    ("teaware", "茶具 Teaware", "potential", "tea"),
    ("gadgets", "数码配件 Gadgets", "to_eliminate", None),
]

# (category, name, brand, price in fen, stock per SKU, keywords, attributes of the SKUs)
PRODUCTS = [
    (
        "cups",
        "不锈钢真空保温杯 Vacuum flask",
        "Thermos",
        8900,
        40,
        ["保温杯", "水杯"],
        {"颜色": ["黑", "白", "蓝"], "容量": ["350ml", "500ml"]},
    ),
    (
        "cups",
        "儿童保温杯 Kids' bottle",
        "Zojirushi",
        12900,
        15,
        ["保温杯", "儿童"],
        {"颜色": ["粉", "蓝"]},
    ),
    (
        "cups",
        "随行咖啡杯 Travel coffee mug",
        "Stanley",
        15900,
        20,
        ["咖啡杯"],
        {"容量": ["350ml", "470ml"]},
    ),
    ("cups", "陶瓷马克杯 Ceramic mug", "Muji", 3900, 60, ["马克杯"], {"颜色": ["白", "灰"]}),
    ("cups", "玻璃水杯 Glass tumbler", "Bodum", 4900, 35, ["水杯", "玻璃杯"], {}),
    (
        "cups",
        "运动水壶 Sports bottle",
        "Nalgene",
        9900,
        25,
        ["水壶", "户外"],
        {"容量": ["500ml", "1L"]},
    ),
    ("cups", "焖烧杯 Food jar", "Thermos", 16900, 12, ["焖烧杯", "保温"], {}),
    ("cups", "保温壶 Thermal carafe", "Zojirushi", 25900, 8, ["保温壶"], {}),
    ("cups", "吸管杯 Straw cup", "Lock&Lock", 5900, 30, ["吸管杯"], {"颜色": ["绿", "黄"]}),
    ("cups", "双层玻璃杯 Double-wall glass", "Bodum", 6900, 18, ["玻璃杯"], {}),
    (
        "storage",
        "密封收纳罐 Airtight canister",
        "Lock&Lock",
        3500,
        50,
        ["收纳罐", "密封罐"],
        {"容量": ["1L", "2L"]},
    ),
    ("storage", "桌面收纳盒 Desk organizer", "Muji", 4500, 22, ["收纳盒"], {}),
    ("storage", "真空保鲜盒 Vacuum food box", "Lock&Lock", 7900, 16, ["保鲜盒"], {}),
    ("storage", "衣物收纳袋 Clothes storage bag", "Muji", 2900, 40, ["收纳袋"], {}),
    ("storage", "茶叶罐 Tea caddy", "Lion", 6800, 20, ["茶叶罐", "收纳罐"], {"材质": ["锡", "陶"]}),
    (
        "green",
        "西湖龙井 Longjing green tea, 250 g",
        "Lion",
        25800,
        30,
        ["龙井", "绿茶"],
        {"等级": ["特级", "一级"]},
    ),
    ("green", "碧螺春 Biluochun, 100 g", "Wuyi Star", 12800, 25, ["碧螺春", "绿茶"], {}),
    ("green", "黄山毛峰 Huangshan Maofeng, 125 g", "Wuyi Star", 9800, 30, ["毛峰"], {}),
    ("green", "安吉白茶 Anji white tea, 100 g", "Lion", 16800, 18, ["白茶"], {}),
    ("green", "六安瓜片 Lu'an Guapian, 100 g", "Lion", 11800, 14, ["瓜片"], {}),
    ("green", "茉莉花茶 Jasmine pearls, 100 g", "Wuyi Star", 6800, 45, ["茉莉", "花茶"], {}),
    ("green", "太平猴魁 Taiping Houkui, 50 g", "Lion", 19800, 6, ["猴魁"], {}),
    ("green", "信阳毛尖 Xinyang Maojian, 250 g", "Wuyi Star", 8800, 3, ["毛尖"], {}),
    (
        "oolong",
        "安溪铁观音 Tieguanyin, 250 g",
        "Wuyi Star",
        15800,
        28,
        ["铁观音", "乌龙"],
        {"香型": ["清香", "浓香"]},
    ),
    ("oolong", "武夷大红袍 Da Hong Pao, 125 g", "Wuyi Star", 22800, 15, ["大红袍", "岩茶"], {}),
    ("oolong", "凤凰单丛 Phoenix Dancong, 100 g", "Lion", 13800, 12, ["单丛"], {}),
    ("oolong", "冻顶乌龙 Dongding oolong, 150 g", "Lion", 14800, 10, ["乌龙"], {}),
    ("oolong", "正山小种 Lapsang souchong, 100 g", "Wuyi Star", 9800, 35, ["红茶", "小种"], {}),
    ("oolong", "祁门红茶 Keemun black tea, 100 g", "Lion", 10800, 20, ["红茶", "祁红"], {}),
    ("oolong", "滇红金芽 Dianhong golden buds, 100 g", "Lion", 12800, 0, ["红茶", "滇红"], {}),
    (
        "oolong",
        "普洱茶饼 Pu'er cake, 357 g",
        "Menghai",
        39900,
        9,
        ["普洱", "茶饼"],
        {"类型": ["生茶", "熟茶"]},
    ),
    ("oolong", "白毫银针 Silver needle, 50 g", "Wuyi Star", 29800, 5, ["白茶", "银针"], {}),
    (
        "teaware",
        "青瓷茶杯 Celadon tea cup",
        "Longquan",
        4500,
        48,
        ["茶杯", "青瓷"],
        {"颜色": ["梅子青", "粉青"]},
    ),
    ("teaware", "竹制茶盘 Bamboo tea tray", "Lion", 21900, 10, ["茶盘"], {}),
    ("teaware", "便携旅行茶具 Travel tea set", "Lion", 15900, 14, ["旅行茶具", "茶具"], {}),
    ("teaware", "紫砂壶 Yixing clay teapot", "Yixing", 58800, 4, ["紫砂壶", "茶壶"], {}),
    ("teaware", "玻璃公道杯 Glass pitcher", "Bodum", 3900, 30, ["公道杯"], {}),
    ("teaware", "盖碗 Gaiwan", "Longquan", 6800, 25, ["盖碗"], {"颜色": ["白", "青"]}),
    (
        "teaware",
        "电热水壶 Electric kettle",
        "Xiaomi",
        19900,
        20,
        ["水壶", "烧水壶"],
        {"容量": ["1.5L", "1.7L"]},
    ),
    ("teaware", "茶漏 Tea strainer", "Lion", 1900, 60, ["茶漏"], {}),
    ("teaware", "日式铁壶 Cast-iron teapot", "Iwachu", 49900, 3, ["铁壶", "茶壶"], {}),
    ("teaware", "茶宠 Tea pet", "Yixing", 2900, 15, ["茶宠"], {}),
    ("gadgets", "无线充电器 Wireless charger", "Anker", 9900, 25, ["充电器"], {}),
    (
        "gadgets",
        "蓝牙音箱 Bluetooth speaker",
        "Xiaomi",
        14900,
        10,
        ["音箱"],
        {"颜色": ["黑", "白"]},
    ),
    ("gadgets", "USB 暖杯垫 USB mug warmer", "Xiaomi", 6900, 12, ["暖杯垫", "保温"], {}),
    ("gadgets", "移动电源 Power bank", "Anker", 12900, 0, ["充电宝"], {}),
    ("gadgets", "数据线 USB-C cable", "Anker", 2900, 80, ["数据线"], {}),
    ("gadgets", "手机支架 Phone stand", "Baseus", 3900, 30, ["支架"], {}),
]

# The one supplier: it restocks every SKU of these categories, keeping this safety stock.
SUPPLIER = {"name": "义乌日用品供应链 Yiwu Home Supply", "lead_time_days": 7}
SUPPLIED_CATEGORIES = ("cups", "storage")
SAFETY_STOCK = 10


# Shipping weight of one unit by category, in grams (orders prices freight by it); each
# larger variant weighs a little more.
WEIGHT_GRAMS = {
    "home": 900,
    "cups": 380,
    "storage": 750,
    "tea": 260,
    "green": 260,
    "oolong": 280,
    "teaware": 620,
    "gadgets": 120,
}


def _skus(
    index: int, price: int, stock: int, attributes: dict[str, list[str]], weight: int
) -> list[dict]:
    names = list(attributes)
    variants = list(itertools.product(*attributes.values())) if names else [()]
    return [
        {
            "code": f"DEMO-{index:03d}-{n}",
            "attributes": dict(zip(names, values, strict=True)),
            # Larger variants cost a little more; costs leave the shop a margin of about 40%.
            "price": {"amount": price + n * 500, "currency": "CNY"},
            "cost": {"amount": (price + n * 500) * 6 // 10, "currency": "CNY"},
            "stock": stock,
            "low_stock_threshold": 5,
            "weight_grams": weight + n * 40,
        }
        for n, values in enumerate(variants)
    ]


async def _stock_up(client: httpx.AsyncClient, staff: dict, sku_id: str, stock: int) -> None:
    stock_url = f"/api/v1/catalog/inventory/skus/{sku_id}"
    if stock:
        received = await client.post(
            f"{stock_url}/adjustments",
            json={"delta": stock, "reason": "receipt", "note": "opening stock"},
            headers=staff,
        )
        checked(received)
    threshold = await client.put(
        f"{stock_url}/threshold", json={"low_stock_threshold": 5}, headers=staff
    )
    checked(threshold)


def orderable(product_ids: list[str]) -> str:
    """A listed product in stock that orders can name by its id (no variants)."""
    return next(
        pid for pid, entry in zip(product_ids, PRODUCTS, strict=True) if not entry[6] and entry[4]
    )


async def reviewer_token(client: httpx.AsyncClient, token) -> str:
    """A second operator, so the admin's submissions pass the four-eyes review. There is no
    route granting roles yet: like the tests' staff factory, the role is written into the
    users database of this development platform."""
    registered = await client.post("/api/v1/users/register", json=REVIEWER)
    if registered.status_code not in (201, 409):
        checked(registered)
    db = Database(UsersSettings().resolved_database_url(), service="users")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                text("UPDATE users SET roles = :roles WHERE email = :email"),
                {"roles": json.dumps(["operator"]), "email": REVIEWER["email"]},
            )
    finally:
        await db.dispose()
    return await token(client, REVIEWER["email"], REVIEWER["password"])


async def seed_catalog(client: httpx.AsyncClient, staff: dict, reviewer: dict) -> list[str]:
    """Create the categories and products, submit each as the admin and approve it as the
    reviewer; returns the listed products' ids, in the order of PRODUCTS."""
    categories: dict[str, str] = {}
    for key, name, role, parent in CATEGORIES:
        response = await client.post(
            "/api/v1/catalog/categories",
            json={"name": name, "role": role, "parent_id": categories.get(parent)},
            headers=staff,
        )
        checked(response)
        categories[key] = response.json()["id"]
    gate = asyncio.Semaphore(4)

    async def list_one(index: int, entry: tuple) -> str:
        category, name, brand, price, stock, keywords, attributes = entry
        body = {
            "name": name,
            "brand": brand,
            "category_id": categories[category],
            "keywords": keywords,
            "attributes": attributes,
            "media": [f"https://img.flywheel.local/demo/{index:03d}.jpg"],
        }
        # A product without variants is given by its price: its one SKU takes the product's
        # id, which is what orders names today, so the demo order reserves real stock.
        if attributes:
            body["skus"] = _skus(index, price, stock, attributes, WEIGHT_GRAMS[category])
        else:
            body["price"] = {"amount": price, "currency": "CNY"}
            body["weight_grams"] = WEIGHT_GRAMS[category]
        async with gate:
            created = await client.post("/api/v1/catalog/products", json=body, headers=staff)
            checked(created)
            product_id = created.json()["id"]
            if not attributes:
                await _stock_up(client, staff, product_id, stock)
            submitted = await client.post(
                f"/api/v1/catalog/products/{product_id}/submit", headers=staff
            )
            checked(submitted)
            approved = await client.post(
                f"/api/v1/catalog/products/{product_id}/approve", headers=reviewer
            )
            checked(approved)
            return product_id

    product_ids = list(await asyncio.gather(*(list_one(i, e) for i, e in enumerate(PRODUCTS))))
    await _seed_supplier(client, staff, product_ids)
    return product_ids


async def _seed_supplier(client: httpx.AsyncClient, staff: dict, product_ids: list[str]) -> None:
    created = await client.post("/api/v1/catalog/suppliers", json=SUPPLIER, headers=staff)
    created.raise_for_status()
    supplier = created.json()["id"]
    for product_id, entry in zip(product_ids, PRODUCTS, strict=True):
        if entry[0] not in SUPPLIED_CATEGORIES:
            continue
        product = await client.get(f"/api/v1/catalog/products/{product_id}", headers=staff)
        product.raise_for_status()
        for sku in product.json()["skus"]:
            linked = await client.put(
                f"/api/v1/catalog/suppliers/{supplier}/skus/{sku['id']}",
                json={"safety_stock": SAFETY_STOCK},
                headers=staff,
            )
            linked.raise_for_status()
