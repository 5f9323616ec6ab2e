"""All models, imported here so that Alembic's autogenerate sees every table."""

from planner.models.action_items import (
    ActionItem,
    ActionItemReminder,
    ActionItemStatus,
    by_due_date,
)
from planner.models.agendas import (
    Agenda,
    AgendaItem,
    AgendaItemKind,
    AgendaVersion,
    StandingItem,
    StandingPlacement,
)
from planner.models.audit import AuditEvent
from planner.models.base import Base, utcnow
from planner.models.calendar import CalendarToken
from planner.models.commitments import (
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    commitment_lead,
)
from planner.models.dialogues import (
    CandidateStatus,
    Classification,
    CommitmentCandidate,
    Dialogue,
    DialogueLevel,
    DocumentKind,
    DocumentSection,
    HostRotation,
    Membership,
    MembershipRole,
    SourceDocument,
    Theme,
)
from planner.models.inbox import (
    CalendarReply,
    ReplyProblem,
    ReplySource,
    ReplyStatus,
)
from planner.models.jobs import FailedJob, FailedJobStatus
from planner.models.meetings import (
    InviteeRole,
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingFormat,
    MeetingInvitee,
    MeetingStatus,
    Response,
)
from planner.models.minutes import (
    ApprovalMethod,
    Attendance,
    AttendanceStatus,
    Decision,
    Minutes,
    MinutesAmendment,
    MinutesApproval,
    MinutesNote,
    MinutesStatus,
)
from planner.models.outbox import OutboxMessage, OutboxStatus
from planner.models.participants import Participant, ParticipantKind
from planner.models.people import DialogueRole, DialogueRoleKind, Person
from planner.models.tokens import ApiToken, PasswordToken, PasswordTokenPurpose

__all__ = [
    "FailedJob",
    "FailedJobStatus",
    "ActionItem", "ActionItemReminder", "ActionItemStatus", "Agenda", "ApiToken", "PasswordToken",
    "PasswordTokenPurpose", "AgendaItem", "AgendaItemKind", "by_due_date",
    "AgendaVersion", "ApprovalMethod", "Attendance", "AttendanceStatus", "AuditEvent", "Base",
    "CalendarReply", "CalendarToken", "CandidateStatus", "Classification", "CommitmentCandidate",
    "Commitment",
    "CommitmentStatus",
    "CommitmentStatusChange", "Decision", "Dialogue", "DialogueLevel", "DialogueRole",
    "DialogueRoleKind", "DocumentKind", "DocumentSection", "HostRotation", "InviteeRole",
    "Meeting", "MeetingChange", "MeetingChangeKind", "MeetingFormat", "MeetingInvitee",
    "MeetingStatus", "Membership", "MembershipRole", "Minutes", "MinutesAmendment",
    "MinutesApproval", "MinutesNote", "MinutesStatus", "OutboxMessage", "OutboxStatus",
    "Participant", "ParticipantKind", "Person", "ReplyProblem", "ReplySource",
    "ReplyStatus", "Response", "SourceDocument", "StandingItem",
    "StandingPlacement", "Theme", "commitment_lead", "utcnow",
]
