// The reference: a stock Socket.IO 4 server; every client joins one room; GET /go
// broadcasts `count` messages of `size` bytes to it.
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2]);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname !== "/go") { res.statusCode = 404; return res.end(); }
  const count = Number(url.searchParams.get("count"));
  const body = "x".repeat(Number(url.searchParams.get("size")));
  const tag = url.searchParams.get("tag");
  for (let i = 0; i < count; i++) io.to("all").emit("m", { tag, i, body });
  res.end("ok");
});
const io = new Server(server);
io.on("connection", (socket) => socket.join("all"));
server.listen(port, "127.0.0.1", () => console.log("ready"));
