"""What a complaint's words tell us, and the words the bot answers with. Plain functions."""

import re
from typing import Dict, Iterable, List, Optional, Tuple

# The CRM owns these words (codes and labels); the bot reads the customer's words against them.
from crm_backend.complaints.rules import (CATEGORY_LABELS, MAX_WORD_LENGTH, MAX_WORDS,
                                          SEVERITY_LABELS)
from crm_backend.complaints.rules import WISH_LABELS as EXPECTATION_LABELS
from crm_backend.orders.situation import NOT_RECEIVED

# The NLU entity ruler's own ids for categories, mapped to the CRM's codes.
CATEGORY_ALIASES = {
    "quality": "product_quality",
    "wrong_item": "wrong_or_missing",
    "attitude": "service_attitude",
}

CATEGORY_KEYWORDS: List[Tuple[str, Tuple[str, ...]]] = [
    ("wrong_or_missing", ("发错", "错发", "漏发", "少发", "少了一", "缺件", "少件", "不是我买的",
                          "颜色不对", "尺码不对", "型号不对", "发成", "空包", "没有赠品", "少了个")),
    ("delivery", ("快递", "物流", "派送", "配送", "送货", "没收到", "还没到", "不动", "延误", "超时",
                  "没发货", "不发货", "还不发", "迟迟不发", "没有发货", "一直没发", "还没发", "没给我发",
                  "压坏", "压扁", "摔坏", "破损", "外包装", "丢件", "丢了", "快递员", "驿站", "送到")),
    ("service_attitude", ("态度", "客服", "不理人", "爱答不理", "敷衍", "骂", "凶", "不耐烦", "推脱",
                          "踢皮球", "没人管", "不回复", "甩锅")),
    ("price", ("降价", "差价", "价格", "贵", "优惠券", "多扣", "多收", "扣款", "扣了", "价保", "涨价",
               "乱收费", "运费")),
    # Refund/return words say what the customer wants (expectation), not what went wrong.
    ("after_sales", ("售后", "维修", "保修", "审核", "不给退", "不给换", "拒绝退", "退不了", "三包",
                     "退款还没", "退款一直", "退款怎么还", "驳回")),
    ("product_quality", ("质量", "坏了", "坏的", "破了", "破洞", "开线", "掉色", "褪色", "起球", "异味",
                         "臭", "划痕", "瑕疵", "裂", "漏水", "漏电", "不能用", "用不了", "开不了机",
                         "死机", "发霉", "过期", "变质", "假货", "假的", "次品", "残次", "不亮",
                         "充不进", "断了", "掉漆", "生锈", "卡顿", "失灵", "没声音", "没有声音",
                         "没反应", "黑屏", "花屏", "不开机", "开不了", "充不了电", "不通电", "杂音",
                         "异响", "脱胶", "碎了", "缩水", "不新鲜", "有虫")),
]

SEVERE = ("受伤", "伤到", "烫伤", "过敏", "住院", "医院", "起火", "着火", "冒烟", "爆炸", "漏电", "触电",
          "危险", "中毒", "发霉", "变质", "过期", "假货", "欺诈", "诈骗", "骗子", "骗人", "12315", "消协",
          "工商", "曝光", "媒体", "律师", "起诉", "报警")
# "挺严重的" is 比较严重, not 非常严重; a bare "严重" still counts as very.
MODERATE = ("比较严重", "挺严重", "蛮严重", "有点严重", "还挺严重", "算严重", "不算太严重", "还算严重")
VERY = ("非常严重", "太严重", "特别严重", "很严重", "严重")
MILD = ("有点", "一点", "稍微", "小问题", "小瑕疵", "不太", "还好", "提个建议", "建议")

EXPECTATION_KEYWORDS: List[Tuple[str, Tuple[str, ...]]] = [
    ("refund", ("退款", "退钱", "退货", "退了", "全额退", "把钱退")),
    ("replacement", ("换货", "换一个", "换个新", "换新", "补发", "重新发", "再发一")),
    ("compensation", ("赔偿", "补偿", "赔钱", "给个说法", "赔", "返现", "优惠券")),
    ("ship", ("赶紧发", "马上发", "尽快发", "快点发", "立刻发", "催发", "加急", "早点发", "给我发货",
              "赶快发", "抓紧发", "快发货")),
    ("apology", ("道歉", "赔礼")),
    ("feedback", ("反馈", "改进", "建议", "提个意见")),
]

DONE_SIGNALS = ("没了", "没有了", "就这些", "就这样", "说完了", "没别的", "没其他", "没有其他", "就这么多",
                "没啥了", "没什么了", "没", "没有", "好了", "完了", "嗯", "是的", "对", "不用了")

EMPATHY: Dict[str, str] = {
    "product_quality": "收到的东西有质量问题，换谁都会很失望，真的非常抱歉让您遇到这种情况😔",
    "wrong_or_missing": "发错或少发真是我们的失误，让您白白等了一场，非常抱歉😔",
    "delivery": "等快递等得这么着急，东西还没好好送到您手上，真的非常抱歉😔",
    "service_attitude": "让您在我们这里受了气，真的很对不起，这是我们的服务没做好😔",
    "price": "价格上让您觉得吃亏了，换作是我也会不舒服，非常抱歉😔",
    "after_sales": "售后办得不顺利，还要您反复来找，真的很抱歉😔",
    "other": "给您带来了这么不好的体验，真的非常抱歉😔",
}

SCORE_WORDS = (
    ("非常不满意", 1), ("很不满意", 1), ("不满意", 2), ("非常满意", 5), ("很满意", 5), ("五星", 5),
    ("满分", 5), ("很差", 1), ("太差", 1), ("一般", 3), ("还行", 3), ("凑合", 3), ("满意", 4),
)
UNRESOLVED_WORDS = ("没解决", "未解决", "没有解决", "没处理", "没弄好", "还没好", "没好", "还没",
                    "没有", "没呢", "不是", "不对", "不行", "没用", "还是不", "还是坏", "依然", "仍然", "并没", "没收到")
RESOLVED_WORDS = ("解决了", "已解决", "处理好", "弄好了", "搞定", "好了", "可以了", "收到了", "没问题",
                  "没事了", "是的", "是", "嗯", "对", "ok", "OK", "行")
CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}


SIGNED_WORDS = ("签收", "已送达", "显示送到", "显示已送", "送达了", "已妥投")


def signed_but_missing(text: str) -> bool:
    """The customer says a parcel shown as signed for never reached them ("显示签收了可我没收到")."""
    return any(w in text for w in SIGNED_WORDS) and any(w in text for w in NOT_RECEIVED)


def normalise_category(value: Optional[str]) -> Optional[str]:
    """A category code the CRM knows, from an entity value, a code or a Chinese label."""
    if not value:
        return None
    value = CATEGORY_ALIASES.get(value, value)
    if value in CATEGORY_LABELS:
        return value
    for code, label in CATEGORY_LABELS.items():
        if value in label.split("/") or value == label:
            return code
    return infer_category([value])


def infer_category(texts: Iterable[str]) -> Optional[str]:
    """The first category whose keywords appear, in order of specificity; None if unclear."""
    joined = " ".join(texts)
    for code, words in CATEGORY_KEYWORDS:
        if any(word in joined for word in words):
            return code
    return None


def infer_severity(texts: Iterable[str]) -> Optional[str]:
    """High for safety, health, fraud or escalation threats and "非常严重"; medium for "挺严重";
    low for mild wording; else None."""
    joined = " ".join(texts)
    if any(word in joined for word in SEVERE):
        return "high"
    if any(word in joined for word in MODERATE):
        return "medium"
    if any(word in joined for word in VERY):
        return "high"
    if any(word in joined for word in MILD):
        return "low"
    return None


def normalise_severity(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    if value in SEVERITY_LABELS:
        return value
    for code, label in SEVERITY_LABELS.items():
        if label in value:
            return code
    return infer_severity([value]) or ("medium" if "严重" in value else None)


def infer_expectation(texts: Iterable[str]) -> Optional[str]:
    joined = " ".join(texts)
    for code, words in EXPECTATION_KEYWORDS:
        if any(word in joined for word in words):
            return code
    return None


def normalise_expectation(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    if value in EXPECTATION_LABELS:
        return value
    return infer_expectation([value])


CORRECTION_MARKERS = ("不对", "不是", "错了", "搞错", "弄错", "说错", "选错", "点错", "应该是", "换成",
                      "改成", "其实是")


def is_correction(text: str) -> bool:
    """'不对，是另一单' — the customer is correcting something said before."""
    return any(marker in text for marker in CORRECTION_MARKERS)


def is_done_signal(text: str) -> bool:
    """'没了' / '就这些' / '嗯' — the customer has finished telling the story."""
    stripped = re.sub(r"[\s,，。.!！~～…、]+", "", text)
    return stripped in DONE_SIGNALS or any(
        stripped.startswith(s) and len(stripped) <= len(s) + 3 for s in DONE_SIGNALS[:9]
    )


def empathy(category: Optional[str]) -> str:
    return EMPATHY.get(category or "other", EMPATHY["other"])


def parse_resolved(text: str) -> Optional[bool]:
    """Whether the follow-up answer says the problem is solved; None when it says neither."""
    compact = re.sub(r"\s+", "", text)
    if any(word in compact for word in UNRESOLVED_WORDS):
        return False
    if any(word in compact for word in RESOLVED_WORDS):
        return True
    return None


def parse_score(text: str) -> Optional[int]:
    """1–5 from '4', '4分', '五星', '满意'…; None when the text holds no score."""
    digits = re.findall(r"(?<!\d)([1-5])(?!\d)", text)
    if digits:
        return int(digits[0])
    match = re.search(r"([一二两三四五])\s*(分|星|颗星)", text)
    if match:
        return CHINESE_DIGITS[match.group(1)]
    for word, score in SCORE_WORDS:
        if word in text:
            return score
    return None


def fit_words(words: Iterable[str], max_words: int = MAX_WORDS,
              max_length: int = MAX_WORD_LENGTH) -> List[str]:
    """The customer's words in the pieces the CRM stores (at most `max_words` of `max_length`
    characters): long messages are split, short ones merged only when there are too many; text
    beyond the whole capacity is cut with "…"."""
    pieces = [word[i:i + max_length] for word in words if word.strip()
              for i in range(0, len(word), max_length)]
    if len(pieces) <= max_words:
        return pieces
    merged: List[str] = []
    for piece in pieces:
        if merged and len(merged[-1]) + 1 + len(piece) <= max_length:
            merged[-1] += "\n" + piece
        else:
            merged.append(piece)
    if len(merged) > max_words:
        merged = merged[:max_words]
        merged[-1] = merged[-1][:max_length - 1] + "…"
    return merged
