/**
 * Real bytes seen from libcoap 4.3.1 (coap-server-notls), shared by the parser tests and fuzz seeds.
 */

/** libcoap's /.well-known/core (151 bytes, Content-Format 40). */
export const LIBCOAP_CORE =
  '</>;title="General Info";ct=0,</time>;if="clock";rt="ticks";title="Internal Clock";ct=0;obs,' +
  '</async>;ct=0,</example_data>;title="Example Data";ct=0;obs';

export const LIBCOAP_RESOURCES = [
  { path: "/", title: "General Info", ct: [0] },
  { path: "/time", if: ["clock"], rt: ["ticks"], title: "Internal Clock", ct: [0], obs: true },
  { path: "/async", ct: [0] },
  { path: "/example_data", title: "Example Data", ct: [0], obs: true },
];

/** Its piggy-backed answer to our probe (token 9dc71abb, message id 0x0434). */
export const LIBCOAP_REPLY = Buffer.concat([Buffer.from("644504349dc71abbc128ff", "hex"), Buffer.from(LIBCOAP_CORE)]);

/** Its first block with Block2 size 16: ETag, Content-Format, Block2 0/M/16, Size2 151. */
export const LIBCOAP_BLOCK0 = Buffer.concat([
  Buffer.from("644550ac" + "ca7214bf" + "41" + "01" + "81" + "28" + "b1" + "08" + "51" + "97" + "ff", "hex"),
  Buffer.from(LIBCOAP_CORE.slice(0, 16)),
]);
