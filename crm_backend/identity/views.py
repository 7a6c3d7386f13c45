"""Conversation bindings to the JSON shapes of the API."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.core.models import ConversationBinding
from crm_backend.core.time import beijing_iso


def binding_json(binding: ConversationBinding) -> Dict[str, Any]:
    """The Binding shape: which customer the conversation is, until when."""
    return {
        "conversation_id": binding.conversation_id,
        "customer_id": binding.customer_id,
        "expires_at": beijing_iso(binding.expires_at),
    }
