"""Demo cases: the applications of the past weeks as the portal would have
recorded them, for trying the desks, queues, timelines and supervision.

Every case goes through the real intake and workflow functions — a draft
with its answers and materials, the submit that numbers it, the window's
decision, the agencies' tasks stage by stage, the hand-over — each called
with ``now`` set to the moment it happens, so every status change leaves
the events, notices, messages, due dates and suspensions the real system
writes. Window clerks and officers act in office hours on working days;
residents may apply online in the evening or at the weekend. Nothing is
dated after the ``now`` given, and a step that would be is simply not taken
yet: the case stays where it is.

Residence permits (居住证) follow their rules: first-issue applicants live
away from their household registration and have lived here six months or
more with a basis and its proof, but about one in eight has not lived here
long enough and is refused at completion with the rule named (as a counter
case would be: the generator files drafts directly, not through the web
form's own checks). An endorsement or a replacement is asked for by someone
who already holds a permit: an earlier first-issue case, dated before the
endorsement or replacement (usually before the period, about a year back
for an endorsement), issued it through the same functions. Nobody who
holds a permit, or has asked for any permit service before, applies for a
permit service again: such a person is passed over for another one.

The same seed and the same ``now`` give the same cases: the same people,
services, times and outcomes (case numbers continue from what the database
already holds; query codes and idempotency tokens stay random). On a
database that already holds generated cases, the people applying for
permit services are other ones (those of the earlier run hold permits or
have applied), chosen deterministically and alike in everything that
decides the case, so a second run gives the same summary.

The package, by responsibility: ``run`` (the command's run: prepare, plan,
carry in batches), ``setting`` (what every step needs), ``plans`` (each
case's outcome, service, applicant and arrival), ``people`` (applicants,
ID numbers, resident accounts), ``times`` (office hours, working days),
``permits`` (the residence-permit rules and earlier first issues),
``drafts`` (form answers and sample files), ``intake`` (the window),
``agencies`` (the stages), ``journeys`` (one case's whole life),
``report`` (the summary printed) and ``accounts`` (the demo accounts
README lists, which ``demo load`` creates and ``demo remove`` deletes with
every case they touched).
"""

from portal.demo_cases.report import Report
from portal.demo_cases.run import generate_cases
from portal.demo_cases.setting import DemoCasesError

__all__ = ["DemoCasesError", "Report", "generate_cases"]
