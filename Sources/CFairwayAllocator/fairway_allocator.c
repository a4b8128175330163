#include "fairway_allocator.h"

// Defines __GLIBC__ where the C library is glibc (through features.h).
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

fairway_heap_figures fairway_heap_figures_now(void) {
  fairway_heap_figures figures = {false, 0, 0};
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 info = mallinfo2();
  figures.known = true;
  figures.in_use = info.uordblks + info.hblkhd;
  figures.free = info.fordblks;
#endif
  return figures;
}

bool fairway_heap_trim(void) {
#if defined(__GLIBC__)
  return malloc_trim(0) == 1;
#else
  return false;
#endif
}

bool fairway_heap_configure(int mmap_threshold, int trim_threshold, int arenas) {
#if defined(__GLIBC__)
  int mmap = mallopt(M_MMAP_THRESHOLD, mmap_threshold);
  int trim = mallopt(M_TRIM_THRESHOLD, trim_threshold);
  int arena = mallopt(M_ARENA_MAX, arenas);
  return mmap == 1 && trim == 1 && arena == 1;
#else
  (void)mmap_threshold;
  (void)trim_threshold;
  (void)arenas;
  return false;
#endif
}
