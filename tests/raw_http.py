"""One raw HTTP exchange for the tests that send what no client library
would (smuggling attempts, malformed headers): the bytes as given, then
everything the server answers until it closes (or 10 s pass)."""
import socket


def exchange(port, data, timeout=10):
    """Send data to 127.0.0.1:port; the whole answer as latin-1 text."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    finally:
        s.close()
    return out.decode("latin-1")
