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
 * in TFLite 2.9 quantized models run on XNNPACK only when asked).
 */

/** Bumped whenever the C text changes, so a cached build of an older text is never reused. */
export const XNNPACK_DELEGATE_SOURCE_VERSION = 3;

export const XNNPACK_DELEGATE_C_SOURCE = String.raw`/* agekit XNNPACK delegate shim (generated from core/runtime/xnnpack-delegate/xnnpack-delegate-source.ts) */
/* RTLD_NOLOAD is a GNU/BSD extension: ask for it explicitly (musl hides it otherwise). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void *agekit_create(const agekit_xnnpack_options *options, void (*report_error)(const char *)) {
  void *lib = agekit_tflite_library();
  if (!lib) {
    if (report_error) report_error("agekit XNNPACK shim: libtensorflowlite_c is not loaded in this process");
    return NULL;
  }
  agekit_create_fn create = (agekit_create_fn)dlsym(lib, "TfLiteXNNPackDelegateCreate");
  /* The addon keeps the library loaded: drop the reference RTLD_NOLOAD added. */
  dlclose(lib);
  if (!create) {
    if (report_error) report_error("agekit XNNPACK shim: this TFLite library has no TfLiteXNNPackDelegateCreate");
    return NULL;
  }
  void *delegate = create(options);
  if (!delegate && report_error) report_error("agekit XNNPACK shim: TfLiteXNNPackDelegateCreate returned NULL");
  return delegate;
}

void *tflite_plugin_create_delegate(char **keys, char **values, size_t count, void (*report_error)(const char *)) {
  agekit_xnnpack_options options;
  memset(&options, 0, sizeof options);
  options.flags = 3u;
  for (size_t i = 0; i < count; i++) {
    if (strcmp(keys[i], "num_threads") == 0) options.num_threads = (int32_t)strtol(values[i], NULL, 10);
    else if (strcmp(keys[i], "flags") == 0) options.flags = (uint32_t)strtoul(values[i], NULL, 10);
  }
  if (options.num_threads < 1) options.num_threads = 1;
  while (__atomic_test_and_set(&agekit_lock, __ATOMIC_ACQUIRE)) {}
  void *delegate = NULL;
  for (int i = 0; i < agekit_cached && !delegate; i++) {
    if (agekit_cache[i].num_threads == options.num_threads && agekit_cache[i].flags == options.flags) delegate = agekit_cache[i].delegate;
  }
  if (!delegate) {
    delegate = agekit_create(&options, report_error);
    if (delegate && agekit_cached < AGEKIT_CACHE_SIZE) {
      agekit_cache[agekit_cached].num_threads = options.num_threads;
      agekit_cache[agekit_cached].flags = options.flags;
      agekit_cache[agekit_cached].delegate = delegate;
      agekit_cached++;
    }
  }
  __atomic_clear(&agekit_lock, __ATOMIC_RELEASE);
  return delegate ? delegate : (void *)&agekit_failed_delegate;
}

/* A no-op: delegates are cached for the process (see above), and the refusing one is static. */
void tflite_plugin_destroy_delegate(void *delegate) {
  (void)delegate;
}
`;
