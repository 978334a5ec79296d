#!/usr/bin/env python3
"""Reads an iCalendar file with the independent `icalendar` parser (PyPI) and prints, as JSON,
what Quad's tests compare: each event's UID, SEQUENCE, summary, start, alarm, EXDATEs and its
first occurrences expanded by `dateutil` (RRULE minus EXDATE), all in UTC.

Usage: check-ical.py FILE [OCCURRENCES]   (exit 2 when the file does not parse)
"""
import json
import sys
from datetime import timezone

import icalendar
from dateutil.rrule import rruleset, rrulestr


def utc(value):
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as error:  # a parse failure is the answer, not a crash
        print(json.dumps({"error": str(error)}))
        sys.exit(2)
    result = {"version": str(calendar.get("VERSION")), "prodid": str(calendar.get("PRODID")),
              "timezones": [str(zone.get("TZID")) for zone in calendar.walk("VTIMEZONE")], "events": []}
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        rules = rruleset()
        if event.get("RRULE") is not None:
            rules.rrule(rrulestr(event.get("RRULE").to_ical().decode(), dtstart=start))
        else:
            rules.rdate(start)
        exdates = []
        raw = event.get("EXDATE")
        for group in (raw if isinstance(raw, list) else [raw] if raw is not None else []):
            for item in group.dts:
                exdates.append(utc(item.dt))
                rules.exdate(item.dt)
        occurrences = []
        for occurrence in rules:
            occurrences.append(utc(occurrence))
            if len(occurrences) >= limit:
                break
        alarms = [int(alarm.decoded("TRIGGER").total_seconds()) for alarm in event.walk("VALARM")]
        result["events"].append({
            "uid": str(event.get("UID")), "sequence": int(event.get("SEQUENCE")), "summary": str(event.get("SUMMARY")),
            "description": str(event.get("DESCRIPTION")), "tzid": start.tzinfo.key if hasattr(start.tzinfo, "key") else str(start.tzinfo),
            "start": utc(start), "duration_seconds": int(event.decoded("DURATION").total_seconds()),
            "exdates": exdates, "occurrences": occurrences, "alarm_seconds": alarms,
        })
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
