import threading


def work():
    raise ValueError("bad input in worker")


def quiet():
    pass


threads = [
    threading.Thread(target=work, name="broken"),
    threading.Thread(target=quiet, name="fine"),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("main carried on")
