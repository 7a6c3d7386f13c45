"""Action server responses validated with a schema validator built once, not once per call.

Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`, which
checks the schema itself against its meta-schema and builds a new validator on every call: about
a sixth of the Rasa process's time under load. `install()` replaces that check in
`RemoteAction` with the same schema's validator built once: the same responses pass, and a bad
one is refused with the same `ValidationError` (jsonschema's best match, with Rasa's hint added).
"""

from typing import Any, Callable, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# What Rasa adds to the message of a refused response (rasa/core/actions/action.py).
RASA_HINT = (". Failed to validate Action server response from API, make sure your response "
             "from the Action endpoint is valid. For more information about the format visit "
             f"{DOCS_BASE_URL}/custom-actions")


def response_validator() -> Validator:
    """The validator of Rasa's action response schema, the schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_with(validator: Validator) -> Callable[[Any, Dict[Text, Any]], bool]:
    """A `RemoteAction._validate_action_result` that uses `validator`."""

    def _validate_action_result(_: Any, result: Dict[Text, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += RASA_HINT
            raise error
        return True

    return _validate_action_result


def install() -> None:
    """Make every `RemoteAction` of this process validate with the validator built once."""
    RemoteAction._validate_action_result = validate_with(response_validator())

