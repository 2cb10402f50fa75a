"""Fixture app for the bad-input scenario: one script, several misbehaviours.

python app.py [MODE]
  serve       answer /health on 0.0.0.0:$PORT (the good case)
  loopback    the same, bound to 127.0.0.1 only
  never-bind  run without ever opening a socket
  slow-start  keep a CPU busy for 4 seconds (an import of numpy and the like), then serve
  crash-later serve, then exit with code 3 after 2 seconds
  worker-crash  work for 0.3 seconds, then die of an exception (run in a loop that restarts it)
  fade-out    serve, stop answering after 1 second, exit with code 3 two seconds later
  print-env   print the secret-looking environment, then serve
  flood       print 100 MB to stdout, then serve
  hog         allocate 512 MB, then serve
  needs-setting  read DATABASE_URL from the environment, which the scenario does not set
"""
import http.server
import os
import sys
import threading
import time


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ok":true}' if self.path == "/health" else b'{"apiBase":"/api"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(host="0.0.0.0"):
    port = int(os.environ["PORT"])
    srv = http.server.ThreadingHTTPServer((host, port), Health)
    print(f"listening on {host}:{port}", flush=True)
    srv.serve_forever()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if mode == "loopback":
        serve("127.0.0.1")
    elif mode == "never-bind":
        print("starting, but never binding", flush=True)
        time.sleep(3600)
    elif mode == "slow-start":
        print("importing", flush=True)
        end = time.monotonic() + 4
        while time.monotonic() < end:
            pass
        serve()
    elif mode == "worker-crash":
        print(f"worker {os.getpid()} booting", flush=True)
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass
        raise RuntimeError("cannot reach the cache at redis://cache:6379")
    elif mode == "crash-later":
        def die():
            time.sleep(2)
            print("fatal: lost the database connection", flush=True)
            os._exit(3)
        threading.Thread(target=die, daemon=True).start()
        serve()
    elif mode == "fade-out":
        port = int(os.environ["PORT"])
        srv = http.server.ThreadingHTTPServer(("0.0.0.0", port), Health)
        print(f"listening on 0.0.0.0:{port}", flush=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        time.sleep(1)
        srv.shutdown()
        srv.server_close()
        print("fatal: lost the database connection, shutting down", flush=True)
        time.sleep(2)
        os._exit(3)
    elif mode == "print-env":
        for k in ("OPENAI_API_KEY", "DATABASE_URL"):
            print(f"{k}={os.environ.get(k, '')}", flush=True)
        serve()
    elif mode == "flood":
        line = b"x" * 1023 + b"\n"
        out = sys.stdout.buffer
        for _ in range(100 * 1024):
            out.write(line)
        out.flush()
        serve()
    elif mode == "needs-setting":
        print("reading settings", flush=True)
        database_url = os.environ["DATABASE_URL"]
        print(f"connecting to {database_url}", flush=True)
        serve()
    elif mode == "hog":
        hog = bytearray(512 << 20)
        hog[::4096] = b"x" * len(hog[::4096])
        serve()
    else:
        serve()


if __name__ == "__main__":
    main()
