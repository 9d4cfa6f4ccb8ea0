/*
 * LD_PRELOAD shim for the scan benchmark's peers: raises the backlog every listen() asks for to at least
 * $LISTEN_BACKLOG_MIN (default 65535; the kernel still caps it at the namespace's net.core.somaxconn).
 *
 * Why: mosquitto 2.0.x calls listen(sock, 100) with no setting to change it. At thousands of new
 * connections a second its accept queue overflows, the kernel drops the handshake's final ACK, and the
 * scanner's SYN is retransmitted a second later; the benchmark would measure mosquitto's backlog, not
 * the scanner. Nothing else in mosquitto changes. Built by bench/lib/peers.ts with the system's cc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/socket.h>

int listen(int fd, int backlog) {
  static int (*real_listen)(int, int);
  if (!real_listen) real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
  const char *env = getenv("LISTEN_BACKLOG_MIN");
  int min = env ? atoi(env) : 65535;
  return real_listen(fd, backlog < min ? min : backlog);
}
