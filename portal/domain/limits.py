"""Every limit a person or a partner system meets when acting on a case,
defined once. Forms, API schemas and the OpenAPI document read them from
here, so what a page or a document promises is what the domain enforces."""

from __future__ import annotations

# A task's note: the officer's opinion, the legal reason for refusing, the
# special procedure and why, what the window must do.
TASK_NOTE_MAX = 1000
# A certificate or decision number given with a completed task.
RESULT_NUMBER_MAX = 100
# 特别程序: the expected length of a special procedure, in working days.
SUSPENSION_WORKDAYS_MIN = 1
SUSPENSION_WORKDAYS_MAX = 60
# A window's reasons at intake (correction items, refusal, withdrawal).
INTAKE_REASON_MAX = 500
# A case number as a person types it on the tracking form (KSCS202611280001).
CASE_NUMBER_MAX = 20
# 补正时限: the working days a correction notice gives the applicant, per
# service in the catalog (a catalog-wide default otherwise); also the
# default time for a request to the applicant while a case is handled.
CORRECTION_WORKDAYS_DEFAULT = 5
CORRECTION_WORKDAYS_MIN = 1
CORRECTION_WORKDAYS_MAX = 60
# 收受分离 / 邮寄送达: a waybill number, the note on missing originals, a postal address.
WAYBILL_MAX = 30
PAPER_NOTE_MAX = 500
POSTAL_ADDRESS_MAX = 200
# Working days a paper file may be in transit before the sweep raises an alert (PORTAL_PAPER_TRANSIT_WORKDAYS).
PAPER_TRANSIT_WORKDAYS_DEFAULT = 3
