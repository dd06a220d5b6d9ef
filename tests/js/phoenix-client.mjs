// Drives the official `phoenix` client against a running server and prints what it sees, one
// JSON object per line: {"event":"joined"}, {"event":"presence", users}, {"event":"asset_created", payload}.
// Usage: node phoenix-client.mjs <http base url> <access token> <tenant id> [websocket|longpoll]
import { Socket, LongPoll, Presence } from "phoenix";
import WebSocket from "ws";

const [base, token, tenant, transport = "websocket"] = process.argv.slice(2);
const say = (o) => console.log(JSON.stringify(o));
const endpoint = base.replace(/^http/, "ws") + "/socket";
const open = () => {
  const socket = new Socket(endpoint, {
    params: { token },
    transport: transport === "longpoll" ? LongPoll : WebSocket,
    heartbeatIntervalMs: 1000,
  });
  socket.onError((e) => say({ event: "socket_error", error: String(e && e.message ? e.message : e) }));
  socket.connect();
  return socket;
};

setTimeout(() => { say({ event: "timeout" }); process.exit(1); }, 20000);

const socket = open();
const assets = socket.channel(`assets:${tenant}`);
assets.on("asset_created", (payload) => { say({ event: "asset_created", payload }); process.exit(0); });

// Presence: this client and a second one, as two browser tabs would be.
const presence = new Presence(socket.channel(`presence:${tenant}`));
const other = open();
const otherChannel = other.channel(`presence:${tenant}`);
let reported = false;
presence.onSync(() => {
  const users = presence.list((id, { metas }) => ({ id, count: metas.length }));
  const connections = users.reduce((n, u) => n + u.count, 0);
  if (connections === 2 && !reported) {
    reported = true;
    say({ event: "presence", users });
    assets.join()
      .receive("ok", () => say({ event: "joined" }))
      .receive("error", (e) => { say({ event: "join_error", reason: e.reason }); process.exit(2); });
  }
});
presence.channel.join().receive("ok", () => otherChannel.join());
