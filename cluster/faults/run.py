"""The fault suite: a real quad cluster on loopback, client traffic, one fault at a time from a
seeded plan, then the checker over the recorded history and every node's final logs.

  python3 cluster/faults/run.py --bin "$(swift build --show-bin-path)" --plan short --seed 7

Ends with one line
  faults: acknowledged=N lost=0 duplicated=0 reordered=0 stale=0 faults=K max_unavailable_ms=M
and exits 1 on any violation (or when the cluster did not recover, or a node crashed)."""

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checker  # noqa: E402
import websocket  # noqa: E402
from cluster import Cluster, request  # noqa: E402

ATTEMPT_TIMEOUT_S = 4.0      # one HTTP attempt; a write through a partitioned node times out here
POST_GIVE_UP_S = 25.0        # a post retried this long (same client_msg_id) is left indeterminate
RECOVERY_TIMEOUT_S = 40.0    # after healing, every channel must acknowledge a new post within this
SUBSCRIBER_IDLE_S = 5.0      # a subscriber hearing nothing this long reconnects (its node may be paused or cut off)
CATCH_UP_TIMEOUT_S = 40.0
GONE_AFTER_S = 5.0           # a channel answering 404 this long in the final read was lost
CANARY_RECOVERY_TIMEOUT_S = 15.0  # the canary expects no recovery of what it lost; it waits less
ROUNDS = 2                   # each plan injects every one of its kinds this many times    # after the run, subscribers must have delivered every message by then

SLOW_DISK_MS = (100, 400)     # a slowed disk adds this much (seeded) to every fsync
SHORT_PLAN = ["kill-leader", "kill-random", "kill-all", "pause-leader", "isolate-leader", "split", "slow-disk-leader"]
FULL_PLAN = ["kill-leader", "kill-random", "kill-all", "pause-leader", "isolate-leader", "split",
             "oneway-from-leader", "oneway-to-leader", "slow-leader", "slow-disk-leader", "slow-disk-all", "ring"]
CANARY_PLAN = ["kill-all"]    # with --unsafe-no-fsync: a power cut must lose acknowledged posts


PRINTED = []  # every line printed, saved as the run's report.txt


def log(line):
    PRINTED.append(line)
    print(line, flush=True)


class Recorder:
    """Every client operation, appended under a lock; times are time.monotonic()."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts, self.reads = [], []
        self.errors = {}

    def add(self, kind, entry):
        with self.lock:
            (self.posts if kind == "post" else self.reads).append(entry)

    def error(self, what):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


class Workload:
    def __init__(self, cluster, rng, channels, tokens, admin_token, writers_per_channel):
        self.cluster, self.channels, self.tokens, self.admin_token = cluster, channels, tokens, admin_token
        self.writers_per_channel = writers_per_channel
        self.recorder = Recorder()
        self.stopping = threading.Event()
        self.stop_subscribers = threading.Event()
        self.seeds = [rng.randrange(1 << 30) for _ in range(64)]
        self.streams = []
        self.client_threads, self.subscriber_threads = [], []
        self.node_of_port = {node.api_port: k for k, node in cluster.nodes.items()}

    def node_ports(self, rng):
        nodes = list(self.cluster.nodes.values())
        rng.shuffle(nodes)
        return [n.api_port for n in nodes]

    def start(self):
        index = 0
        for channel in self.channels:
            for w in range(self.writers_per_channel):
                user = self.tokens[w]
                self.client_threads.append(threading.Thread(target=self.writer, args=(index, channel, user), daemon=True))
                index += 1
            stream = {"subscriber": len(self.streams) + 1, "channel": channel["channel"], "events": [],
                      "complete": False, "reconnects": 0}
            self.streams.append(stream)
            self.subscriber_threads.append(threading.Thread(target=self.subscriber, args=(channel, stream), daemon=True))
        for r in range(2):
            self.client_threads.append(threading.Thread(target=self.reader, args=(r,), daemon=True))
        for t in self.client_threads + self.subscriber_threads:
            t.start()

    def writer(self, index, channel, user):
        rng = random.Random(self.seeds[index])
        user_id, token = user
        path = f"/v1/workspaces/{channel['workspace']}/channels/{channel['channel']}/messages"
        n = 0
        while not self.stopping.is_set():
            n += 1
            msg_id = f"w{index}-{n}"
            entry = {"channel": channel["channel"], "client_msg_id": msg_id, "text": f"post {msg_id} by {user_id}",
                     "writer": index, "invoke": time.monotonic(), "complete": None, "outcome": "info",
                     "sequence": None, "attempts": 0}
            body = {"text": entry["text"], "client_msg_id": msg_id}
            while time.monotonic() - entry["invoke"] < POST_GIVE_UP_S:
                entry["attempts"] += 1
                port = rng.choice(self.node_ports(rng))
                try:
                    status, headers, answer = request(port, "POST", path, token, body, ATTEMPT_TIMEOUT_S)
                except OSError as error:
                    self.recorder.error(f"post: {type(error).__name__}")
                    time.sleep(0.05 + rng.random() * 0.1)
                    continue
                if status in (200, 201):
                    entry.update(complete=time.monotonic(), outcome="ok", sequence=answer["message"]["sequence"],
                                 node=self.node_of_port[port])
                    if answer["message"].get("client_msg_id") != msg_id:
                        # Kept as acknowledged: the checker then finds our key missing or elsewhere.
                        self.recorder.error("post: answered with another message")
                    break
                self.recorder.error(f"post: {status}")
                retry_after = min(float(headers.get("Retry-After", "0.2") or 0.2), 1.0)
                time.sleep(retry_after * (0.5 + rng.random()))
                if status < 500 and status != 429:
                    time.sleep(0.5)  # unexpected (e.g. 404 while a restarted node catches up); retried the same way
            self.recorder.add("post", entry)
            time.sleep(rng.random() * 0.02)

    def reader(self, index):
        rng = random.Random(self.seeds[-1 - index])
        while not self.stopping.is_set():
            channel = rng.choice(self.channels)
            port = rng.choice(self.node_ports(rng))
            node = self.node_of_port[port]
            path = f"/v1/workspaces/{channel['workspace']}/channels/{channel['channel']}/messages?limit=200"
            invoke = time.monotonic()
            try:
                status, _, answer = request(port, "GET", path, self.admin_token, None, ATTEMPT_TIMEOUT_S)
            except OSError as error:
                self.recorder.error(f"read: {type(error).__name__}")
                time.sleep(0.1)
                continue
            if status == 200:
                messages = [[m["sequence"], m.get("client_msg_id")] for m in answer["messages"]]
                self.recorder.add("read", {"channel": channel["channel"], "node": node, "invoke": invoke,
                                           "complete": time.monotonic(), "messages": messages})
            else:
                self.recorder.error(f"read: {status}")
            time.sleep(0.02 + rng.random() * 0.05)

    def subscriber(self, channel, stream):
        """Follows one channel's event stream over a WebSocket, reconnecting to a random node with
        resume=<channel>:<last event_sequence> whenever the connection ends or goes quiet."""
        rng = random.Random(stream["subscriber"])
        last = 0
        while not self.stop_subscribers.is_set():
            port = rng.choice(self.node_ports(rng))
            query = urllib.parse.urlencode({"access_token": self.admin_token, "resume": f"{channel['channel']}:{last}"})
            try:
                ws = websocket.WebSocket("127.0.0.1", port, f"/v1/workspaces/{channel['workspace']}/events?{query}", 2.0)
            except (OSError, websocket.Closed):
                time.sleep(0.2)
                continue
            heard = time.monotonic()
            try:
                ws.sock.settimeout(1.0)
                while not self.stop_subscribers.is_set():
                    try:
                        frame = ws.receive_json()
                    except socket.timeout:
                        if time.monotonic() - heard > SUBSCRIBER_IDLE_S:
                            break
                        continue
                    heard = time.monotonic()
                    if frame.get("type") in ("resync_required", "stream_unavailable"):
                        stream.setdefault("notices", []).append(frame)
                    if frame.get("type") != "event" or frame["event"].get("stream") != channel["channel"]:
                        continue
                    event = frame["event"]
                    message = frame.get("message") or {}
                    stream["events"].append([event["event_sequence"], event["kind"], event.get("message_sequence"),
                                             message.get("client_msg_id")])
                    last = max(last, event["event_sequence"])
            except (OSError, websocket.Closed, ValueError):
                pass
            finally:
                ws.close()
            stream["reconnects"] += 1
            time.sleep(0.1)

    def stop_clients(self):
        """Writers finish (or give up on) the post in hand; readers stop."""
        self.stopping.set()
        for t in self.client_threads:
            t.join(POST_GIVE_UP_S + ATTEMPT_TIMEOUT_S + 5)

    def stop_subscribers_now(self):
        self.stop_subscribers.set()
        for t in self.subscriber_threads:
            t.join(10)


def setup(cluster, workspaces):
    """A platform, `workspaces` courses with the chatter channel; users w0..w3 instructors who joined it."""
    port = cluster.nodes[1].api_port
    admin = cluster.token("admin", admin=True)
    cluster.log(f"faults: every partition has a leader {cluster.wait_leaders(admin):.1f}s after start")
    users = [(f"w{i}", cluster.token(f"w{i}")) for i in range(4)]

    ports = [node.api_port for node in cluster.nodes.values()]
    refused = {}

    def call(method, path, token, body):
        """Through node 1 first, then the next node on any failure (see docs/faults.md: a node
        holding no replica of the platform's partition may refuse to create a workspace)."""
        deadline = time.monotonic() + 60
        attempt = 0
        while True:
            port = ports[attempt % len(ports)]
            attempt += 1
            try:
                status, _, answer = request(port, method, path, token, body, 10)
                if status < 300:
                    return answer
                refused[f"{method} {path.split('/')[2]} {status}"] = refused.get(f"{method} {path.split('/')[2]} {status}", 0) + 1
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{method} {path}: {status} {answer}")
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    call("POST", "/v1/platforms", admin, {"id": "faults", "name": "Fault suite"})
    channels = []
    for c in range(workspaces):
        created = call("POST", "/v1/workspaces", admin, {"platform_id": "faults", "kind": "course",
                                                          "name": f"Course {c}", "external_id": f"course-{c}",
                                                          "templates": ["chatter"]})
        workspace, channel = created["workspace"]["id"], created["channels"][0]["id"]
        members = [{"user_id": "admin", "role": "instructor"}] + [{"user_id": u, "role": "instructor"} for u, _ in users]
        call("POST", f"/v1/workspaces/{workspace}/members", admin, {"members": members})
        for _, token in [("admin", admin)] + users:
            call("POST", f"/v1/workspaces/{workspace}/channels/{channel}/join", token, {})
        channels.append({"workspace": workspace, "channel": channel})
    if refused:
        cluster.log(f"faults: setup requests refused then retried on another node: {json.dumps(refused)}")
    return admin, users, channels


def make_plan(rng, kinds, size, workspaces, hold_range_s):
    """The seeded schedule: one fault at a time, each with its target and how long it is held.
    Targets named 'leader' are resolved when the fault starts (the leader of the course's partition)."""
    plan = []
    for kind in kinds:
        if kind == "ring" and size < 5:
            continue  # a ring of overlapping majorities needs 5 nodes
        fault = {"kind": kind, "workspace": rng.randrange(workspaces),
                 "hold_s": round(rng.uniform(*hold_range_s), 1)}
        if kind == "kill-random":
            fault["node"] = rng.randint(1, size)
        if kind == "split":
            fault["others"] = rng.sample(range(size), size)  # picks the rest of the minority
        if kind == "ring":
            fault["order"] = rng.sample(range(1, size + 1), size)
        if kind.startswith("slow-disk"):
            fault["delay_ms"] = rng.randint(*SLOW_DISK_MS)
        plan.append(fault)
    return plan


def describe(fault):
    target = f"node{fault['node']}" if "node" in fault else f"leader-of-course{fault['workspace']}"
    if fault["kind"] in ("kill-all", "ring", "slow-disk-all"):
        target = "all"
    return f"{fault['kind']}({target},{fault['hold_s']}s)"


class Injector:
    def __init__(self, cluster, channels, admin_token):
        self.cluster, self.channels, self.admin_token = cluster, channels, admin_token

    def leader(self, workspace_index):
        """The node that leads a course's partition: the partition from /v1/admin/locate, then the
        node whose own /v1/admin/status says it leads it (the highest term, should two think so)."""
        workspace = self.channels[workspace_index]["workspace"]
        deadline = time.monotonic() + 20
        partition = None
        while time.monotonic() < deadline:
            leaders = []
            for k, node in self.cluster.nodes.items():
                if not self.cluster.alive(k) or node.paused:
                    continue
                try:
                    if partition is None:
                        status, _, answer = request(node.api_port, "GET", f"/v1/admin/locate/{workspace}",
                                                    self.admin_token, None, 2)
                        if status == 200:
                            partition = answer["partition"]
                        continue
                    status, _, answer = request(node.api_port, "GET", "/v1/admin/status", self.admin_token, None, 2)
                except OSError:
                    continue
                if status == 200:
                    leaders += [(p["term"], k) for p in answer.get("partitions", [])
                                if p["partition"] == partition and p["role"] == "leader"]
            if leaders:
                return max(leaders)[1]
            time.sleep(0.2)
        raise RuntimeError(f"no node leads the partition of {workspace} after 20s")

    def links_between(self, group_a, group_b):
        return [(i, j) for i in group_a for j in group_b] + [(j, i) for i in group_a for j in group_b]

    def mark(self):
        self.started = time.monotonic()

    def inject(self, fault):
        """Starts the fault; returns (what was done, a function that heals it). The fault's start
        (self.started) is taken once its target is found, just before the signal or the drop."""
        c, kind, nodes = self.cluster, fault["kind"], list(self.cluster.nodes)
        crash = "power cut of" if c.power_loss else "SIGKILL"
        if kind in ("kill-leader", "kill-random"):
            k = self.leader(fault["workspace"]) if kind == "kill-leader" else fault["node"]
            self.mark()
            c.kill(k)
            return f"{crash} n{k}", lambda: c.restart(k)
        if kind == "kill-all":
            self.mark()
            for k in nodes:
                c.kill(k)

            def restart_all():
                for k in nodes:
                    c.start(k)
                for k in nodes:
                    c.wait_healthy(k)
            return f"{crash} every node", restart_all
        if kind == "pause-leader":
            k = self.leader(fault["workspace"])
            self.mark()
            c.pause(k)
            return f"SIGSTOP n{k}", lambda: c.resume(k)
        if kind == "isolate-leader":
            k = self.leader(fault["workspace"])
            self.mark()
            c.proxy.set_drop(self.links_between([k], [j for j in nodes if j != k]), True)
            return f"isolate n{k}", c.proxy.heal
        if kind == "split":
            k = self.leader(fault["workspace"])
            minority = [k] + [j + 1 for j in fault["others"] if j + 1 != k][: (len(nodes) - 1) // 2 - 1]
            majority = [j for j in nodes if j not in minority]
            self.mark()
            c.proxy.set_drop(self.links_between(minority, majority), True)
            return f"split {sorted(minority)} | {sorted(majority)}", c.proxy.heal
        if kind == "oneway-from-leader":
            k = self.leader(fault["workspace"])
            self.mark()
            c.proxy.set_drop([(k, j) for j in nodes if j != k], True)
            return f"drop n{k}->others", c.proxy.heal
        if kind == "oneway-to-leader":
            k = self.leader(fault["workspace"])
            self.mark()
            c.proxy.set_drop([(j, k) for j in nodes if j != k], True)
            return f"drop others->n{k}", c.proxy.heal
        if kind == "slow-leader":
            k = self.leader(fault["workspace"])
            self.mark()
            c.proxy.set_delay(self.links_between([k], [j for j in nodes if j != k]), 0.2)
            return f"delay 200ms n{k}<->others", c.proxy.heal
        if kind == "slow-disk-leader":
            k = self.leader(fault["workspace"])
            self.mark()
            c.slow_disk(k, fault["delay_ms"])
            return f"fsync +{fault['delay_ms']}ms on n{k}", lambda: c.slow_disk(k, 0)
        if kind == "slow-disk-all":
            self.mark()
            for k in nodes:
                c.slow_disk(k, fault["delay_ms"])
            return f"fsync +{fault['delay_ms']}ms on every node", lambda: [c.slow_disk(k, 0) for k in nodes]
        if kind == "ring":
            order = fault["order"]
            neighbours = {(order[i], order[(i + d) % len(order)]) for i in range(len(order)) for d in (1, -1)}
            cut = [(i, j) for i in nodes for j in nodes if i != j and (i, j) not in neighbours]
            self.mark()
            c.proxy.set_drop(cut, True)
            return f"ring {'-'.join(map(str, order))} (each node reaches its 2 neighbours)", c.proxy.heal
        raise ValueError(kind)


def first_ack_after(posts, channel, since):
    times = [p["complete"] for p in posts if p["channel"] == channel and p["outcome"] == "ok" and p["invoke"] >= since]
    return min(times) if times else None


def wait_recovered(workload, since, timeout_s):
    """Seconds until every channel acknowledged a post invoked after `since`, or None."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with workload.recorder.lock:
            posts = list(workload.recorder.posts)
        acks = [first_ack_after(posts, ch["channel"], since) for ch in workload.channels]
        if all(a is not None for a in acks):
            return max(acks) - since
        workload.cluster.check_crashes()
        time.sleep(0.1)
    return None


class ChannelGone(Exception):
    """The node answers that the channel does not exist (404)."""


def read_log(port, channel, token):
    """A channel's whole history through one node, oldest first (paged with after=)."""
    log, after = [], 0
    while True:
        path = f"/v1/workspaces/{channel['workspace']}/channels/{channel['channel']}/messages?after={after}&limit=200"
        status, _, answer = request(port, "GET", path, token, None, 10)
        if status == 404:
            raise ChannelGone()
        if status != 200:
            raise OSError(f"history read answered {status}")
        log.extend([m["sequence"], m.get("client_msg_id"), m["text"]] for m in answer["messages"])
        if not answer.get("next_cursor") or not answer["messages"]:
            return log
        after = answer["next_cursor"]


def final_logs(cluster, channels, token):
    """Every channel's log through every node. A channel a node still says does not exist after
    GONE_AFTER_S (its creation was acknowledged, so it was lost) reads as empty: the checker then
    counts each of its acknowledged posts as lost."""
    final = {}
    for k, node in cluster.nodes.items():
        final[k] = {}
        for channel in channels:
            deadline = time.monotonic() + 30
            gone_deadline = time.monotonic() + GONE_AFTER_S
            while True:
                try:
                    final[k][channel["channel"]] = read_log(node.api_port, channel, token)
                    break
                except ChannelGone:
                    if time.monotonic() > gone_deadline:
                        log(f"faults: n{k} says channel {channel['channel']} does not exist: it was lost")
                        final[k][channel["channel"]] = []
                        break
                    time.sleep(0.5)
                except OSError as error:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"n{k} could not read {channel['channel']}: {error}")
                    time.sleep(0.5)
    return final


def wait_streams(workload, final, timeout_s):
    """Waits until every subscriber delivered every message of its channel's final log."""
    deadline = time.monotonic() + timeout_s
    reference = final[min(final)]
    while time.monotonic() < deadline:
        behind = [s for s in workload.streams
                  if not {entry[0] for entry in reference[s["channel"]]}
                  <= {e[2] for e in list(s["events"]) if e[1] == "message.created"}]
        if not behind:
            return True
        time.sleep(0.2)
    return False


def percentile50(values):
    return round(statistics.median(values)) if values else 0


def canary_verdict(report, failures, run_dir):
    """The canary passes when the checker found acknowledged posts lost: with fsync off, a power cut
    of every node must lose some, so a checker or simulation that misses them fails the run."""
    lost = report.headline()["lost"] if report else 0
    for failure in failures:
        log(f"  expected with fsync off: {failure}")
    with open(os.path.join(run_dir, "report.txt"), "w") as f:
        f.write("\n".join(PRINTED) + "\n")
    if lost > 0:
        log(f"faults: canary passed: with fsync off, power cuts lost {lost} acknowledged posts and the checker found them")
        return 0
    log("faults: canary FAILED: with fsync off, power cuts lost no acknowledged post the checker could find")
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory holding quad and quadctl")
    parser.add_argument("--plan", choices=["short", "full", "canary"], default="short",
                        help="canary: nodes never fsync (--unsafe-no-fsync) and every node loses power; "
                             "passes only when the checker finds the acknowledged posts that lost")
    parser.add_argument("--no-power-loss", action="store_true",
                        help="a SIGKILL keeps the writes a node had not synced (a process crash, not a power cut)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run: the seed it printed")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--workspaces", type=int, default=2)
    parser.add_argument("--writers-per-channel", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--runs-dir", default=".build/faults-runs")
    parser.add_argument("--keep", action="store_true", help="keep the data directories of a passing run")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.SystemRandom().randrange(1, 1 << 31)
    rng = random.Random(seed)
    kinds = []
    canary = arguments.plan == "canary"
    if canary and arguments.no_power_loss:
        parser.error("the canary needs power cuts: drop --no-power-loss")
    for _ in range(ROUNDS):  # every kind once per round, in a seeded order
        round_kinds = list({"short": SHORT_PLAN, "full": FULL_PLAN, "canary": CANARY_PLAN}[arguments.plan])
        rng.shuffle(round_kinds)
        kinds += round_kinds
    hold_range_s = (4.0, 7.0)
    plan = make_plan(rng, kinds, arguments.nodes, arguments.workspaces, hold_range_s)
    log(f"faults: seed={seed} nodes={arguments.nodes} power_loss={'off' if arguments.no_power_loss else 'on'}"
        f"{' fsync=off (canary)' if canary else ''} plan={','.join(describe(f) for f in plan)}")
    log(f"faults: repeat with: python3 cluster/faults/run.py --bin BIN --plan {arguments.plan} --seed {seed} "
        f"--nodes {arguments.nodes}{' --no-power-loss' if arguments.no_power_loss else ''}")

    os.makedirs(arguments.runs_dir, exist_ok=True)
    run_dir = tempfile.mkdtemp(prefix=f"seed{seed}-", dir=arguments.runs_dir)
    cluster = Cluster(os.path.abspath(arguments.bin), run_dir, arguments.nodes, arguments.partitions, log,
                      power_loss=not arguments.no_power_loss, unsafe_no_fsync=canary)
    failures = []
    records = []
    workload = None
    started = time.monotonic()
    try:
        cluster.start_all()
        admin, users, channels = setup(cluster, arguments.workspaces)
        log(f"faults: cluster up in {run_dir}; courses={len(channels)} writers={len(channels) * arguments.writers_per_channel}")
        workload = Workload(cluster, rng, channels, users, admin, arguments.writers_per_channel)
        workload.start()
        if wait_recovered(workload, time.monotonic(), RECOVERY_TIMEOUT_S) is None:
            raise RuntimeError("no channel acknowledged a post before the first fault")
        time.sleep(2)
        injector = Injector(cluster, channels, admin)
        for fault in plan:
            action, heal = injector.inject(fault)
            t_fault = injector.started
            log(f"faults: {describe(fault)}: {action} at +{t_fault - started:.1f}s")
            time.sleep(fault["hold_s"])
            t_heal = time.monotonic()
            heal()
            recovered = wait_recovered(workload, t_heal, CANARY_RECOVERY_TIMEOUT_S if canary else RECOVERY_TIMEOUT_S)
            record = {"kind": fault["kind"], "action": action, "start": t_fault, "heal": t_heal,
                      "recovery_s": recovered}
            records.append(record)
            if recovered is None:
                failures.append(f"{action}: no post acknowledged on every channel within {CANARY_RECOVERY_TIMEOUT_S if canary else RECOVERY_TIMEOUT_S}s of healing")
                log(f"faults: {failures[-1]}")
                break
            log(f"faults: healed; every channel acknowledged a new post {recovered * 1000:.0f} ms after healing")
            time.sleep(2)
        workload.stop_clients()
        cluster.check_crashes()
        for k in cluster.nodes:  # whatever a failed heal left behind
            if cluster.nodes[k].paused:
                cluster.resume(k)
            if not cluster.alive(k):
                cluster.restart(k)
        cluster.proxy.heal()
        final = final_logs(cluster, channels, admin)
        caught_up = wait_streams(workload, final, CATCH_UP_TIMEOUT_S)
        for stream in workload.streams:
            stream["complete"] = True  # a healed cluster owes every subscriber every message
        if not caught_up:
            log("faults: a WebSocket subscriber did not catch up with the final log")
        workload.stop_subscribers_now()
    except Exception as error:  # noqa: BLE001 - reported as a failed run with its reason
        failures.append(f"harness: {type(error).__name__}: {error}")
        log(f"faults: {failures[-1]}")
        final = None
    finally:
        if workload is not None:
            workload.stopping.set()
            workload.stop_subscribers.set()
        cluster.check_crashes()
        cluster.stop()

    posts = workload.recorder.posts if workload else []
    for crash in cluster.crashes:
        failures.append(f"n{crash['node']} crashed (exit status {crash['status']}); see {run_dir}/n{crash['node']}.log")
    report = None
    if final is not None:
        history = {"posts": posts, "reads": workload.recorder.reads, "final": final,
                   "streams": [{k: s[k] for k in ("subscriber", "channel", "events", "complete")} for s in workload.streams]}
        with open(os.path.join(run_dir, "history.json"), "w") as f:
            json.dump(history, f)
        report = checker.check(history)
    unavailable = []
    for record in records if workload else []:
        acks = [first_ack_after(posts, ch["channel"], record["start"]) for ch in workload.channels]
        record["unavailable_ms"] = round(max(a - record["start"] for a in acks) * 1000) if all(acks) else None
        if record["unavailable_ms"] is not None:
            unavailable.append(record["unavailable_ms"])

    acknowledged = sum(1 for p in posts if p["outcome"] == "ok")
    indeterminate = sum(1 for p in posts if p["outcome"] != "ok")
    log(f"faults: report for seed={seed} ({time.monotonic() - started:.0f}s, data in {run_dir})")
    log(f"  posts: acknowledged={acknowledged} indeterminate={indeterminate} "
        f"reads={len(workload.recorder.reads) if workload else 0} "
        f"ws_events={sum(len(s['events']) for s in workload.streams) if workload else 0} "
        f"ws_reconnects={sum(s['reconnects'] for s in workload.streams) if workload else 0}")
    if workload:
        log(f"  client errors (retried): {json.dumps(dict(sorted(workload.recorder.errors.items())))}")
    by_kind = {}
    for record in records:
        by_kind[record["kind"]] = by_kind.get(record["kind"], 0) + 1
    log(f"  faults by kind: {json.dumps(by_kind)}")
    for record in records:
        recovery = f"{record['recovery_s'] * 1000:.0f}" if record["recovery_s"] is not None else "never"
        log(f"  {record['action']}: unavailable_ms={record['unavailable_ms']} recovered_after_heal_ms={recovery}")
    recoveries = [round(r["recovery_s"] * 1000) for r in records if r["recovery_s"] is not None]
    log(f"  unavailability after a fault: p50={percentile50(unavailable)} ms max={max(unavailable, default=0)} ms; "
        f"recovery after heal: p50={percentile50(recoveries)} ms max={max(recoveries, default=0)} ms")
    if report is not None:
        log(f"  checker: {json.dumps(report.as_dict()['counts'])}")
        for prop, examples in report.as_dict()["examples"].items():
            for example in examples[:5]:
                log(f"  violation {prop}: {json.dumps(example)}")
        if not report.ok():
            failures.append("the checker found violations")
    if acknowledged == 0:
        failures.append("no post was acknowledged")
    if canary:
        return canary_verdict(report, failures, run_dir)
    for failure in failures:
        log(f"  FAILED: {failure}")
    headline = report.headline() if report else {"lost": "?", "duplicated": "?", "reordered": "?", "stale": "?"}
    if not failures and not arguments.keep:
        for k in cluster.nodes:
            shutil.rmtree(cluster.nodes[k].data_dir, ignore_errors=True)
    log(f"faults: acknowledged={acknowledged} lost={headline['lost']} duplicated={headline['duplicated']} "
        f"reordered={headline['reordered']} stale={headline['stale']} faults={len(records)} "
        f"max_unavailable_ms={max(unavailable, default=0)}")
    with open(os.path.join(run_dir, "report.txt"), "w") as f:
        f.write("\n".join(PRINTED) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
