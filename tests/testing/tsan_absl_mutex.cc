// Makes absl::Mutex visible to ThreadSanitizer in the UNITCLOCK_TSAN build.
//
// Debian's Abseil is compiled without -fsanitize=thread, so the annotations
// that absl::Mutex carries for TSan (ABSL_TSAN_MUTEX_*) are compiled out of
// libabsl_synchronization.so: TSan sees neither Lock nor Unlock, and reports
// every access to ABSL_GUARDED_BY state from two threads as a data race. This
// file, linked into each test binary of that build only (unitclock_add_test),
// defines the Mutex and CondVar members our code calls. The executable's
// definitions take the place of the library's (it exports them, so calls made
// inside the library bind to them too). Each one tells TSan what Abseil's own
// TSan build would have told it, then calls the library's function, found
// with dlsym(RTLD_NEXT). Without this file the watchdog tests report false
// races on ABSL_GUARDED_BY members (SessionWatchdog::state_, for one).
//
// Covered: Lock, Unlock, TryLock, ReaderLock, ReaderUnlock, ReaderTryLock
// (hence absl::MutexLock and friends), the destructor, and CondVar's Wait,
// WaitWithTimeout and WaitWithDeadline; absl::Mutex() itself is inline and
// annotates its creation when compiled with TSan. Not covered, so still
// invisible to TSan: Await, LockWhen and their variants (their conditions run
// on other threads), absl::Notification, absl::Barrier and
// absl::BlockingCounter. Code run under TSan uses none of them; if it comes
// to, add them here or use std::latch, std::barrier.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"

#if !defined(__SANITIZE_THREAD__)
#error "tsan_absl_mutex.cc belongs to the ThreadSanitizer build (UNITCLOCK_TSAN) only"
#endif

#define UNITCLOCK_STRINGIFY_(x) #x
#define UNITCLOCK_STRINGIFY(x) UNITCLOCK_STRINGIFY_(x)

namespace {

// The library's definition of a member of absl::Mutex or absl::CondVar, whose
// mangled name ends in `suffix` ("5Mutex4LockEv" for Mutex::Lock()). The
// inline namespace of Debian's Abseil ("debian3") is part of every mangled
// name. Aborts if absent: a silently missing annotation would turn into false
// reports.
template <typename F>
F RealMember(const char* suffix) {
  const std::string ns = UNITCLOCK_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string name = "_ZN4absl" + std::to_string(ns.size()) + ns + suffix;
  void* f = dlsym(RTLD_NEXT, name.c_str());
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_absl_mutex: %s not found in Abseil\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

// The library's members, looked up once, on first use.
struct RealMembers {
  using Void = void (*)(absl::Mutex*);
  using Bool = bool (*)(absl::Mutex*);
  Void lock = RealMember<Void>("5Mutex4LockEv");
  Void unlock = RealMember<Void>("5Mutex6UnlockEv");
  Bool try_lock = RealMember<Bool>("5Mutex7TryLockEv");
  Void reader_lock = RealMember<Void>("5Mutex10ReaderLockEv");
  Void reader_unlock = RealMember<Void>("5Mutex12ReaderUnlockEv");
  Bool reader_try_lock = RealMember<Bool>("5Mutex13ReaderTryLockEv");
  Void destroy = RealMember<Void>("5MutexD2Ev");
  void (*wait)(absl::CondVar*,
               absl::Mutex*) = RealMember<decltype(wait)>("7CondVar4WaitEPNS0_5MutexE");
  bool (*wait_with_timeout)(absl::CondVar*, absl::Mutex*, absl::Duration) =
      RealMember<decltype(wait_with_timeout)>(
          "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  bool (*wait_with_deadline)(absl::CondVar*, absl::Mutex*, absl::Time) =
      RealMember<decltype(wait_with_deadline)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
};

const RealMembers& Real() {
  static const RealMembers members;
  return members;
}

// What a CondVar wait tells TSan about its Mutex, before and after.
void TsanUnlocked(absl::Mutex* mu) {
  __tsan_mutex_pre_unlock(mu, 0);
  __tsan_mutex_post_unlock(mu, 0);
}

void TsanLockedAgain(absl::Mutex* mu) {
  __tsan_mutex_pre_lock(mu, 0);
  __tsan_mutex_post_lock(mu, 0, 0);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

// The annotations below are those of Abseil's mutex.cc when built with TSan.

void Mutex::Lock() {
  __tsan_mutex_pre_lock(this, 0);
  Real().lock(this);
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::Unlock() {
  __tsan_mutex_pre_unlock(this, 0);
  Real().unlock(this);
  __tsan_mutex_post_unlock(this, 0);
}

bool Mutex::TryLock() {
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  const bool locked = Real().try_lock(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
                         0);
  return locked;
}

void Mutex::ReaderLock() {
  __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  Real().reader_lock(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

void Mutex::ReaderUnlock() {
  __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  Real().reader_unlock(this);
  __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

bool Mutex::ReaderTryLock() {
  constexpr unsigned kFlags = __tsan_mutex_read_lock | __tsan_mutex_try_lock;
  __tsan_mutex_pre_lock(this, kFlags);
  const bool locked = Real().reader_try_lock(this);
  __tsan_mutex_post_lock(this, kFlags | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

// A wait releases `mu` and takes it again before it returns, as
// pthread_cond_wait does for TSan's own interceptor. `mu` is taken to be held
// exclusively (a reader-held Mutex is not supported here).
void CondVar::Wait(Mutex* mu) {
  TsanUnlocked(mu);
  Real().wait(this, mu);
  TsanLockedAgain(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  TsanUnlocked(mu);
  const bool timed_out = Real().wait_with_timeout(this, mu, timeout);
  TsanLockedAgain(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  TsanUnlocked(mu);
  const bool timed_out = Real().wait_with_deadline(this, mu, deadline);
  TsanLockedAgain(mu);
  return timed_out;
}

Mutex::~Mutex() {
  __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  Real().destroy(this);
}

ABSL_NAMESPACE_END
}  // namespace absl
