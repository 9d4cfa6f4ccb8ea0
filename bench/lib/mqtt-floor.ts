/**
 * The floor under any Node MQTT scanner on this machine: the same exchange as iotscope's mqtt module
 * (TCP connect, MQTT 3.1.1 CONNECT "MQTTClient", CONNACK, close) written as bare `net` calls with a fixed
 * number in flight, no engine (no rate gate, no records, no database). Run inside the scanner namespace:
 *
 *   node --import tsx bench/lib/mqtt-floor.ts <first address> <count> <concurrency>
 *
 * The gap between this and `iotscope scan mqtt` is what the engine costs; the gap between this and
 * zmap is what TCP handshakes and a Node event loop cost. Prints one JSON line.
 */
import net from "node:net";

const [base = "10.202.0.0", countArg = "65536", concArg = "1000"] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concArg);
const first = base.split(".").reduce((a, x) => a * 256 + Number(x), 0);
// MQTT 3.1.1 CONNECT, clean session, keep-alive 60, client id "MQTTClient" (iotscope's default).
const CONNECT = Buffer.from("101600044d5154540402003c000a4d515454436c69656e74", "hex");
// MQTT DISCONNECT, sent before closing as iotscope does.
const DISCONNECT = Buffer.from("e000", "hex");

let next = 0;
let done = 0;
let ok = 0;
let active = 0;
const started = performance.now();
await new Promise<void>((resolve) => {
  const launch = () => {
    while (active < concurrency && next < count) {
      const a = first + next++;
      const host = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
      active++;
      const s = net.connect({ host, port: 1883 });
      let finished = false;
      const end = (good: boolean) => {
        if (finished) return;
        finished = true;
        if (good) {
          ok++;
          s.end(DISCONNECT);
        }
        s.destroy();
        active--;
        if (++done === count) resolve();
        else launch();
      };
      s.once("connect", () => s.write(CONNECT));
      s.on("data", (d: Buffer) => end(d[0] === 0x20 && d.length >= 4 && d[3] === 0));
      s.on("error", () => end(false));
      s.on("close", () => end(false));
      s.setTimeout(5000, () => end(false));
    }
  };
  launch();
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ count, ok, seconds, perSecond: count / seconds, concurrency })}\n`);
