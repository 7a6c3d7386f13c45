"""Who a conversation's customer is: signed tokens and order-number binding."""
