"""The checker is tested: a clean history passes, and each mutation (a lost write, a duplicate,
a reordering, a stale read, a WebSocket gap or repeat, ...) is flagged.
Run: python3 -m unittest discover -s cluster/faults -p 'test_*.py'"""

import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checker  # noqa: E402


def clean_history():
    """Two writers on one channel, one timed-out post that was applied and one that was not,
    three reads, a WebSocket stream with a reconnection, logs on three nodes."""
    posts = [
        {"channel": "c", "client_msg_id": "a", "text": "A", "writer": 1, "invoke": 0.0, "complete": 1.0,
         "outcome": "ok", "sequence": 1},
        {"channel": "c", "client_msg_id": "b", "text": "B", "writer": 2, "invoke": 0.5, "complete": 2.0,
         "outcome": "ok", "sequence": 2},
        {"channel": "c", "client_msg_id": "t1", "text": "T1", "writer": 1, "invoke": 2.5, "complete": None,
         "outcome": "info", "sequence": None},  # timed out, applied
        {"channel": "c", "client_msg_id": "t2", "text": "T2", "writer": 2, "invoke": 2.6, "complete": None,
         "outcome": "info", "sequence": None},  # timed out, never applied
        {"channel": "c", "client_msg_id": "d", "text": "D", "writer": 1, "invoke": 4.0, "complete": 5.0,
         "outcome": "ok", "sequence": 4},
    ]
    log = [[1, "a", "A"], [2, "b", "B"], [3, "t1", "T1"], [4, "d", "D"]]
    reads = [
        {"channel": "c", "node": 1, "invoke": 0.2, "complete": 0.3, "messages": []},
        {"channel": "c", "node": 2, "invoke": 1.5, "complete": 1.6, "messages": [[1, "a"]]},  # b not yet acked
        {"channel": "c", "node": 3, "invoke": 2.1, "complete": 2.2, "messages": [[1, "a"], [2, "b"]]},
        {"channel": "c", "node": 1, "invoke": 5.5, "complete": 5.6, "messages": [[2, "b"], [3, "t1"], [4, "d"]]},
    ]
    events = [[1, "channel.member_added", None, None], [2, "message.created", 1, "a"],
              [3, "message.created", 2, "b"],
              # reconnected here with resume=c:3
              [4, "message.created", 3, "t1"], [5, "message.created", 4, "d"]]
    return {"posts": posts, "reads": reads,
            "final": {1: {"c": copy.deepcopy(log)}, 2: {"c": copy.deepcopy(log)}, 3: {"c": copy.deepcopy(log)}},
            "streams": [{"subscriber": 1, "channel": "c", "events": events, "complete": True}]}


class CheckerTests(unittest.TestCase):
    def assertFlags(self, history, prop, headline):
        report = checker.check(history)
        self.assertGreater(report.counts[prop], 0, f"{prop} not flagged: {report.as_dict()}")
        self.assertGreater(report.headline()[headline], 0)
        self.assertFalse(report.ok())

    def test_clean_history_passes(self):
        report = checker.check(clean_history())
        self.assertTrue(report.ok(), report.as_dict())
        self.assertEqual(report.headline(), {"lost": 0, "duplicated": 0, "reordered": 0, "stale": 0})

    def test_lost_acknowledged_write_on_every_node(self):
        h = clean_history()
        for node in h["final"]:
            h["final"][node]["c"] = [[1, "a", "A"], [2, "b", "B"], [3, "t1", "T1"]]
        self.assertFlags(h, "lost_ack", "lost")

    def test_lost_acknowledged_write_on_one_replica(self):
        h = clean_history()
        h["final"][3]["c"].pop()
        self.assertFlags(h, "lost_ack", "lost")
        self.assertFlags(h, "replica_divergence", "reordered")

    def test_duplicate_of_a_retried_post(self):
        h = clean_history()
        for node in h["final"]:
            h["final"][node]["c"].append([5, "b", "B"])
        self.assertFlags(h, "duplicate_id", "duplicated")

    def test_duplicate_text_under_another_key(self):
        h = clean_history()
        h["posts"].append({"channel": "c", "client_msg_id": "e", "text": "A", "writer": 2, "invoke": 6.0,
                           "complete": None, "outcome": "info", "sequence": None})
        for node in h["final"]:
            h["final"][node]["c"].append([5, "e", "A"])
        self.assertFlags(h, "duplicate_text", "duplicated")

    def test_timed_out_post_applied_twice(self):
        h = clean_history()
        for node in h["final"]:
            h["final"][node]["c"].append([5, "t1", "T1"])
        self.assertFlags(h, "duplicate_id", "duplicated")

    def test_reordering_of_two_acknowledged_posts(self):
        h = clean_history()
        for node in h["final"]:
            log = h["final"][node]["c"]
            log[0], log[1] = [1, "b", "B"], [2, "a", "A"]
        self.assertFlags(h, "ack_sequence_mismatch", "reordered")

    def test_acknowledged_sequences_against_real_time(self):
        h = clean_history()
        # d was invoked after a was acknowledged, yet claims to come first.
        h["posts"][0]["sequence"], h["posts"][4]["sequence"] = 4, 1
        for node in h["final"]:
            h["final"][node]["c"] = [[1, "d", "D"], [2, "b", "B"], [3, "t1", "T1"], [4, "a", "A"]]
        h["reads"] = []
        h["streams"] = []
        self.assertFlags(h, "realtime_order", "reordered")

    def test_gap_in_sequences(self):
        h = clean_history()
        for node in h["final"]:
            h["final"][node]["c"][3][0] = 5
        self.assertFlags(h, "log_gap", "reordered")

    def test_replicas_disagree_on_order(self):
        h = clean_history()
        h["final"][2]["c"][2], h["final"][2]["c"][3] = [3, "d", "D"], [4, "t1", "T1"]
        self.assertFlags(h, "replica_divergence", "reordered")

    def test_message_nobody_posted(self):
        h = clean_history()
        for node in h["final"]:
            h["final"][node]["c"].append([5, "ghost", "G"])
        self.assertFlags(h, "phantom", "reordered")

    def test_stale_read(self):
        h = clean_history()
        # Invoked after b was acknowledged (2.0), yet shows only a.
        h["reads"].append({"channel": "c", "node": 2, "invoke": 3.0, "complete": 3.1, "messages": [[1, "a"]]})
        self.assertFlags(h, "stale_read", "stale")

    def test_read_of_a_message_not_in_the_log(self):
        h = clean_history()
        h["reads"].append({"channel": "c", "node": 2, "invoke": 3.0, "complete": 3.1,
                           "messages": [[1, "a"], [2, "t2"]]})
        self.assertFlags(h, "read_not_in_log", "stale")

    def test_read_from_the_future(self):
        h = clean_history()
        h["reads"].append({"channel": "c", "node": 2, "invoke": 3.0, "complete": 3.1,
                           "messages": [[1, "a"], [2, "b"], [3, "t1"], [4, "d"]]})  # d invoked at 4.0
        self.assertFlags(h, "future_read", "stale")

    def test_read_going_back_in_time(self):
        h = clean_history()
        # t1 (not acknowledged) was seen at 3.1, then a later read misses it.
        h["reads"].append({"channel": "c", "node": 2, "invoke": 3.0, "complete": 3.1,
                           "messages": [[1, "a"], [2, "b"], [3, "t1"]]})
        h["reads"].append({"channel": "c", "node": 3, "invoke": 3.5, "complete": 3.6,
                           "messages": [[1, "a"], [2, "b"]]})
        self.assertFlags(h, "nonmonotonic_read", "stale")

    def test_websocket_gap_after_resume(self):
        h = clean_history()
        del h["streams"][0]["events"][3]
        self.assertFlags(h, "ws_gap", "lost")
        self.assertFlags(h, "ws_missing", "lost")

    def test_websocket_repeat_after_resume(self):
        h = clean_history()
        h["streams"][0]["events"].insert(3, [3, "message.created", 2, "b"])
        self.assertFlags(h, "ws_repeat", "duplicated")

    def test_websocket_event_for_another_message(self):
        h = clean_history()
        h["streams"][0]["events"][4] = [5, "message.created", 4, "t2"]
        self.assertFlags(h, "ws_wrong_message", "reordered")

    def test_incomplete_stream_is_not_required_to_be_whole(self):
        h = clean_history()
        h["streams"][0]["events"] = h["streams"][0]["events"][:3]
        h["streams"][0]["complete"] = False
        self.assertTrue(checker.check(h).ok())


if __name__ == "__main__":
    unittest.main()
