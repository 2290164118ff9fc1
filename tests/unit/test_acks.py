"""A committed batch is acked with one frame only when nothing earlier on its channel is still in hand."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

from aio_pika.abc import AbstractIncomingMessage

from shared.bus.acks import InHand
from shared.bus.metrics import BusMetrics
from shared.bus.settle import Settlement


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


class Broker:
    """A channel's unacknowledged deliveries as RabbitMQ keeps them: an ack of a tag it no longer holds
    is a channel error ("PRECONDITION_FAILED - unknown delivery tag"), which closes the channel."""

    def __init__(self, *tags: int) -> None:
        self.unacked = set(tags)
        self.errors: list[int] = []

    def ack(self, tag: int, multiple: bool) -> None:
        if tag not in self.unacked:
            self.errors.append(tag)
            raise RuntimeError(f"PRECONDITION_FAILED - unknown delivery tag {tag}")
        self.unacked -= {t for t in self.unacked if t <= tag} if multiple else {tag}


@dataclass
class SentMessage(Message):
    """A delivery whose ack is a frame sent to the broker; `gate` holds the frame back until set."""

    broker: Broker | None = None
    gate: asyncio.Event | None = None

    async def ack(self, multiple: bool = False) -> None:
        if self.gate is not None:
            await self.gate.wait()
        assert self.broker is not None
        self.broker.ack(self.delivery_tag, multiple)

    message_id = "m"


async def test_a_multiple_ack_never_overtakes_an_earlier_batchs_acks_still_being_sent():
    # Three batches of one channel on three appliers: B (3, 4) commits first and, A (1, 2) still in
    # hand, acks its messages one by one; while B's first frame is on its way, A commits (one ack up
    # to 2), then C (5, 6), with nothing earlier in hand any more. C's ack up to 6 must wait for B's:
    # sent before them, it settles 3 and 4, and B's own ack of 3 then closes the channel.
    broker, channel, gate = Broker(1, 2, 3, 4, 5, 6), Channel(), asyncio.Event()
    settle = Settlement(queue="q", metrics=BusMetrics())
    a, b, c = (
        [SentMessage(tag, channel, broker, gate if tag == 3 else None) for tag in tags]
        for tags in ((1, 2), (3, 4), (5, 6))
    )
    for message in [*a, *b, *c]:
        settle.hold(cast(AbstractIncomingMessage, message))
    acking_b = asyncio.create_task(settle.ack_committed(cast(list[AbstractIncomingMessage], b)))
    await asyncio.sleep(0)  # B's first ack is on its way, held back at the gate
    acking_a = asyncio.create_task(settle.ack_committed(cast(list[AbstractIncomingMessage], a)))
    acking_c = asyncio.create_task(settle.ack_committed(cast(list[AbstractIncomingMessage], c)))
    for _ in range(5):
        await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(acking_b, acking_a, acking_c)
    assert broker.errors == []
    assert broker.unacked == set()
