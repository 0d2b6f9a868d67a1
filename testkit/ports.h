// Loopback ports and the HTTP probes the tests need (GET a path, read the status, or the body too).
#pragma once

#include <netinet/in.h>

#include <string>

namespace driftline::testkit {

// A port on 127.0.0.1 that nothing listens on right now (bound to port 0, read, released): a
// free port for a server the test starts, or a target for "connection refused". -1 when no
// loopback socket can be bound.
int FreeLoopbackPort();
// 127.0.0.1:<port> as a socket address.
sockaddr_in LoopbackAddress(int port);

// The HTTP status of GET http://127.0.0.1:<port><path> (2 s to answer), or -1 when nothing
// answers.
int HttpGetStatus(int port, const std::string& path);

struct HttpGetReply {
  int status = -1;   // -1 when nothing answered
  std::string body;  // what followed the header block until the server closed
};

// GET http://127.0.0.1:<port><path> with "Connection: close": the status and the body (2 s for
// each read).
HttpGetReply HttpGet(int port, const std::string& path);

}  // namespace driftline::testkit
