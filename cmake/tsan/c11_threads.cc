// The C11 threads functions librdkafka uses, as calls to the pthread functions ThreadSanitizer
// intercepts. Linked only into a ThreadSanitizer build (cmake/Sanitizers.cmake).
//
// Why: glibc (2.34 and later) implements thrd_create, mtx_lock, cnd_wait, ... by calling its
// pthread functions internally, not through the symbols a sanitizer interposes, and neither
// GCC's nor LLVM's ThreadSanitizer runtime intercepts the C11 names. So a thread librdkafka starts
// is unknown to the runtime (its first allocation crashes the process), and librdkafka's locks
// and condition variables order nothing as far as the runtime can tell (every hand-over through
// them would be reported as a race). Defined here, in a shared library every executable of that
// build links, these definitions come before libc's in symbol lookup; glibc's mtx_t, cnd_t,
// once_flag and thrd_t are its pthread types under another name, so each function is the pthread
// call glibc itself makes, made through the public symbol.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

int ThrdResult(int error) {
  switch (error) {
    case 0:
      return thrd_success;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    case ENOMEM:
    case EAGAIN:
      return thrd_nomem;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* Mutex(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}
pthread_cond_t* Cond(cnd_t* c) {
  return reinterpret_cast<pthread_cond_t*>(c);
}

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));

// A C11 thread function returns int; a pthread one returns void*.
struct C11Start {
  thrd_start_t func;
  void* arg;
};

void* RunC11Thread(void* start) {
  const C11Start s = *static_cast<C11Start*>(start);
  delete static_cast<C11Start*>(start);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(s.func(s.arg)));
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = new (std::nothrow) C11Start{func, arg};
  if (start == nullptr) return thrd_nomem;
  const int error = pthread_create(thr, nullptr, RunC11Thread, start);
  if (error != 0) delete start;
  return ThrdResult(error);
}

int thrd_join(thrd_t thr, int* res) {
  void* result = nullptr;
  const int error = pthread_join(thr, &result);
  if (error == 0 && res != nullptr)
    *res = static_cast<int>(reinterpret_cast<std::intptr_t>(result));
  return ThrdResult(error);
}

int thrd_detach(thrd_t thr) {
  return ThrdResult(pthread_detach(thr));
}

int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int error = pthread_mutex_init(Mutex(mutex), &attr);
  pthread_mutexattr_destroy(&attr);
  return ThrdResult(error);
}

int mtx_lock(mtx_t* mutex) {
  return ThrdResult(pthread_mutex_lock(Mutex(mutex)));
}

int mtx_trylock(mtx_t* mutex) {
  return ThrdResult(pthread_mutex_trylock(Mutex(mutex)));
}

int mtx_timedlock(mtx_t* __restrict mutex, const struct timespec* __restrict time_point) {
  return ThrdResult(pthread_mutex_timedlock(Mutex(mutex), time_point));
}

int mtx_unlock(mtx_t* mutex) {
  return ThrdResult(pthread_mutex_unlock(Mutex(mutex)));
}

void mtx_destroy(mtx_t* mutex) {
  pthread_mutex_destroy(Mutex(mutex));
}

int cnd_init(cnd_t* cond) {
  return ThrdResult(pthread_cond_init(Cond(cond), nullptr));
}

int cnd_signal(cnd_t* cond) {
  return ThrdResult(pthread_cond_signal(Cond(cond)));
}

int cnd_broadcast(cnd_t* cond) {
  return ThrdResult(pthread_cond_broadcast(Cond(cond)));
}

int cnd_wait(cnd_t* cond, mtx_t* mutex) {
  return ThrdResult(pthread_cond_wait(Cond(cond), Mutex(mutex)));
}

int cnd_timedwait(cnd_t* __restrict cond, mtx_t* __restrict mutex,
                  const struct timespec* __restrict time_point) {
  return ThrdResult(pthread_cond_timedwait(Cond(cond), Mutex(mutex), time_point));
}

void cnd_destroy(cnd_t* cond) {
  pthread_cond_destroy(Cond(cond));
}

void call_once(once_flag* flag, void (*func)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), func);
}

}  // extern "C"
