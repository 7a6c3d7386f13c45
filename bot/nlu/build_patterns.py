"""Regenerate the catalogue-derived EntityRuler patterns and jieba dictionary.

    .venv/bin/python -m bot.nlu.build_patterns

Reads the product catalogue from ``crm_backend/seed_catalog.py`` (PRODUCTS: sku, name, brand,
category, price, colours, sizes, description) and writes
``bot/nlu/patterns/catalogue.jsonl`` (product + colour patterns, the entity value is the
catalogue's product name) and ``bot/nlu/jieba_dict/catalogue.txt`` (so jieba keeps those words
whole).  Hand-written patterns (dates, amounts, sizes, complaint categories, generic colours,
colloquial product aliases) live in ``bot/nlu/patterns/general.jsonl`` and are not touched.
Run it again whenever the catalogue changes and commit the output.
"""

import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set, Tuple


HERE = Path(__file__).resolve().parent

# Colloquial names customers use for products of the demo catalogue (product name -> aliases);
# a product that is not in the exported catalogue gets none.
ALIASES = {
    "纯棉圆领T恤": ["T恤", "t恤", "圆领T恤", "短袖"],
    "轻薄羽绒服": ["羽绒服", "波司登羽绒服"],
    "加绒连帽卫衣": ["卫衣", "连帽卫衣", "李宁卫衣"],
    "弹力修身牛仔裤": ["牛仔裤", "李维斯牛仔裤", "Levis牛仔裤"],
    "羊毛混纺针织开衫": ["开衫", "针织开衫", "毛衣开衫"],
    "速干运动短裤": ["运动短裤", "短裤"],
    "真丝印花连衣裙": ["连衣裙", "真丝连衣裙", "裙子"],
    "法兰绒格纹衬衫": ["格子衬衫", "格纹衬衫", "衬衫"],
    "缓震跑步鞋": ["跑步鞋", "跑鞋", "安踏跑鞋"],
    "经典帆布鞋": ["帆布鞋", "回力鞋"],
    "防滑加绒雪地靴": ["雪地靴"],
    "Mate 60 手机 12GB+512GB": ["Mate 60", "Mate60", "mate60", "华为Mate60", "华为mate60", "Mate 60手机", "mate60手机"],
    "Redmi Note 13 Pro 8GB+256GB": ["Redmi Note 13 Pro", "红米Note13", "红米note13", "红米手机", "Redmi Note13"],
    "FreeBuds Pro 3 降噪耳机": ["FreeBuds Pro 3", "freebuds", "华为耳机", "降噪耳机"],
    "小米手环8": ["小米手环", "手环"],
    "MX Master 3S 无线鼠标": ["MX Master 3S", "罗技鼠标", "无线鼠标", "鼠标"],
    "20000mAh 充电宝": ["充电宝", "安克充电宝", "移动电源"],
    "Find X7 手机 16GB+512GB": ["Find X7", "FindX7", "oppo find x7", "OPPO手机"],
    "MatePad 11.5 平板": ["MatePad", "华为平板", "平板"],
    "机械键盘 K8 Pro": ["K8 Pro", "机械键盘", "键盘"],
    "电饭煲 4L 智能预约": ["电饭煲", "美的电饭煲", "电饭锅"],
    "破壁豆浆机": ["豆浆机", "破壁机", "九阳豆浆机"],
    "不粘炒锅 32cm": ["炒锅", "不粘锅", "苏泊尔炒锅"],
    "空气炸锅 5.5L": ["空气炸锅", "炸锅"],
    "扫地机器人 X10": ["扫地机器人", "扫地机", "科沃斯"],
    "纯棉四件套 1.8m床": ["四件套", "床单四件套", "水星家纺四件套"],
    "记忆棉枕头": ["枕头", "记忆枕"],
    "戴森吹风机 HD15": ["戴森吹风机", "吹风机", "戴森"],
    "小棕瓶精华 50ml": ["小棕瓶", "雅诗兰黛精华"],
    "红腰子精华 50ml": ["红腰子", "资生堂精华"],
    "丝绒哑光口红": ["口红", "完美日记口红"],
    "补水保湿面膜 10片": ["面膜", "百雀羚面膜"],
    "氨基酸洁面乳 120g": ["洗面奶", "洁面乳", "珂润洗面奶"],
    "电动牙刷 T300": ["电动牙刷", "牙刷"],
    "防晒乳 SPF50+ 60ml": ["防晒乳", "防晒霜", "防晒", "安热沙"],
    "每日坚果 30包": ["每日坚果", "坚果"],
    "西湖龙井 明前特级 250g": ["龙井", "西湖龙井", "龙井茶", "茶叶"],
    "猪肉脯 500g": ["猪肉脯", "肉脯"],
    "五常大米 5kg": ["五常大米", "大米"],
    "纯牛奶 250ml×24盒": ["纯牛奶", "牛奶", "伊利牛奶"],
    "阳澄湖大闸蟹礼盒 8只": ["大闸蟹", "螃蟹", "大闸蟹礼盒"],
    "挂耳咖啡 50包": ["挂耳咖啡", "咖啡"],
    "飞天茅台 53度 500ml": ["飞天茅台", "茅台"],
    "瑜伽垫 加厚 10mm": ["瑜伽垫"],
    "双肩登山包 40L": ["登山包", "双肩包", "背包"],
    "对开门冰箱 501L": ["冰箱", "海尔冰箱", "对开门冰箱"],
    "滚筒洗衣机 10kg": ["洗衣机", "小天鹅洗衣机", "滚筒洗衣机"],
    "壁挂式空调 1.5匹": ["空调", "格力空调", "挂式空调"],
    "布艺沙发 三人位": ["沙发", "布艺沙发", "顾家沙发"],
}


# A capacity, size or count in a product name ("512GB", "4L", "3条装"), dropped for its short name.
SPEC = r"\d+(GB|L|cm|ml|g|kg|包|片|只|盒|度|mm|m床|条|件|支|瓶|袋|罐|个|装|双|套)"


def short_name(name: str) -> str:
    """The name without capacity/spec suffixes: "电饭煲 4L 智能预约" -> "电饭煲"."""
    parts = name.split()
    keep = [p for p in parts if not re.search(SPEC, p)]
    return " ".join(keep) if keep else name


def build(products: Iterable[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], Set[str]]:
    """EntityRuler patterns and jieba words for `products` (the CRM's export)."""
    patterns, words = [], set()
    for product in products:
        name, brand = product["name"], product.get("brand") or ""
        names = {name, short_name(name), brand + short_name(name).replace(" ", "")}
        names.update(ALIASES.get(name, []))
        for n in sorted(names):
            patterns.append({"label": "product", "pattern": n, "id": name})
            if " " not in n:
                words.add(n)
        if brand:
            words.add(brand)
        for c in product.get("colours") or []:
            c = re.sub(r"^#\d+\s*", "", c)
            patterns.append({"label": "colour", "pattern": c})
            words.add(c)
    return patterns, words


def write(products: Iterable[Dict[str, Any]]) -> str:
    """Write the pattern and dictionary files for `products`; a one-line summary."""
    patterns, words = build(products)
    out = HERE / "patterns" / "catalogue.jsonl"
    out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in patterns), "utf-8")
    dict_out = HERE / "jieba_dict" / "catalogue.txt"
    dict_out.write_text("".join(f"{w} 1000 nz\n" for w in sorted(words) if len(w) > 1), "utf-8")
    return f"{len(patterns)} patterns -> {out}; {len(words)} words -> {dict_out}"


def main() -> None:
    products = [json.loads(line) for line in sys.stdin if line.strip()]
    if not products:
        sys.exit("没有读到商品：请把 `python -m crm_backend catalogue export` 的输出传进来")
    print(write(products))


if __name__ == "__main__":
    main()
