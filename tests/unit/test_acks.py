"""A committed batch is acked with one frame only when nothing earlier on its channel is still in hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from aio_pika.abc import AbstractIncomingMessage

from shared.bus.acks import InHand


@dataclass(eq=False)
class Channel:
    is_closed: bool = False


@dataclass
class Message:
    """The two attributes of an aio-pika delivery that InHand reads."""

    delivery_tag: int
    on: Channel = field(default_factory=Channel)

    @property
    def channel(self) -> Channel:
        if self.on.is_closed:
            raise RuntimeError("channel closed")  # as aio-pika does
        return self.on


def deliver(hand: InHand, channel: Channel, *tags: int) -> list[Any]:
    messages = [Message(tag, channel) for tag in tags]
    for m in messages:
        hand.hold(cast(AbstractIncomingMessage, m))
    return messages


def acks(hand: InHand, messages: list[Any]) -> list[tuple[int, bool]]:
    return [(m.delivery_tag, multiple) for m, multiple in hand.acks(messages)]


def test_a_batch_with_nothing_earlier_in_hand_is_acked_once_up_to_its_highest_tag():
    hand, channel = InHand(), Channel()
    first, second, third = deliver(hand, channel, 1, 2, 3)
    assert acks(hand, [second, first, third]) == [(3, True)]
    assert hand.held() == 0


def test_a_batch_behind_a_delivery_still_in_hand_is_acked_message_by_message():
    hand, channel = InHand(), Channel()
    held_back, *batch = deliver(hand, channel, 1, 2, 3)  # tag 1: another applier, or a retry's back-off
    assert acks(hand, batch) == [(2, False), (3, False)]
    hand.release(held_back)  # nacked for its retry
    later = deliver(hand, channel, 4, 5)
    assert acks(hand, later) == [(5, True)]


def test_deliveries_after_the_batch_do_not_stop_the_multiple_ack():
    hand, channel = InHand(), Channel()
    *batch, _still_in_hand = deliver(hand, channel, 1, 2, 3)
    assert acks(hand, batch) == [(2, True)]
    assert hand.held() == 1


def test_a_single_message_is_acked_alone():
    hand, channel = InHand(), Channel()
    (only,) = deliver(hand, channel, 7)
    assert acks(hand, [only]) == [(7, False)]


def test_tags_are_kept_per_channel_and_a_closed_channels_tags_are_forgotten():
    hand, old, new = InHand(), Channel(), Channel()
    deliver(hand, old, 1, 2)  # in hand when the connection broke
    old.is_closed = True
    batch = deliver(hand, new, 1, 2)  # the reopened channel counts from 1 again
    assert acks(hand, batch) == [(2, True)]
    assert hand.held() == 0


def test_a_message_whose_channel_closed_is_acked_alone_so_the_failure_is_reported():
    hand, channel = InHand(), Channel()
    batch = deliver(hand, channel, 1, 2)
    channel.is_closed = True
    assert acks(hand, batch) == [(1, False), (2, False)]
