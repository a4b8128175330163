#ifndef FAIRWAY_ALLOCATOR_H
#define FAIRWAY_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>

/// What the C allocator holds, in bytes. `known` is false where it cannot tell (not glibc).
typedef struct {
  bool known;
  /// Handed out and not freed: arena chunks in use plus chunks mapped on their own.
  size_t in_use;
  /// Freed into the arenas and kept there (resident or not).
  size_t free;
} fairway_heap_figures;

/// The allocator's figures now (glibc's mallinfo2, which walks each arena's bins).
fairway_heap_figures fairway_heap_figures_now(void);

/// Gives free pages of every arena back to the OS (glibc's malloc_trim). Returns whether any
/// memory went back; false where there is no such call.
bool fairway_heap_trim(void);

/// Fixes glibc's mmap threshold, trim threshold and arena count. Returns whether glibc took
/// all three; false elsewhere.
bool fairway_heap_configure(int mmap_threshold, int trim_threshold, int arenas);

#endif
