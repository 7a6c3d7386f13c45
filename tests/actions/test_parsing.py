import pytest

from bot.actions.parsing import extract_order_no, extract_phone_tail


@pytest.mark.parametrize(
    "text, expected",
    [
        ("KF202611150023", "KF202611150023"),
        ("订单号kf202611150023到哪了", "KF202611150023"),
        ("ＫＦ２０２６１１１５００２３", "KF202611150023"),
        ("查下KF٢٠٢٦١١١٥٠٠٢٣", "KF202611150023"),
        ("KF۲۰۲۶۱۱۱۵۰۰۲۳ 到哪了", "KF202611150023"),
        ("单号是 KF 202611150023", "KF202611150023"),
        ("KF20261115002", None),
        ("KF2026111500231", None),
        ("XKF202611150023", None),
        ("我的快递到哪了", None),
    ],
)
def test_extract_order_no(text, expected):
    assert extract_order_no(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1234", "1234"),
        ("尾号5678", "5678"),
        ("尾号٥٦٧٨", "5678"),
        ("手机后四位是 0021 哦", "0021"),
        ("13812345678", "5678"),
        ("电话 138 1234 5678", "1234"),
        ("KF202611150023", None),
        ("KF202611150023 尾号 9933", "9933"),
        ("123", None),
        ("123456", None),
        ("不知道", None),
    ],
)
def test_extract_phone_tail(text, expected):
    assert extract_phone_tail(text) == expected
