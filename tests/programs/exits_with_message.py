import sys

print("hi")
sys.exit("goodbye message")
