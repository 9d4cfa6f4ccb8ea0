/**
 * MQTT emulator (1883): an open-broker front on mqtt-packet. Why not aedes (1.2.0 runs on Node 20 as
 * ESM): a honeypot broker must isolate every session — never relay one attacker's publishes to another
 * (that would make the sensor a free C2 relay) nor keep their retained messages for the next visitor —
 * which in aedes means overriding its authorizePublish/authorizeForward hooks and its persistence, i.e.
 * fighting the broker; and its parser buffers any announced packet length (up to 256 MB) where we refuse
 * oversized packets from the header. What an isolated broker answers (CONNACK, SUBACK with retained
 * messages, PUBACK/PUBREC/PUBCOMP, UNSUBACK, PINGRESP) is small: broker-session.ts.
 */
import net from "node:net";
import type { Emulator, EmulatorContext, RunningEmulator } from "../types.js";
import { BrokerSession } from "./broker-session.js";
import { mqttConfigSchema, mqttPersona, type MqttConfig } from "./config.js";
import { TcpSessions } from "./tcp-session.js";

export { mqttConfigSchema, mqttPersonaSchema, type MqttConfig } from "./config.js";

async function start(ctx: EmulatorContext, config: MqttConfig): Promise<RunningEmulator> {
  const retained = mqttPersona(ctx.persona);
  const sessions = new TcpSessions(ctx, "mqtt");
  const servers: net.Server[] = [];
  const onConnection = (socket: net.Socket) => {
    const session = sessions.accept(socket);
    if (!session) return;
    const write = (bytes: Buffer) => {
      // A client that subscribes to everything and never reads: don't queue without bound.
      if (socket.writableLength > Math.max(ctx.limits.maxBufferBytes, config.max_packet_bytes ?? 0)) return session.destroy("peer not reading");
      socket.write(bytes);
    };
    const broker = new BrokerSession(ctx, config, retained, session, write);
    socket.on("data", (chunk: Buffer) => {
      try {
        broker.onData(chunk);
      } catch (err) {
        // A bug met by attacker input must cost one session, not the sensor: logged loudly, session ended.
        ctx.log.error({ err, session: session.id }, "mqtt emulator: unexpected error, session closed");
        session.destroy("malformed input");
      }
    });
  };
  try {
    for (const port of config.ports) servers.push(await listen(port, ctx.host, onConnection));
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    async close() {
      const closed = servers.map((s) => new Promise((r) => s.close(r)));
      await sessions.closeAll();
      await Promise.all(closed);
    },
  };
}

/** Listens on one port; resolves when bound, rejects with the bind error (port in use, no permission). */
export function listen(port: number, host: string, onConnection: (s: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: false }, onConnection);
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.on("error", () => undefined); // accept errors (EMFILE…) must not crash the sensor
      resolve(server);
    });
  });
}

export const emulator: Emulator<MqttConfig> = {
  meta: {
    name: "mqtt",
    protocol: "mqtt",
    transport: "tcp",
    defaultPorts: [1883],
    description: "Open MQTT broker front: records CONNECT credentials, SUBSCRIBE, PUBLISH; shows the persona's retained device topics",
  },
  configSchema: mqttConfigSchema,
  start,
};
