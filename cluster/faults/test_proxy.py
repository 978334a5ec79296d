"""The fault-injecting proxy on real sockets: it passes bytes, drops (resets open connections and
black-holes new ones), heals, and delays."""

import os
import socket
import socketserver
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import free_ports  # noqa: E402
from proxy import Proxy  # noqa: E402


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(4096)
            if not data:
                return
            self.request.sendall(data)


class ProxyTests(unittest.TestCase):
    def setUp(self):
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.proxy = Proxy()
        self.port = free_ports(1)[0]
        self.proxy.add(1, 2, self.port, self.server.server_address[1])

    def tearDown(self):
        self.proxy.close()
        self.server.shutdown()
        self.server.server_close()

    def connect(self, timeout_s):
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=timeout_s)
        self.addCleanup(connection.close)
        return connection

    def echo(self, connection, payload=b"ping"):
        connection.sendall(payload)
        return connection.recv(4096)

    def test_passes_drops_and_heals(self):
        connection = self.connect(2)
        self.assertEqual(self.echo(connection), b"ping")
        self.proxy.set_drop([(1, 2)], True)
        with self.assertRaises(OSError):  # reset, or nothing comes back
            data = self.echo(connection)
            if data == b"":
                raise ConnectionResetError("closed")
        held = self.connect(0.5)
        held.sendall(b"lost")
        with self.assertRaises(socket.timeout):
            held.recv(4096)  # black-holed: accepted, never answered
        self.proxy.heal()
        fresh = self.connect(2)
        self.assertEqual(self.echo(fresh), b"ping")

    def test_delays_both_ways_in_order(self):
        self.proxy.set_delay([(1, 2)], 0.2)
        connection = self.connect(3)
        began = time.monotonic()
        self.assertEqual(self.echo(connection, b"one"), b"one")
        self.assertGreaterEqual(time.monotonic() - began, 0.4)  # 0.2 s there and 0.2 s back
        connection.sendall(b"a")
        connection.sendall(b"b")
        received = b""
        while len(received) < 2:
            received += connection.recv(4096)
        self.assertEqual(received, b"ab")


if __name__ == "__main__":
    unittest.main()
