// Reads an iCalendar file on stdin with ical.js (Thunderbird's engine) and prints its
// events as JSON, with start and end as UTC instants computed from the file's own
// VTIMEZONE (ical.js has no time zone database of its own).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    location: event.location,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
  };
});
process.stdout.write(JSON.stringify({ method: root.getFirstPropertyValue("method"), events }));
