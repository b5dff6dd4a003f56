// Linked into the bundle's TFLite addon so it runs with older C++ libraries than the compiler's.
// g++ 11 and later emit calls to std::__throw_bad_array_new_length (from <new> allocations),
// which libstdc++ exports only from GLIBCXX_3.4.29 (gcc 11): Debian 11, Ubuntu 20.04 (Jetson
// L4T r35) and 64-bit Raspberry Pi OS "bullseye" have 3.4.28, and the addon would not load there.
// A hidden definition inside the addon satisfies those calls without the versioned import.
#include <new>

namespace std {
__attribute__((visibility("hidden"), noreturn)) void __throw_bad_array_new_length() { throw std::bad_array_new_length(); }
}  // namespace std
