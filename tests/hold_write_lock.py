"""Hold a store's write lock, as another process would: take it (waiting
up to 10 s), print "locked", keep it SECONDS, roll back, print "released".

    python3 tests/hold_write_lock.py DB SECONDS
"""
import sqlite3
import sys
import time

c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
print("released", flush=True)
