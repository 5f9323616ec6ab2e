"""Signals between areas: one area acts, others react in the same transaction.

For example, scheduling sends `meeting_changed` after it moves or cancels a meeting;
the calendar area answers by queueing the updated invites in the outbox. Receivers
must only add to the session, never commit: the sender's caller commits once."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Meeting; keyword `change`: the MeetingChange just recorded.
meeting_changed = _signals.signal("meeting-changed")

#: sender: the AgendaVersion just circulated; keyword `notify`: whether to e-mail members.
agenda_circulated = _signals.signal("agenda-circulated")
