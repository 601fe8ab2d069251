"""Names and output a terminal or Rich markup would interpret: shown as literal text."""

import threading

ESC = "\x1b"


def work():
    print(f"{ESC}]52;c;aGVsbG8={ESC}\\ clipboard? {ESC}[2J [bold]not bold[/bold] [/x]", flush=True)


for name in ("[/x]", "Thread-1 [worker]", f"title{ESC}]0;pwned\a", "nul\x00byte"):
    thread = threading.Thread(target=work, name=name)
    thread.start()
    thread.join()
