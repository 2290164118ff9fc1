"""Which deliveries a consumer holds, so a committed batch is acked with one frame where that is safe.

An ack with `multiple=True` settles every outstanding delivery of the channel up to its tag. It may stand
for a batch only when no earlier delivery of that channel is still in hand: one held by another applier's
transaction, or waiting out a retry's back-off, must not be acked before its own outcome. When one is, the
batch is acked message by message, as before. (One ack frame per message was the consumer's largest
cost after the database: a socket write each, measured by bench/backbone.)

It relies on aio-pika starting the message callbacks in delivery order, so a delivery in a batch was held
after every earlier delivery of its channel had been.

Delivery tags count per channel and start again on a reopened channel, so they are kept per channel; the
tags of a channel that has closed are forgotten (the broker has already requeued those messages).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from aio_pika.abc import AbstractIncomingMessage


class InHand:
    def __init__(self) -> None:
        self._tags: dict[object, set[int]] = {}

    def hold(self, message: AbstractIncomingMessage) -> None:
        """Note a delivery as it arrives; every held delivery is later released or acked here."""
        channel = _open_channel(message)
        if channel is not None and message.delivery_tag is not None:
            self._tags.setdefault(channel, set()).add(message.delivery_tag)

    def release(self, message: AbstractIncomingMessage) -> None:
        """Forget a delivery that is being settled on its own (acked, nacked or dead-lettered)."""
        channel = _open_channel(message)
        if channel is None:
            self._forget_closed_channels()
            return
        tags = self._tags.get(channel)
        if tags is not None:
            tags.discard(message.delivery_tag or 0)

    def acks(
        self, messages: Sequence[AbstractIncomingMessage]
    ) -> Iterator[tuple[AbstractIncomingMessage, bool]]:
        """Release the messages of a committed batch and say how to ack them: (message, multiple).

        Per channel, one ack of the highest tag with multiple=True when nothing earlier is still held,
        otherwise one ack per message."""
        by_channel: dict[object, list[AbstractIncomingMessage]] = {}
        for message in messages:
            channel = _open_channel(message)
            if channel is None or message.delivery_tag is None:
                yield message, False  # its channel is gone: the ack will fail and say so
                continue
            by_channel.setdefault(channel, []).append(message)
        for channel, group in by_channel.items():
            held = self._tags.get(channel, set())
            held.difference_update(m.delivery_tag for m in group)
            highest = max(group, key=lambda m: m.delivery_tag or 0)
            if len(group) > 1 and all(tag > (highest.delivery_tag or 0) for tag in held):
                yield highest, True
            else:
                yield from ((m, False) for m in group)
        self._forget_closed_channels()

    def held(self) -> int:
        return sum(len(tags) for tags in self._tags.values())

    def _forget_closed_channels(self) -> None:
        for channel in [c for c in self._tags if getattr(c, "is_closed", False)]:
            del self._tags[channel]


def _open_channel(message: AbstractIncomingMessage) -> object | None:
    try:
        return message.channel  # aio-pika raises once the message's channel has closed
    except Exception:
        return None
