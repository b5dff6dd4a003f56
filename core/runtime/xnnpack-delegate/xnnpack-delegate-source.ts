/**
 * C source of agekit's XNNPACK delegate shim: a TFLite "external delegate" plugin (the two
 * `tflite_plugin_*` functions the external delegate loader looks up) that creates the XNNPACK
 * delegate already compiled into tfjs-tflite-node's libtensorflowlite_c.so.
 *
 * Why it exists: tfjs-tflite-node 0.0.2 ships TFLite 2.9.0, whose C API interpreter does not
 * apply XNNPACK by default (BlazeFace 256: 58 ms/frame on the builtin kernels, 6-9 ms with
 * XNNPACK on the same CPU), and its binding only accepts external delegates. The library
 * exports TfLiteXNNPackDelegateCreate, so this shim only forwards to it.
 *
 * Kept as a string, not a .c file, so the esbuild device bundle carries it too.
 * It links nothing: the TFLite library is found among the already loaded ones by its soname
 * (RTLD_NOLOAD), so the shim always uses the exact copy the interpreter uses.
 *
 * Options (key/value strings): `num_threads` (XNNPACK's thread pool; <= 1: none), `flags`
 * (TFLITE_XNNPACK_DELEGATE_FLAG_*: 1 = signed int8 (QS8), 2 = unsigned int8 (QU8); default 3:
 * in TFLite 2.9 quantized models run on XNNPACK only when asked), `quiet` (`1`: the delegate's
 * creation writes nothing to stderr; default 0).
 *
 * Why `quiet` redirects a file descriptor: TFLite 2.9 logs "INFO: Created TensorFlow Lite XNNPACK
 * delegate for CPU." with fprintf(stderr) from inside TfLiteXNNPackDelegateCreate, and its C
 * library exports no way to raise the log level (no MinimalLogger symbol), so the only switch is
 * to point fd 2 at /dev/null for the duration of that one call. The call runs on the thread
 * creating the interpreter (Node's main thread); a line another thread writes to stderr in those
 * microseconds would be lost too, which is why it is done only around this call.
 */

/** Bumped whenever the C text changes, so a cached build of an older text is never reused. */
export const XNNPACK_DELEGATE_SOURCE_VERSION = 4;

export const XNNPACK_DELEGATE_C_SOURCE = String.raw`/* agekit XNNPACK delegate shim (generated from core/runtime/xnnpack-delegate/xnnpack-delegate-source.ts) */
/* RTLD_NOLOAD is a GNU/BSD extension: ask for it explicitly (musl hides it otherwise). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

/* TfLiteXNNPackDelegateOptions starts with { int32_t num_threads; uint32_t flags; } in every
   TFLite 2.x that has flags (2.9 has exactly these two). Later versions append pointers and
   booleans whose zero value is their default, so a zeroed, larger buffer is read safely. */
typedef struct {
  int32_t num_threads;
  uint32_t flags;
  uint64_t zero_tail[32];
} agekit_xnnpack_options;

typedef void *(*agekit_create_fn)(const agekit_xnnpack_options *);

/* TfLiteDelegate of TFLite 2.x: data_, Prepare, three buffer-handle callbacks, flags; later
   versions append fields whose zero value is their default (the tail stays zero). */
typedef struct {
  void *data_;
  int (*Prepare)(void *context, void *delegate);
  void *CopyFromBufferHandle, *CopyToBufferHandle, *FreeBufferHandle;
  int64_t flags;
  void *zero_tail[8];
} agekit_tflite_delegate;

/* Returned instead of NULL when XNNPACK cannot be had: the binding (tfjs-tflite-node) adds the
   external delegate without a null check, and TFLite's wrapper around a NULL plugin delegate is
   left uninitialised (a crash). This one makes interpreter creation fail cleanly instead
   (Prepare -> kTfLiteDelegateError = 2), so agekit retries on the builtin kernels. */
static int agekit_refuse(void *context, void *delegate) { (void)context; (void)delegate; return 2; }
static agekit_tflite_delegate agekit_failed_delegate = { NULL, agekit_refuse, NULL, NULL, NULL, 0, { NULL } };

/* One XNNPACK delegate (and thread pool) per (num_threads, flags), created once and never
   deleted: the binding never calls TfLiteExternalDelegateDelete, so a delegate per interpreter
   would leak one thread pool per TfliteRunner. Sharing is safe because each interpreter keeps
   its own XNNPACK runtime and infer() runs synchronously (pthreadpool serialises its jobs). Past 16 distinct settings a delegate is simply never freed. */
#define AGEKIT_CACHE_SIZE 16
static struct { int32_t num_threads; uint32_t flags; void *delegate; } agekit_cache[AGEKIT_CACHE_SIZE];
static int agekit_cached = 0;
static volatile char agekit_lock = 0; /* worker threads may create interpreters too */

static void *agekit_tflite_library(void) {
#if defined(__APPLE__)
  return dlopen("libtensorflowlite_c.dylib", RTLD_NOLOAD | RTLD_NOW);
#else
  return dlopen("libtensorflowlite_c.so", RTLD_NOLOAD | RTLD_NOW);
#endif
}

/* Create the delegate; on failure *why says why (reported by the caller, after stderr is back). */
static void *agekit_create(const agekit_xnnpack_options *options, const char **why) {
  void *lib = agekit_tflite_library();
  if (!lib) {
    *why = "agekit XNNPACK shim: libtensorflowlite_c is not loaded in this process";
    return NULL;
  }
  agekit_create_fn create = (agekit_create_fn)dlsym(lib, "TfLiteXNNPackDelegateCreate");
  /* The addon keeps the library loaded: drop the reference RTLD_NOLOAD added. */
  dlclose(lib);
  if (!create) {
    *why = "agekit XNNPACK shim: this TFLite library has no TfLiteXNNPackDelegateCreate";
    return NULL;
  }
  void *delegate = create(options);
  if (!delegate) *why = "agekit XNNPACK shim: TfLiteXNNPackDelegateCreate returned NULL";
  return delegate;
}

/* agekit_create with fd 2 pointed at /dev/null (see the file comment in agekit's TypeScript):
   TFLite's INFO line goes nowhere. If stderr cannot be redirected, it is created unsilenced. */
static void *agekit_create_quietly(const agekit_xnnpack_options *options, const char **why) {
  fflush(stderr);
  int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
  int devnull = saved >= 0 ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
  if (devnull < 0 || dup2(devnull, 2) < 0) {
    if (devnull >= 0) close(devnull);
    if (saved >= 0) close(saved);
    return agekit_create(options, why);
  }
  close(devnull);
  void *delegate = agekit_create(options, why);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  return delegate;
}

void *tflite_plugin_create_delegate(char **keys, char **values, size_t count, void (*report_error)(const char *)) {
  agekit_xnnpack_options options;
  memset(&options, 0, sizeof options);
  options.flags = 3u;
  int quiet = 0;
  for (size_t i = 0; i < count; i++) {
    if (strcmp(keys[i], "num_threads") == 0) options.num_threads = (int32_t)strtol(values[i], NULL, 10);
    else if (strcmp(keys[i], "flags") == 0) options.flags = (uint32_t)strtoul(values[i], NULL, 10);
    else if (strcmp(keys[i], "quiet") == 0) quiet = strcmp(values[i], "1") == 0;
  }
  if (options.num_threads < 1) options.num_threads = 1;
  while (__atomic_test_and_set(&agekit_lock, __ATOMIC_ACQUIRE)) {}
  void *delegate = NULL;
  const char *why = NULL;
  for (int i = 0; i < agekit_cached && !delegate; i++) {
    if (agekit_cache[i].num_threads == options.num_threads && agekit_cache[i].flags == options.flags) delegate = agekit_cache[i].delegate;
  }
  if (!delegate) {
    delegate = quiet ? agekit_create_quietly(&options, &why) : agekit_create(&options, &why);
    if (delegate && agekit_cached < AGEKIT_CACHE_SIZE) {
      agekit_cache[agekit_cached].num_threads = options.num_threads;
      agekit_cache[agekit_cached].flags = options.flags;
      agekit_cache[agekit_cached].delegate = delegate;
      agekit_cached++;
    }
  }
  __atomic_clear(&agekit_lock, __ATOMIC_RELEASE);
  if (!delegate && why && report_error) report_error(why);
  return delegate ? delegate : (void *)&agekit_failed_delegate;
}

/* A no-op: delegates are cached for the process (see above), and the refusing one is static. */
void tflite_plugin_destroy_delegate(void *delegate) {
  (void)delegate;
}
`;
