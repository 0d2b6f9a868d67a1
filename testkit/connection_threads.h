// The threads of a loopback test server, one per connection it serves: a finished one is joined
// when the next one starts (a server cut and reconnected thousands of times keeps a handful), the
// others by JoinAll() or the destructor. The server makes them return (its stop flag) first.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace driftline::testkit {

class ConnectionThreads {
 public:
  ConnectionThreads() = default;
  ~ConnectionThreads() { JoinAll(); }
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  // Runs `serve()` on a new thread. `serve` may be move-only (it usually owns the socket).
  template <typename Serve>
  void Start(Serve serve) {
    std::lock_guard lock(mu_);
    JoinFinished();
    auto done = std::make_shared<std::atomic<bool>>(false);
    threads_.push_back({std::thread([serve = std::move(serve), done]() mutable {
                          serve();
                          *done = true;
                        }),
                        done});
  }

  void JoinAll() {
    std::lock_guard lock(mu_);
    for (auto& t : threads_)
      t.thread.join();
    threads_.clear();
  }

 private:
  struct Running {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void JoinFinished() {
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (*it->done) {
        it->thread.join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::mutex mu_;
  std::list<Running> threads_;  // GUARDED_BY(mu_)
};

}  // namespace driftline::testkit
