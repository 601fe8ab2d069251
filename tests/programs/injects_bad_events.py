"""Sends events the schema refuses, on the run's own channel, then ends normally."""

import os
import socket

BAD = [
    b"[1,2,3]",
    b'{"e":"task_start","pid":1,"id":"x","kind":"thread","name":"no t"}',
    b'{"e":"gil","t":1,"pid":1,"t0":0,"busy":NaN,"lags_us":[]}',
    b'{"e":"task_start","t":100000000000000000000000000000,"pid":1,"id":"y","kind":"thread","name":"n"}',
    b'{"e":"supervisor_end","t":1,"pid":1,"exit_code":0}',
    b'{"e":"nonsense","t":1,"pid":1}',
    b"\xff\xfe not json",
]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
secret = os.environ["CONCUR_TUI_SECRET"].encode()
for line in BAD:
    sock.sendto(secret + b"\n" + line, os.environ["CONCUR_TUI_SOCKET"])
sock.sendto(b"wrong secret\n" + BAD[0], os.environ["CONCUR_TUI_SOCKET"])
print("still here", flush=True)
