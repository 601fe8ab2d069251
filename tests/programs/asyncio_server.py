"""A socket server and its clients on one loop (asyncio's streams), then a subprocess. asyncio
makes tasks and threads of its own for them (accepting a connection, shutting down the
default executor); only the program's own are rows."""

import asyncio
import sys


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readline()
    await asyncio.sleep(0.1)
    writer.write(b"pong\n")
    await writer.drain()
    writer.close()


async def client(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"ping\n")
    await writer.drain()
    line = await reader.readline()
    writer.close()
    return line


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        print(await asyncio.gather(*(client(port) for _ in range(3))))
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    print("child exited", await child.wait())


asyncio.run(main())
