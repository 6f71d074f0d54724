# SPDX-License-Identifier: Apache-2.0
"""A fake container runtime API (the Docker Engine API subset the container
plugin reads, which Podman also serves) on a unix socket, for tests.
Python 3 standard library only.

    rt = FakeRuntime(path)                  # listens at path
    rt.add_container(inspect_dict, image=image_dict, listed=True, delay_s=0)
    rt.start(); ...; rt.stop()

GET /containers/json?all=1   the containers added with listed=True
GET /containers/<id>/json    inspect by full id or any prefix of 12+ chars
GET /images/<id>/json        the image given with the container
GET /events?filters=...      a stream of the events given to emit() (chunked,
                             one JSON message per line), kept open until stop()
anything else                404 {"message": ...}

destroy_after_inspect=True emits a "destroy" event for a container once its
inspect has been served (a container that goes away right after it started).

delay_s makes the inspect of that container hang that long (a stuck
runtime); stop() releases every hung request at once.
"""
import json
import os
import queue
import select
import socket
import socketserver
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeRuntime:
    def __init__(self, path):
        self.path = path
        self.containers = []  # (inspect, image, listed, delay_s, destroy_after_inspect)
        self.requests = []
        self.backlog = []  # events emitted while no stream was connected
        self.streams = []  # one queue per connected events stream
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server = None
        self.thread = None

    def add_container(self, inspect, image=None, listed=False, delay_s=0.0,
                      destroy_after_inspect=False):
        with self.lock:
            self.containers.append((inspect, image, listed, delay_s, destroy_after_inspect))

    def emit(self, action, full_id, image=""):
        """Sends one container event to every events stream (or the next to connect)."""
        ev = {"Type": "container", "Action": action, "status": action, "id": full_id,
              "Actor": {"ID": full_id, "Attributes": {"image": image}}}
        with self.lock:
            if self.streams:
                for q in self.streams:
                    q.put(ev)
            else:
                self.backlog.append(ev)

    def requested(self, prefix):
        with self.lock:
            return [r for r in self.requests if r.startswith(prefix)]

    def _find(self, ident):
        with self.lock:
            for c in self.containers:
                full = c[0]["Id"]
                if ident == full or (len(ident) >= 12 and full.startswith(ident)):
                    return c
        return None

    def _image(self, ident):
        with self.lock:
            for c in self.containers:
                img = c[1]
                if img is not None and ident in (img.get("Id"), c[0].get("Image")):
                    return img
        return None

    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def _send(self, code, body):
                data = json.dumps(body).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout) before the answer

            def _stream_events(self):
                q = queue.Queue()
                with runtime.lock:
                    for ev in runtime.backlog:
                        q.put(ev)
                    runtime.backlog = []
                    runtime.streams.append(q)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.flush()
                    while not runtime.release.is_set():
                        # a closed client shows as readable with nothing to read
                        r, _, _ = select.select([self.connection], [], [], 0.05)
                        if r and not self.connection.recv(1, socket.MSG_PEEK):
                            return
                        try:
                            ev = q.get_nowait()
                        except queue.Empty:
                            continue
                        data = (json.dumps(ev) + "\n").encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass  # the client went away
                finally:
                    with runtime.lock:
                        runtime.streams.remove(q)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
                with runtime.lock:
                    runtime.requests.append(url.path)
                if parts == ["events"]:
                    self._stream_events()
                    return
                if parts == ["containers", "json"]:
                    with runtime.lock:
                        listed = [{"Id": c[0]["Id"], "Image": c[0].get("Config", {}).get("Image", "")}
                                  for c in runtime.containers if c[2]]
                    self._send(200, listed)
                    return
                if len(parts) == 3 and parts[0] == "containers" and parts[2] == "json":
                    c = runtime._find(parts[1])
                    if c is None:
                        self._send(404, {"message": "No such container: " + parts[1]})
                        return
                    if c[3] > 0:
                        runtime.release.wait(c[3])
                    self._send(200, c[0])
                    if c[4]:
                        runtime.emit("destroy", c[0]["Id"], c[0].get("Config", {}).get("Image", ""))
                    return
                if len(parts) == 3 and parts[0] == "images" and parts[2] == "json":
                    img = runtime._image(parts[1])
                    if img is None:
                        self._send(404, {"message": "No such image: " + parts[1]})
                        return
                    self._send(200, img)
                    return
                self._send(404, {"message": "page not found"})

        self.server = _Server(self.path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if os.path.exists(self.path):
            os.unlink(self.path)
