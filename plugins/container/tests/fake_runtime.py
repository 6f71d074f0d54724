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
anything else                404 {"message": ...}

delay_s makes the inspect of that container hang that long (a stuck
runtime); stop() releases every hung request at once.
"""
import json
import os
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
        self.containers = []  # (inspect, image, listed, delay_s)
        self.requests = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server = None
        self.thread = None

    def add_container(self, inspect, image=None, listed=False, delay_s=0.0):
        with self.lock:
            self.containers.append((inspect, image, listed, delay_s))

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
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
                with runtime.lock:
                    runtime.requests.append(url.path)
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
