"""The fault suite's checker: pure functions over a recorded history (no I/O, no clock).

A history is a dict (JSON as written by run.py):
  posts:  [{channel, client_msg_id, text, writer, invoke, complete, outcome, sequence}]
          outcome "ok" (acknowledged: 201, or 200 for an idempotent retry) with the returned
          sequence and `complete` the time of the acknowledgment; anything else ("info": timed
          out, 503 until the client gave up, connection lost) is possibly applied, as in Jepsen:
          it may appear in the log at most once, or not at all.
  reads:  [{channel, node, invoke, complete, messages: [[sequence, client_msg_id], ...]}]
          successful history reads (the newest page of a channel, one request).
  final:  {node: {channel: [[sequence, client_msg_id, text], ...]}}: every channel's whole log
          read through every node after the faults were healed.
  streams: [{subscriber, channel, events: [[event_sequence, kind, message_sequence,
          client_msg_id], ...], complete: bool}]: what each WebSocket subscriber received per
          channel stream, across its reconnections (resumed with the last event_sequence);
          `complete` when the harness saw it catch up with the final log.

check(history) returns a report: counts per property and up to 20 examples of each; the four
headline figures (lost, duplicated, reordered, stale) fold the properties as follows:
  lost       acknowledged posts missing from a node's final log; messages a complete
             WebSocket stream never delivered; gaps in a WebSocket stream
  duplicated a client_msg_id or a text twice in a log; an event delivered twice on a stream
  reordered  a log whose sequences are not 1..n; logs that differ between nodes; an
             acknowledged sequence that is not the message's place in the final log; two
             acknowledged posts whose sequences contradict their real-time order; a message
             nobody posted; a WebSocket event naming another message than the log
  stale      a read that is not a contiguous slice of the final log, that misses a post
             acknowledged before the read began, that shows a post invoked after it returned,
             or that is shorter than a read which completed before it began
"""

import bisect
from collections import defaultdict

EXAMPLES_MAX = 20  # enough to diagnose, short enough to print


class Report:
    def __init__(self):
        self.counts = defaultdict(int)
        self.examples = defaultdict(list)

    def flag(self, prop, detail):
        self.counts[prop] += 1
        if len(self.examples[prop]) < EXAMPLES_MAX:
            self.examples[prop].append(detail)

    HEADLINE = {
        "lost": ["lost_ack", "ws_missing", "ws_gap"],
        "duplicated": ["duplicate_id", "duplicate_text", "ws_repeat"],
        "reordered": ["log_gap", "replica_divergence", "ack_sequence_mismatch", "realtime_order",
                      "phantom", "ws_wrong_message"],
        "stale": ["read_not_in_log", "stale_read", "future_read", "nonmonotonic_read"],
    }

    def headline(self):
        return {name: sum(self.counts[p] for p in props) for name, props in self.HEADLINE.items()}

    def ok(self):
        return not any(self.counts.values())

    def as_dict(self):
        return {"headline": self.headline(), "counts": dict(self.counts),
                "examples": {k: v for k, v in self.examples.items() if v}}


def check(history):
    report = Report()
    channels = sorted({p["channel"] for p in history["posts"]} |
                      {c for logs in history["final"].values() for c in logs})
    for channel in channels:
        posts = [p for p in history["posts"] if p["channel"] == channel]
        logs = {node: logs.get(channel, []) for node, logs in history["final"].items()}
        reference = check_logs(report, channel, logs)
        check_posts(report, channel, posts, logs, reference)
        reads = [r for r in history.get("reads", []) if r["channel"] == channel]
        check_reads(report, channel, reads, posts, reference)
        streams = [s for s in history.get("streams", []) if s["channel"] == channel]
        check_streams(report, channel, streams, reference)
    return report


def check_logs(report, channel, logs):
    """Each node's log is 1..n without gaps, has no duplicates, and all nodes hold the same log.
    Returns the reference log {sequence: client_msg_id} (the longest node's)."""
    reference_node = max(sorted(logs), key=lambda node: len(logs[node]), default=None)
    for node in sorted(logs):
        log = logs[node]
        sequences = [entry[0] for entry in log]
        if sequences != list(range(1, len(log) + 1)):
            report.flag("log_gap", {"channel": channel, "node": node, "sequences_head": sequences[:10]})
        for prop, column in (("duplicate_id", 1), ("duplicate_text", 2)):
            seen = {}
            for entry in log:
                key = entry[column]
                if key is None:
                    continue
                if key in seen:
                    report.flag(prop, {"channel": channel, "node": node, "key": key,
                                       "sequences": [seen[key], entry[0]]})
                else:
                    seen[key] = entry[0]
        if reference_node is not None and node != reference_node:
            mine = [tuple(e[:2]) for e in log]
            theirs = [tuple(e[:2]) for e in logs[reference_node]]
            if mine != theirs:
                first = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
                report.flag("replica_divergence", {"channel": channel, "node": node, "reference": reference_node,
                                                   "lengths": [len(mine), len(theirs)], "first_difference": first + 1})
    if reference_node is None:
        return {}
    return {entry[0]: entry[1] for entry in logs[reference_node]}


def check_posts(report, channel, posts, logs, reference):
    invoked = {p["client_msg_id"] for p in posts}
    position = {msg_id: sequence for sequence, msg_id in reference.items()}
    for node in sorted(logs):
        present = {entry[1] for entry in logs[node]}
        for p in posts:
            if p["outcome"] == "ok" and p["client_msg_id"] not in present:
                report.flag("lost_ack", {"channel": channel, "node": node, "client_msg_id": p["client_msg_id"],
                                         "acknowledged_sequence": p["sequence"]})
    for sequence, msg_id in sorted(reference.items()):
        if msg_id not in invoked:
            report.flag("phantom", {"channel": channel, "sequence": sequence, "client_msg_id": msg_id})
    acked = [p for p in posts if p["outcome"] == "ok"]
    for p in acked:
        where = position.get(p["client_msg_id"])
        if where is not None and where != p["sequence"]:
            report.flag("ack_sequence_mismatch", {"channel": channel, "client_msg_id": p["client_msg_id"],
                                                  "acknowledged": p["sequence"], "in_log": where})
    # Real time: a post acknowledged before another was invoked must come first in the log.
    acknowledged_before = AcknowledgedBefore(acked)
    for later in acked:
        earlier = acknowledged_before.newest(later["invoke"])
        if earlier is not None and earlier["sequence"] >= later["sequence"]:
            report.flag("realtime_order", {"channel": channel, "earlier": earlier["client_msg_id"],
                                           "earlier_sequence": earlier["sequence"],
                                           "later": later["client_msg_id"], "later_sequence": later["sequence"]})


class AcknowledgedBefore:
    """The acknowledged post with the highest sequence among those acknowledged before a time."""

    def __init__(self, acked):
        ordered = sorted(acked, key=lambda p: p["complete"])
        self.times = [p["complete"] for p in ordered]
        self.best = []
        for p in ordered:
            if not self.best or p["sequence"] > self.best[-1]["sequence"]:
                self.best.append(p)
            else:
                self.best.append(self.best[-1])

    def newest(self, time):
        index = bisect.bisect_left(self.times, time)
        return self.best[index - 1] if index > 0 else None


def check_reads(report, channel, reads, posts, reference):
    acknowledged_before = AcknowledgedBefore([p for p in posts if p["outcome"] == "ok"])
    invoke_of = {p["client_msg_id"]: p["invoke"] for p in posts}
    ordered_reads = sorted(reads, key=lambda r: r["complete"])
    read_times = [o["complete"] for o in ordered_reads]
    read_best = []  # the newest sequence any read completed so far had shown
    for o in ordered_reads:
        shown = max((m[0] for m in o["messages"]), default=0)
        read_best.append(max(shown, read_best[-1] if read_best else 0))
    for r in reads:
        messages = sorted(r["messages"])
        sequences = [m[0] for m in messages]
        if sequences and sequences != list(range(sequences[0], sequences[0] + len(sequences))):
            report.flag("read_not_in_log", {"channel": channel, "node": r["node"], "sequences": sequences[:10]})
        for sequence, msg_id in messages:
            if reference.get(sequence) != msg_id:
                report.flag("read_not_in_log", {"channel": channel, "node": r["node"], "sequence": sequence,
                                                "read": msg_id, "log": reference.get(sequence)})
                break
        for sequence, msg_id in messages:
            if msg_id in invoke_of and invoke_of[msg_id] > r["complete"]:
                report.flag("future_read", {"channel": channel, "node": r["node"], "client_msg_id": msg_id})
                break
        newest = sequences[-1] if sequences else 0
        earlier = acknowledged_before.newest(r["invoke"])
        required = earlier["sequence"] if earlier is not None else 0
        if newest < required:
            report.flag("stale_read", {"channel": channel, "node": r["node"], "read_newest": newest,
                                       "acknowledged_before": required, "invoke": r["invoke"]})
        index = bisect.bisect_left(read_times, r["invoke"])
        previous = read_best[index - 1] if index > 0 else 0
        if newest < previous:
            report.flag("nonmonotonic_read", {"channel": channel, "node": r["node"], "read_newest": newest,
                                               "earlier_read_newest": previous})


def check_streams(report, channel, streams, reference):
    for stream in streams:
        last = 0
        delivered = set()
        for event_sequence, kind, message_sequence, msg_id in stream["events"]:
            if event_sequence <= last:
                report.flag("ws_repeat", {"channel": channel, "subscriber": stream["subscriber"],
                                          "event_sequence": event_sequence, "after": last})
                continue
            if event_sequence != last + 1:
                report.flag("ws_gap", {"channel": channel, "subscriber": stream["subscriber"],
                                       "expected": last + 1, "got": event_sequence})
            last = event_sequence
            if kind == "message.created" and message_sequence is not None:
                if reference.get(message_sequence) != msg_id:
                    report.flag("ws_wrong_message", {"channel": channel, "subscriber": stream["subscriber"],
                                                     "message_sequence": message_sequence, "event": msg_id,
                                                     "log": reference.get(message_sequence)})
                delivered.add(message_sequence)
        if stream.get("complete"):
            missing = sorted(set(reference) - delivered)
            if missing:
                report.flag("ws_missing", {"channel": channel, "subscriber": stream["subscriber"],
                                           "missing": len(missing), "first": missing[:5]})
