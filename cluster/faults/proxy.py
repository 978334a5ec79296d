"""A fault-injecting TCP proxy per directed pair of nodes (asyncio, in a thread of its own).

Node i reaches node j at 127.0.0.1:<port of link i->j> (its --members entry for j), and the link
forwards to j's real --peer-port. A link carries the connections i opens to j: i's Raft messages,
forwarded writes and reads, snapshots, and j's answers on those connections. So dropping the
link i->j alone is a one-way partition: i cannot reach j, while j still reaches i over j->i.

Each link is in one of these states:
  pass   bytes flow both ways, after `delay_s` seconds each way (order kept) when set
  drop   every open connection is reset, and new ones are accepted but black-holed (nothing is
         forwarded, nothing comes back: the caller sees timeouts, as behind a dropping firewall);
         healing closes the black-holed connections so callers reconnect
"""

import asyncio
import threading
import time

CHUNK_BYTES = 65536  # one read from a socket; HTTP/2 frames are at most 16 KiB by default
QUEUED_CHUNKS_MAX = 256  # per direction of a delayed connection: beyond it the reader waits (backpressure)


class Link:
    def __init__(self, source, target, listen_port, target_port):
        self.source, self.target = source, target
        self.listen_port, self.target_port = listen_port, target_port
        self.dropping = False
        self.delay_s = 0.0
        self.connections = set()  # (client writer, upstream writer or None)
        self.server = None
        self.bytes_forwarded = 0

    def name(self):
        return f"{self.source}->{self.target}"


class Proxy:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.links = {}
        self.thread = threading.Thread(target=self.loop.run_forever, name="proxy", daemon=True)
        self.thread.start()

    def call(self, coroutine_function, *arguments, timeout=10):
        return asyncio.run_coroutine_threadsafe(coroutine_function(*arguments), self.loop).result(timeout)

    # --- control (from any thread) ---

    def add(self, source, target, listen_port, target_port):
        link = Link(source, target, listen_port, target_port)
        self.call(self._listen, link)
        self.links[(source, target)] = link
        return link

    def set_drop(self, pairs, dropping):
        self.call(self._set_drop, list(pairs), dropping)

    def set_delay(self, pairs, delay_s):
        self.call(self._set_delay, list(pairs), delay_s)

    def heal(self):
        self.set_delay(self.links.keys(), 0.0)
        self.set_drop(self.links.keys(), False)

    def close(self):
        try:
            self.call(self._close)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)

    # --- inside the loop ---

    async def _listen(self, link):
        link.server = await asyncio.start_server(
            lambda reader, writer: self._accept(link, reader, writer), "127.0.0.1", link.listen_port)

    async def _set_drop(self, pairs, dropping):
        for pair in pairs:
            link = self.links[pair]
            if link.dropping == dropping:
                continue
            link.dropping = dropping
            # Dropping resets what was open; healing ends the black-holed connections.
            for client, upstream in list(link.connections):
                self._abort(client)
                if upstream is not None:
                    self._abort(upstream)
            link.connections.clear()

    async def _set_delay(self, pairs, delay_s):
        for pair in pairs:
            self.links[pair].delay_s = delay_s

    async def _close(self):
        for link in self.links.values():
            if link.server is not None:
                link.server.close()
            for client, upstream in list(link.connections):
                self._abort(client)
                if upstream is not None:
                    self._abort(upstream)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    def _abort(writer):
        transport = writer.transport
        if transport is not None and not transport.is_closing():
            transport.abort()

    async def _accept(self, link, reader, writer):
        if link.dropping:
            entry = (writer, None)
            link.connections.add(entry)
            try:
                while await reader.read(CHUNK_BYTES):
                    pass  # black hole
            except (ConnectionError, OSError):
                pass
            finally:
                link.connections.discard(entry)
                self._abort(writer)
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", link.target_port)
        except OSError:
            self._abort(writer)
            return
        entry = (writer, upstream_writer)
        link.connections.add(entry)
        try:
            await asyncio.gather(self._pump(link, reader, upstream_writer), self._pump(link, upstream_reader, writer))
        finally:
            link.connections.discard(entry)
            self._abort(writer)
            self._abort(upstream_writer)

    async def _pump(self, link, reader, writer):
        """Copies one direction; with a delay, each chunk leaves delay_s after it arrived."""
        queue = asyncio.Queue(maxsize=QUEUED_CHUNKS_MAX)

        async def send():
            while True:
                due, data = await queue.get()
                if data is None:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
                link.bytes_forwarded += len(data)

        sender = asyncio.ensure_future(send())
        try:
            while True:
                data = await reader.read(CHUNK_BYTES)
                if not data:
                    break
                await queue.put((time.monotonic() + link.delay_s, data))
                if sender.done():
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            await queue.put((0, None))
            try:
                await sender
            except (ConnectionError, OSError):
                pass
            self._abort(writer)
