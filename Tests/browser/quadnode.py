"""A real `quad` node for the browser tests: a free loopback port, a temporary data directory,
development sign-in on, and an injected server clock (`--dev-clock-offset`). Stopped by the
caller in a `finally`, so a failing test never leaves it running."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# Seconds a node gets to answer /health after it starts (RocksDB open, partitions elected).
START_SECONDS_MAX = 30
# Seconds a node gets to exit after SIGTERM before it is killed.
STOP_SECONDS_MAX = 15


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class APIError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class QuadNode:
    def __init__(self, binary, clock_offset_seconds=0, names=None):
        self.binary = binary
        self.names = names or {}
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="quad-browser-")
        self.log_path = os.path.join(self.data, "node.log")
        self.clock_offset_seconds = clock_offset_seconds
        self.process = None
        self.tokens = {}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        """Starts the node on its port and data directory (again, after a stop or kill)."""
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.binary, "--data-dir", os.path.join(self.data, "node"), "--port", str(self.port),
             "--dev-signin", "--dev-clock-offset", str(self.clock_offset_seconds), "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS_MAX
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"quad exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"quad did not answer /health within {START_SECONDS_MAX}s; see {self.log_path}")

    def kill(self):
        """SIGKILL, as a crash: acknowledged writes are already synced."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS_MAX)
            except subprocess.TimeoutExpired:
                self.kill()

    def remove(self):
        """Deletes the data directory (and the log in it); the node must be stopped."""
        shutil.rmtree(self.data, ignore_errors=True)

    def token(self, user, name=None, admin=False):
        if user not in self.tokens:
            body = {"user_id": user, "admin": admin}
            name = name or self.names.get(user)
            if name:
                body["name"] = name
            self.tokens[user] = self.call("POST", "/v1/dev-signin", body, user=None)["token"]
        return self.tokens[user]

    def call(self, method, path, body=None, user="admin"):
        headers = {}
        if user is not None:
            headers["Authorization"] = "Bearer " + self.token(user, admin=(user == "admin"))
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                text = answer.read().decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            raise APIError(error.code, error.read().decode()) from None
