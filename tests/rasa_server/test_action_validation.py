"""The action response check Kefu installs in Rasa accepts and refuses exactly what Rasa's own
`jsonschema.validate` call does, with the same error."""

from typing import Any, Dict

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot.action_validation import RASA_HINT, install, response_validator, validate_with

GOOD = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "name": "order_no", "value": "KF202611180009",
                 "timestamp": None},
                {"event": "followup", "name": "action_listen"},
                {"event": "active_loop", "name": None}],
     "responses": [{"text": "您的包裹已发货", "buttons": [{"title": "是", "payload": "/affirm"}]}]},
    {"events": [{"event": "bot", "text": "好的", "data": {}}], "responses": [{"response": "utter_ok"}]},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["text outside an object"]},
    {"events": [{"name": "x"}]},  # no event type
    [],
]


def rasa_error(response: Any) -> ValidationError:
    """What Rasa 3.6's own check raises for `response`."""
    with pytest.raises(ValidationError) as raised:
        validate(response, RemoteAction.action_response_format_spec())
    return raised.value


@pytest.mark.parametrize("response", GOOD)
def test_valid_responses_pass(response: Dict[str, Any]) -> None:
    validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check agrees
    assert validate_with(response_validator())(None, response) is True


@pytest.mark.parametrize("response", BAD)
def test_malformed_responses_are_refused_with_rasas_error(response: Any) -> None:
    expected = rasa_error(response)
    with pytest.raises(ValidationError) as raised:
        validate_with(response_validator())(None, response)
    assert raised.value.message == expected.message + RASA_HINT
    assert list(raised.value.absolute_path) == list(expected.absolute_path)
    assert raised.value.validator == expected.validator


def test_installed_in_remote_action(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)
    install()
    action = RemoteAction("action_check_order_status", None)
    assert action._validate_action_result(GOOD[2]) is True
    with pytest.raises(ValidationError) as raised:
        action._validate_action_result(BAD[1])
    assert "Failed to validate Action server response" in raised.value.message
