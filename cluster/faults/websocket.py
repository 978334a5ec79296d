"""A minimal blocking WebSocket client (RFC 6455) for the fault suite's subscribers: the opening
handshake, text frames (fragmented or not), pings answered with pongs, close. The standard
library only, so the suite needs nothing from PyPI."""

import base64
import hashlib
import json
import os
import socket
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
FRAME_BYTES_MAX = 1 << 20  # the server sends frames of at most 64 KiB; anything past 1 MiB is a broken stream


class Closed(Exception):
    pass


class WebSocket:
    def __init__(self, host, port, path, timeout_s):
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.buffer = b""
        self.fragments = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise Closed(f"upgrade refused: {lines[0]}")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip() for line in lines[1:] if ":" in line}
        if headers.get("sec-websocket-accept") != accept:
            raise Closed("bad Sec-WebSocket-Accept")

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed("connection closed")
        self.buffer += data

    def _send(self, opcode, payload):
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _frame(self):
        """(fin, opcode, payload) of the next whole frame in the buffer, or None; consumes it only
        when whole, so a read timeout never loses part of a frame."""
        if len(self.buffer) < 2:
            return None
        first, second = self.buffer[0], self.buffer[1]
        if second & 0x80:
            raise Closed("a server frame must not be masked")
        length, offset = second & 0x7F, 2
        if length == 126:
            if len(self.buffer) < 4:
                return None
            length, offset = struct.unpack("!H", self.buffer[2:4])[0], 4
        elif length == 127:
            if len(self.buffer) < 10:
                return None
            length, offset = struct.unpack("!Q", self.buffer[2:10])[0], 10
        if length > FRAME_BYTES_MAX:
            raise Closed(f"frame of {length} bytes")
        if len(self.buffer) < offset + length:
            return None
        payload = self.buffer[offset:offset + length]
        self.buffer = self.buffer[offset + length:]
        return first & 0x80, first & 0x0F, payload

    def receive_json(self):
        """The next text message as JSON; answers pings; raises Closed on a close frame or EOF,
        socket.timeout when nothing whole arrives in time (call again to go on)."""
        while True:
            frame = self._frame()
            if frame is None:
                self._fill()
                continue
            fin, opcode, payload = frame
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(f"close frame {code}")
            if opcode == 0x9:
                self._send(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            self.fragments += payload
            if fin:
                message, self.fragments = self.fragments, b""
                return json.loads(message)

    def close(self):
        try:
            self._send(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
