from bot.actions.order_replies import choose_order, describe_order, short_time
from bot.actions.orders import orders_in_question

SHIPPED = {
    "order_no": "KF202611150023",
    "status": "shipped",
    "status_label": "已发货",
    "item_summary": "纯棉T恤 等2件",
    "total_yuan": "199.00",
    "created_at": "2026-11-15T10:00:00+08:00",
    "shipment": {
        "carrier": "顺丰速运",
        "tracking_no": "SF1234567890",
        "events": [
            {"time": "2026-11-19T14:32:00+08:00", "location": "上海市",
             "description": "【上海市】快递员正在派送，请保持电话畅通"},
            {"time": "2026-11-18T08:00:00+08:00", "location": "杭州市",
             "description": "【杭州市】快件已揽收"},
        ],
    },
    "refund": None,
}


def test_short_time_is_beijing_month_day_minute():
    assert short_time("2026-11-19T14:32:00+08:00") == "11月19日 14:32"


def test_shipped_order_names_carrier_and_latest_event_only():
    text = describe_order(SHIPPED)
    assert "KF202611150023" in text and "已发货" in text
    assert "顺丰速运" in text and "SF1234567890" in text
    assert "11月19日 14:32" in text and "快递员正在派送" in text
    assert "快件已揽收" not in text


def test_unshipped_order_explains_what_happens_next():
    order = dict(SHIPPED, status="pending_shipment", status_label="待发货", shipment=None)
    text = describe_order(order)
    assert "待发货" in text and "备货" in text and "运单号" not in text


def test_refund_is_described():
    order = dict(SHIPPED, status="refunding", status_label="退款中", shipment=None,
                 refund={"status_label": "处理中", "amount_yuan": "99.00", "reason": "尺码不合适",
                         "created_at": "2026-11-16T09:05:00+08:00"})
    text = describe_order(order)
    assert "退款 ¥99.00" in text and "11月16日 09:05" in text


def test_choices_carry_the_order_number_in_the_payload():
    text, buttons = choose_order([SHIPPED, dict(SHIPPED, order_no="KF202611160001")])
    assert "哪一笔" in text
    assert buttons[1]["payload"] == '/order_status{"order_no":"KF202611160001"}'


def test_open_orders_are_in_question_before_finished_ones():
    delivered = dict(SHIPPED, order_no="KF1", status="delivered")
    shipped = dict(SHIPPED, order_no="KF2")
    unpaid = dict(SHIPPED, order_no="KF3", status="pending_payment")
    assert orders_in_question([delivered, shipped, unpaid]) == [shipped, unpaid]
    assert orders_in_question([delivered, dict(delivered, order_no="KF4")]) == [delivered]
    assert orders_in_question([]) == []
