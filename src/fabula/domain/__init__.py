"""The pure domain layer: events, deciders, class-style aggregates. No I/O, stdlib only."""

from fabula._errors import DomainError
from fabula.domain._aggregate import Aggregate, AggregateClass, as_decider, decides, evolves
from fabula.domain._decider import Decider, fold
from fabula.domain._envelope import JSONValue, Recorded, recorded
from fabula.domain._event import EventType, event, event_type_of
from fabula.domain._personal import REDACTED, STREAM, Personal, SubjectForgotten, SubjectFrom
from fabula.domain._tombstone import StreamTombstone

__all__ = [
    "REDACTED",
    "STREAM",
    "Aggregate",
    "AggregateClass",
    "Decider",
    "DomainError",
    "EventType",
    "JSONValue",
    "Personal",
    "Recorded",
    "StreamTombstone",
    "SubjectForgotten",
    "SubjectFrom",
    "as_decider",
    "decides",
    "event",
    "event_type_of",
    "evolves",
    "fold",
    "recorded",
]
