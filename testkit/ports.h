// Loopback ports and the one HTTP probe the tests need (GET a path, read the status).
#pragma once

#include <string>

namespace driftline::testkit {

// A port on 127.0.0.1 that nothing listens on right now (bound to port 0, read, released): a
// free port for a server the test starts, or a target for "connection refused". -1 when no
// loopback socket can be bound.
int FreeLoopbackPort();

// The HTTP status of GET http://127.0.0.1:<port><path> (2 s to answer), or -1 when nothing
// answers.
int HttpGetStatus(int port, const std::string& path);
// The body of GET http://127.0.0.1:<port><path> (2 s for each read, at most 1 MiB; the server
// must close the connection or send no more), "" when nothing answers.
std::string HttpGetBody(int port, const std::string& path);

}  // namespace driftline::testkit
