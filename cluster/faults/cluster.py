"""Real quad processes on loopback for the fault suite: free ports, temporary data directories
sharing one set of keys, every peer link through the fault-injecting proxy, and the process
and disk faults (SIGKILL as a power cut, SIGSTOP/SIGCONT, restart, slow fsync)."""

import ctypes
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

from proxy import Proxy

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_harness():
    """In the child before exec: SIGKILL when the harness dies, so no node outlives a killed run.
    The signal follows the thread that started the node: nodes are started from the main thread only."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


KEY_FILES = ("dev-signin.key", "provider-credentials.key", "session.key")
START_TIMEOUT_S = 30  # a debug build replaying its log after SIGKILL answers /health within seconds


def build_slow_disk(run_dir):
    """Compiles slowdisk.c (the LD_PRELOAD library that delays fsync) into the run directory with
    the system's C compiler or the Swift toolchain's clang; its path."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slowdisk.c")
    swift = shutil.which("swift")
    candidates = [shutil.which("cc"), shutil.which("clang"),
                  os.path.join(os.path.dirname(os.path.realpath(swift)), "clang") if swift else None]
    compiler = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    if compiler is None:
        raise RuntimeError("no C compiler (cc, clang, or the Swift toolchain's clang) for slowdisk.c")
    output = os.path.join(run_dir, "slowdisk.so")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", output, source, "-ldl"], check=True)
    return output


def free_ports(count):
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def request(port, method, path, token=None, body=None, timeout_s=5.0):
    """(status, headers, JSON or None). Raises OSError (connection refused, reset, timeout)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, dict(response.getheaders()), parsed
    except http.client.HTTPException as error:
        raise OSError(f"HTTP: {error!r}") from error
    finally:
        connection.close()


class Node:
    def __init__(self, node_id, api_port, peer_port, data_dir):
        self.id, self.api_port, self.peer_port, self.data_dir = node_id, api_port, peer_port, data_dir
        self.process = None
        self.paused = False
        self.expected_down = False  # killed by the harness; any other exit is a crash


class Cluster:
    """`power_loss`: every node runs with --simulate-power-loss, so each SIGKILL also loses the
    writes it had not synced. `unsafe_no_fsync`: nodes never sync (the canary that proves a power
    cut then loses acknowledged posts and the checker says so)."""

    def __init__(self, binary_dir, run_dir, size, partitions, log, power_loss=True, unsafe_no_fsync=False):
        self.binary_dir, self.run_dir, self.size, self.partitions, self.log = binary_dir, run_dir, size, partitions, log
        self.power_loss, self.unsafe_no_fsync = power_loss, unsafe_no_fsync
        self.slow_disk_library = build_slow_disk(run_dir)
        ports = free_ports(2 * size + size * (size - 1))
        self.nodes = {}
        for k in range(1, size + 1):
            self.nodes[k] = Node(k, ports[2 * k - 2], ports[2 * k - 1], os.path.join(run_dir, f"n{k}"))
        self.proxy = Proxy()
        link_ports = iter(ports[2 * size:])
        for i in self.nodes:
            for j in self.nodes:
                if i != j:
                    self.proxy.add(i, j, next(link_ports), self.nodes[j].peer_port)
        keys = {name: os.urandom(32).hex() for name in KEY_FILES}
        for node in self.nodes.values():
            os.makedirs(node.data_dir, exist_ok=True)
            for name, value in keys.items():
                path = os.path.join(node.data_dir, name)
                with open(path, "w") as f:
                    f.write(value)
                os.chmod(path, 0o600)
        self.crashes = []
        self.lock = threading.Lock()

    def members(self, k):
        """Node k's view: itself at its real peer port, every other node j through the link k->j."""
        entries = []
        for j, node in self.nodes.items():
            port = node.peer_port if j == k else self.proxy.links[(k, j)].listen_port
            entries.append(f"{j}=127.0.0.1:{port}")
        return ",".join(entries)

    def start(self, k):
        node = self.nodes[k]
        arguments = [os.path.join(self.binary_dir, "quad"), "--node-id", str(k), "--data-dir", node.data_dir,
                     "--port", str(node.api_port), "--members", self.members(k), "--peer-port", str(node.peer_port),
                     "--partitions", str(self.partitions), "--cluster-id", "faults", "--dev-signin",
                     "--log-level", "warning"]
        if self.power_loss:
            arguments.append("--simulate-power-loss")
        if self.unsafe_no_fsync:
            arguments.append("--unsafe-no-fsync")
        environment = dict(os.environ, LD_PRELOAD=self.slow_disk_library,
                           QUAD_FAULTS_SYNC_DELAY_FILE=self.sync_delay_file(k))
        log = open(os.path.join(self.run_dir, f"n{k}.log"), "ab")
        log.write(f"=== start {time.time():.3f}\n".encode())
        log.flush()
        node.process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=environment, preexec_fn=die_with_harness)
        log.close()
        node.expected_down = False
        node.paused = False

    def wait_healthy(self, k, timeout_s=START_TIMEOUT_S):
        node = self.nodes[k]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if node.process.poll() is not None:
                raise RuntimeError(f"n{k} exited with status {node.process.returncode}; see {self.run_dir}/n{k}.log")
            try:
                status, _, _ = request(node.api_port, "GET", "/health", timeout_s=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"n{k} did not answer /health in {timeout_s}s")

    def start_all(self):
        for k in self.nodes:
            self.start(k)
        for k in self.nodes:
            self.wait_healthy(k)

    def wait_leaders(self, token, timeout_s=60):
        """Waits until every partition has a leader that its replicas on running nodes agree on."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            known = {}
            for k, node in self.nodes.items():
                if not self.alive(k) or node.paused:
                    continue
                try:
                    status, _, answer = request(node.api_port, "GET", "/v1/admin/status", token, None, 2)
                except OSError:
                    continue
                if status == 200:
                    for p in answer.get("partitions", []):
                        known.setdefault(p["partition"], set()).add(p["leader"])
            if len(known) == self.partitions and all(len(v) == 1 and 0 not in v for v in known.values()):
                return time.monotonic() - (deadline - timeout_s)
            time.sleep(0.2)
        raise RuntimeError(f"partitions without one agreed leader after {timeout_s}s: {known}")

    def kill(self, k):
        node = self.nodes[k]
        node.expected_down = True
        if node.process and node.process.poll() is None:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait(10)
        node.paused = False

    def restart(self, k):
        self.start(k)
        self.wait_healthy(k)

    def pause(self, k):
        self.nodes[k].paused = True
        self.nodes[k].process.send_signal(signal.SIGSTOP)

    def resume(self, k):
        self.nodes[k].process.send_signal(signal.SIGCONT)
        self.nodes[k].paused = False

    def sync_delay_file(self, k):
        return os.path.join(self.run_dir, f"n{k}.sync-delay-ms")

    def slow_disk(self, k, delay_ms):
        """Every fsync of node k now takes `delay_ms` longer (0 heals), from its next call on."""
        with open(self.sync_delay_file(k) + ".new", "w") as f:
            f.write(str(delay_ms))
        os.replace(self.sync_delay_file(k) + ".new", self.sync_delay_file(k))

    def alive(self, k):
        node = self.nodes[k]
        return node.process is not None and node.process.poll() is None

    def check_crashes(self):
        """Nodes that exited without the harness killing them (recorded once each)."""
        for k, node in self.nodes.items():
            if node.process is not None and not node.expected_down and node.process.poll() is not None:
                node.expected_down = True
                self.crashes.append({"node": k, "status": node.process.returncode, "at": time.time()})
                self.log(f"faults: n{k} exited by itself with status {node.process.returncode}")
        return self.crashes

    def stop(self):
        for node in self.nodes.values():
            if node.process and node.process.poll() is None:
                if node.paused:
                    node.process.send_signal(signal.SIGCONT)
                node.process.send_signal(signal.SIGTERM)
        for node in self.nodes.values():
            if node.process:
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(5)
        self.proxy.close()

    def token(self, user, admin=False):
        arguments = [os.path.join(self.binary_dir, "quadctl"), "dev-token", "--data-dir", self.nodes[1].data_dir,
                     "--user", user]
        if admin:
            arguments.append("--admin")
        return subprocess.run(arguments, check=True, capture_output=True, text=True).stdout.strip()
