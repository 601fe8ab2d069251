import time

time.sleep(0.1)
raise RuntimeError("the script itself failed")
