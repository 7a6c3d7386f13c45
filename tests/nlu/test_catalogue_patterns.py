"""Product names come from the CRM's catalogue: a shop's own products are recognised."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.nlu.build_patterns import build
from bot.nlu.entity_ruler import ShopEntityRuler

SHOP = [{"name": "竹纤维毛巾 3条装", "brand": "洁丽雅", "colours": ["米白", "#2 雾蓝"]},
        {"name": "陶瓷马克杯 350ml", "brand": "乐扣", "colours": []}]


def _ruler(tmp_path: Path) -> ShopEntityRuler:
    patterns, _words = build(SHOP)
    (tmp_path / "catalogue.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in patterns), "utf-8")
    return ShopEntityRuler({"patterns_path": str(tmp_path), "entities": None}, "ShopEntityRuler")


def test_a_shops_own_products_and_colours_are_recognised(tmp_path: Path) -> None:
    found = {(e["entity"], e["value"]) for e in _ruler(tmp_path).extract("我买的洁丽雅竹纤维毛巾雾蓝色的掉毛")}
    assert ("product", "竹纤维毛巾 3条装") in found and ("colour", "雾蓝") in found


def test_names_without_their_capacity_are_recognised(tmp_path: Path) -> None:
    found = {(e["entity"], e["value"]) for e in _ruler(tmp_path).extract("陶瓷马克杯有货吗")}
    assert found == {("product", "陶瓷马克杯 350ml")}


def test_the_export_lists_the_crms_products(tmp_path: Path) -> None:
    """`crm_backend catalogue export` against a freshly seeded database: one product a line."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CRM_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'crm.sqlite3'}",
           "PYTHONPATH": str(repo)}
    subprocess.run([sys.executable, "-m", "crm_backend", "seed"], cwd=repo, env=env, check=True,
                   capture_output=True)
    out = subprocess.run([sys.executable, "-m", "crm_backend", "catalogue", "export"], cwd=repo,
                         env=env, check=True, capture_output=True, text=True).stdout
    products = [json.loads(line) for line in out.splitlines()]
    assert len(products) >= 40 and all(p["name"] and p["sku"] for p in products)
    patterns, words = build(products)
    assert {p["id"] for p in patterns if p["label"] == "product"} == {p["name"] for p in products}
