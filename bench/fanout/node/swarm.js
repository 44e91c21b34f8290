// The client swarm: N socket.io-client websocket clients, the same for every server.
// Connects them, says "connected" and waits for "go" on stdin (the orchestrator measures
// the server's idle memory meanwhile), then measures the time for one broadcast to reach
// every client and the deliveries per second of a burst, and prints one JSON line.
const { io } = require("socket.io-client");
const readline = require("readline");

const [urlsArg, nArg, messagesArg, sizeArg, trigger, token] = process.argv.slice(2);
const urls = urlsArg.split(",");
const n = Number(nArg), messages = Number(messagesArg), size = Number(sizeArg);
const clients = [];
let expected = null; // { tag, count, done, resolve, times }

function onMessage(state, data) {
  if (!expected || !data || data.title !== expected.tag && data.tag !== expected.tag) return;
  state.count += 1;
  if (state.count === expected.count) {
    expected.times.push(performance.now());
    expected.done += 1;
    if (expected.done === n) expected.resolve();
  }
}

function connectOne(i) {
  return new Promise((resolve, reject) => {
    const socket = io(urls[i % urls.length], {
      transports: ["websocket"], forceNew: true, reconnection: false, auth: { token },
      timeout: 60000,
    });
    const state = { count: 0 };
    socket.onAny((event, data) => onMessage(state, data));
    socket.once("connect", () => resolve({ socket, state }));
    socket.once("connect_error", (err) => reject(err));
  });
}

async function phase(tag, count) {
  for (const c of clients) c.state.count = 0;
  const done = new Promise((resolve) => { expected = { tag, count, done: 0, resolve, times: [] }; });
  const started = performance.now();
  const response = await fetch(`${trigger}?count=${count}&size=${size}&tag=${tag}`);
  if (!response.ok) throw new Error(`trigger failed: ${response.status}`);
  await done;
  const last = Math.max(...expected.times);
  expected = null;
  return (last - started) / 1000;
}

async function main() {
  for (let i = 0; i < n; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 100); j++) batch.push(connectOne(j));
    clients.push(...await Promise.all(batch));
  }
  console.log(JSON.stringify({ connected: clients.length }));
  const rl = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => rl.once("line", resolve));
  await new Promise((r) => setTimeout(r, 300));
  const latencies = [];
  for (let r = 0; r < 5; r++) {
    latencies.push(await phase(`lat${r}`, 1));
    await new Promise((res) => setTimeout(res, 200));
  }
  await phase("warm", Math.max(1, Math.floor(messages / 5)));
  const seconds = await phase("burst", messages);
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    clients: n,
    messages,
    deliveries_per_s: (n * messages) / seconds,
    burst_seconds: seconds,
    broadcast_latency_s: latencies[Math.floor(latencies.length / 2)],
    broadcast_latency_max_s: latencies[latencies.length - 1],
  }));
  for (const c of clients) c.socket.disconnect();
  rl.close();
  process.exit(0);
}

main().catch((err) => { console.error(String(err && err.stack || err)); process.exit(1); });
