"""The October 2025 Asia tour: Kuala Lumpur, then Tokyo, then South Korea.

Facts come from ``shared/seed/asia-tour-2025.txt``. The text gives dates but few clock
times: every time marked ``# assumed`` below is ours, not the text's.

Run it with ``python examples/asia_tour_2025.py``.
"""

from __future__ import annotations

import pendulum

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    EventLog,
    MeetingHeld,
    Obligation,
    replay,
)
from itinerary.agenda import agenda, format_agenda
from itinerary.events import format_local
from itinerary.places import BUSAN, GYEONGJU, KUALA_LUMPUR, TOKYO

TRUMP = "Donald Trump"
TAKAICHI = "Sanae Takaichi"
NARUHITO = "Emperor Naruhito"
AKASAKA = "Akasaka State Guest House"


def tour() -> EventLog:
    """The tour as an event log, in the order the text tells it."""
    return EventLog().extend(
        [
            # "Trump attended the ASEAN Summit in Malaysia on October 26, 2025."
            Arrived(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-26 10:00")),  # assumed
            MeetingHeld(
                "ASEAN Summit",
                (TRUMP,),
                KUALA_LUMPUR,
                KUALA_LUMPUR.at("2025-10-26 14:00"),  # assumed
                KUALA_LUMPUR.at("2025-10-26 17:00"),  # assumed
            ),
            # "... and traveled to Japan on October 27."
            Departed(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),  # assumed
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 16:30")),  # assumed (Haneda)
            # "On the evening of October 27 ... Trump met with Emperor Naruhito."
            MeetingHeld(
                "Meeting with the Emperor",
                (TRUMP, NARUHITO),
                TOKYO,
                TOKYO.at("2025-10-27 18:00"),  # assumed ("evening")
                TOKYO.at("2025-10-27 18:45"),  # assumed
            ),
            # "The leaders' summit ... was held on October 28, 2025, at the Akasaka State
            # Guest House in Tokyo."
            MeetingHeld(
                "U.S.-Japan summit",
                (TRUMP, TAKAICHI),
                TOKYO,
                TOKYO.at("2025-10-28 10:00"),  # assumed
                TOKYO.at("2025-10-28 11:30"),  # assumed
                venue=AKASAKA,
            ),
            # "... a framework agreement on the security of supply for rare earth elements
            # and critical minerals was signed ... relevant ministries would identify
            # actionable projects and provide financial support within six months."
            AgreementSigned(
                "Critical minerals and rare earths framework",
                (TRUMP, TAKAICHI),
                TOKYO,
                TOKYO.at("2025-10-28 12:00"),  # assumed
                venue=AKASAKA,
                obligations=[
                    Obligation(
                        "identify actionable projects and provide financial support",
                        within=pendulum.duration(months=6),
                    )
                ],
            ),
            # "A new trade agreement was signed alongside efforts to expand bilateral trade."
            AgreementSigned(
                "U.S.-Japan trade agreement",
                (TRUMP, TAKAICHI),
                TOKYO,
                TOKYO.at("2025-10-28 12:15"),  # assumed
                venue=AKASAKA,
            ),
            # "... meetings with representatives of Japan's business community"
            MeetingHeld(
                "Meeting with Japan's business community",
                (TRUMP,),
                TOKYO,
                TOKYO.at("2025-10-28 18:00"),  # assumed (day and time)
                TOKYO.at("2025-10-28 19:00"),  # assumed
            ),
            # "After concluding his engagements in Tokyo, he is scheduled to proceed to South
            # Korea" for the APEC summit. Busan as the arrival airport and Gyeongju as the
            # summit city are assumed; the text says only "South Korea".
            Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=BUSAN),  # assumed
            Arrived(TRUMP, BUSAN, BUSAN.at("2025-10-29 12:20")),  # assumed
            Departed(TRUMP, BUSAN, BUSAN.at("2025-10-29 13:00"), to=GYEONGJU),  # assumed
            Arrived(TRUMP, GYEONGJU, GYEONGJU.at("2025-10-29 13:40")),  # assumed
            MeetingHeld(
                "APEC Summit",
                (TRUMP,),
                GYEONGJU,
                GYEONGJU.at("2025-10-29 15:00"),  # assumed
                GYEONGJU.at("2025-10-29 17:00"),  # assumed
            ),
        ]
    )


def report(log: EventLog) -> str:
    """The agenda, whereabouts at chosen instants, agreements and deadlines, as text."""
    out = ["Agenda (each place's local time)", "", format_agenda(agenda(log)), ""]
    out.append("Whereabouts")
    instants = [
        ("2025-10-26 15:00 in Kuala Lumpur", KUALA_LUMPUR.at("2025-10-26 15:00")),
        ("2025-10-27 13:00 in Tokyo", TOKYO.at("2025-10-27 13:00")),
        ("2025-10-28 12:30 in Tokyo", TOKYO.at("2025-10-28 12:30")),
        ("2025-10-29 14:00 in Gyeongju", GYEONGJU.at("2025-10-29 14:00")),
    ]
    for label, instant in instants:
        state = replay(log, as_of=instant)
        for who in (TRUMP, TAKAICHI):
            where = state.where(who)
            if where.place is not None:
                since = format_local(where.since, where.place) if where.since else "?"
                text = f"in {where.place.name} (since {since})"
            elif where.in_transit:
                bound = where.destination.name if where.destination else "unknown"
                text = f"in transit from {where.origin.name} to {bound}"  # type: ignore[union-attr]
            else:
                text = "not known yet"
            out.append(f"  {label:<30} {who:<15} {text}")
    final = replay(log)
    out += ["", f"Agreements signed (as of {format_local(final.as_of, TOKYO)} Tokyo time)"]
    for signing in final.agreements:
        venue = f", {signing.venue}" if signing.venue else ""
        out.append(
            f"  {format_local(signing.at, signing.place)}  {signing.title} "
            f"({' and '.join(signing.signatories)}; {signing.place.name}{venue})"
        )
    for label, state in (
        ("Pending deadlines at the end of the tour", final),
        ("Deadlines as of 2026-05-01 09:00 Tokyo time", replay(log, TOKYO.at("2026-05-01 09:00"))),
    ):
        out += ["", label]
        for deadline in state.deadlines:
            if label.startswith("Pending") and deadline.status != "pending":
                continue
            out.append(
                f"  due {format_local(deadline.due, deadline.place)} ({deadline.place.name})  "
                f"{deadline.status:<8} {deadline.agreement}: {deadline.what}"
            )
    return "\n".join(out)


def main() -> None:
    """Print the report for the tour."""
    print(report(tour()))


if __name__ == "__main__":
    main()
