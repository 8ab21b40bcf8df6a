#!/usr/bin/env python3
"""A TCP proxy for bench/run's outage case: PORT -> 127.0.0.1:UPSTREAM. SIGUSR1 closes every connection and
refuses new ones (the database is gone), SIGUSR2 accepts again."""
import signal
import socket
import sys
import threading

listen_port, upstream = int(sys.argv[1]), int(sys.argv[2])
up = True
conns = []
lock = threading.Lock()


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        for s in (a, b):
            close(s)


def close(s):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass


def cut(*_):
    global up
    up = False
    with lock:
        for s in conns:
            close(s)
        conns.clear()


def restore(*_):
    global up
    up = True


signal.signal(signal.SIGUSR1, cut)
signal.signal(signal.SIGUSR2, restore)
srv = socket.create_server(("127.0.0.1", listen_port))
print("ready", flush=True)
while True:
    c, _ = srv.accept()
    if not up:
        close(c)
        continue
    try:
        u = socket.create_connection(("127.0.0.1", upstream))
    except OSError:
        close(c)
        continue
    with lock:
        conns.extend((c, u))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
