"""The rule that reads "继续投诉" as a complaint."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.complaint_resume import ComplaintResumeOverride, resumes_a_complaint


@pytest.mark.parametrize("text", ["继续投诉", "我要继续投诉！", "接着刚才的投诉吧", "那就继续投诉",
                                  "还是要投诉", "麻烦继续登记投诉"])
def test_going_on_with_a_complaint(text):
    assert resumes_a_complaint(text)


@pytest.mark.parametrize("text", ["会继续支持的", "继续在你们家买", "投诉进度怎么样了", "继续",
                                  "我不想继续投诉了", "继续投诉有用吗，上次都没人管"])
def test_other_messages_are_left_to_the_classifier(text):
    assert not resumes_a_complaint(text)


def test_override_puts_complain_first():
    message = Message(data={"text": "继续投诉", "intent": {"name": "affirm", "confidence": 0.9},
                            "intent_ranking": [{"name": "affirm", "confidence": 0.9}]})
    ComplaintResumeOverride({}).process([message])
    assert message.get("intent") == {"name": "complain", "confidence": 1.0}
