"""Every write: keyword-only functions, each one transaction, each change audited (DESIGN.md "Where things live").

One module per sub-domain; the public names stay importable from `cases.services`.
"""

from cases.services.assignment import assignable_clerks, assignment_refusal, case_assign
from cases.services.calendar import calendar_enter, due_dates_recompute
from cases.services.common import CODE_ALPHABET, mark_read, mark_seen, random_code, record_activity, record_event, step_deadline
from cases.services.contributions import (
    CORRECTABLE_FIELDS,
    INSURANCE_WORDS,
    MAX_MONEY,
    PERIOD_LOCKED,
    contribution_check,
    contribution_correct,
    contribution_delete,
    contributions_changed,
    contributions_record,
    parse_insurance_type,
    parse_money,
    parse_month,
    period_as_record,
)
from cases.services.duplicates import duplicates_resolve, sync_duplicates
from cases.services.funds import FUNDS_STATES, funds_after_transition, receipt_record, remittance_record
from cases.services.notes import ATTACHMENT_SIGNATURES, case_add_attachment, case_add_note, sniff_content_type
from cases.services.portal import (
    MAX_WORKER_FILES_PER_CASE,
    OnlineApplication,
    TooManyAttempts,
    case_apply_online,
    case_worker_access,
    case_worker_add_material,
    case_worker_provide_info,
    case_worker_withdraw,
    status_lookup,
)
from cases.services.reminders import reminders_send
from cases.services.transitions import (
    MAX_OPEN_APPLICATIONS_PER_ID_NUMBER,
    TRANSITION_FIELDS,
    case_check_access_code,
    case_issue_access_code,
    case_open,
    case_open_application,
    case_transition,
)
from cases.services.workers import worker_access_record, worker_register

__all__ = [
    "ATTACHMENT_SIGNATURES",
    "CODE_ALPHABET",
    "CORRECTABLE_FIELDS",
    "FUNDS_STATES",
    "INSURANCE_WORDS",
    "MAX_MONEY",
    "MAX_OPEN_APPLICATIONS_PER_ID_NUMBER",
    "MAX_WORKER_FILES_PER_CASE",
    "PERIOD_LOCKED",
    "TRANSITION_FIELDS",
    "OnlineApplication",
    "TooManyAttempts",
    "assignable_clerks",
    "assignment_refusal",
    "calendar_enter",
    "case_add_attachment",
    "case_add_note",
    "case_apply_online",
    "case_assign",
    "case_check_access_code",
    "case_issue_access_code",
    "case_open",
    "case_open_application",
    "case_transition",
    "case_worker_access",
    "case_worker_add_material",
    "case_worker_provide_info",
    "case_worker_withdraw",
    "contribution_check",
    "contribution_correct",
    "contribution_delete",
    "contributions_changed",
    "contributions_record",
    "due_dates_recompute",
    "duplicates_resolve",
    "funds_after_transition",
    "mark_read",
    "mark_seen",
    "parse_insurance_type",
    "parse_money",
    "parse_month",
    "period_as_record",
    "random_code",
    "receipt_record",
    "record_activity",
    "record_event",
    "reminders_send",
    "remittance_record",
    "sniff_content_type",
    "status_lookup",
    "step_deadline",
    "sync_duplicates",
    "worker_access_record",
    "worker_register",
]
