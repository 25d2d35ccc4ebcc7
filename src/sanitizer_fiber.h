/* Telling the sanitizers about task switches. AddressSanitizer must know which stack
 * is live (or it reports false stack errors and misses real ones); ThreadSanitizer
 * tracks each task as a fiber. Without a sanitizer these are empty. */
#ifndef CNET_SANITIZER_FIBER_H
#define CNET_SANITIZER_FIBER_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CNET__ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define CNET__TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CNET__ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define CNET__TSAN 1
#endif

#ifdef CNET__ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef CNET__TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* One execution context: a task, or a scheduler on its thread's own stack. */
typedef struct cnet__fiber_san {
    const void *bottom; /* the stack's lowest address and size (a scheduler's are */
    size_t size;        /* learned at the first switch back to it) */
    void *fake_stack;   /* ASan's fake stack of this context while it is switched out */
    void *tsan_fiber;
} cnet__fiber_san;

static inline void cnet__fiber_san_init(cnet__fiber_san *f, const void *bottom, size_t size)
{
    f->bottom = bottom;
    f->size = size;
    f->fake_stack = NULL;
    f->tsan_fiber = NULL;
#ifdef CNET__TSAN
    f->tsan_fiber = __tsan_create_fiber(0);
#endif
}

/* The scheduler's own context (its thread's stack). */
static inline void cnet__fiber_san_self(cnet__fiber_san *f)
{
    f->bottom = NULL;
    f->size = 0;
    f->fake_stack = NULL;
    f->tsan_fiber = NULL;
#ifdef CNET__TSAN
    f->tsan_fiber = __tsan_get_current_fiber();
#endif
}

static inline void cnet__fiber_san_destroy(cnet__fiber_san *f)
{
#ifdef CNET__TSAN
    if (f->tsan_fiber != NULL)
        __tsan_destroy_fiber(f->tsan_fiber);
#endif
    (void)f;
}

/* Right before switching from `from` to `to`; dying: from never runs again. */
static inline void cnet__fiber_san_leave(cnet__fiber_san *from, cnet__fiber_san *to, bool dying)
{
#ifdef CNET__ASAN
    __sanitizer_start_switch_fiber(dying ? NULL : &from->fake_stack, to->bottom, to->size);
#endif
#ifdef CNET__TSAN
    __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
    (void)from;
    (void)to;
    (void)dying;
}

/* Right after a switch into f; records the bounds of the stack switched away from when
 * f does not know them yet (a scheduler learns its own from its first task). */
static inline void cnet__fiber_san_back(cnet__fiber_san *f, cnet__fiber_san *prev)
{
#ifdef CNET__ASAN
    const void *bottom = NULL;
    size_t size = 0;

    __sanitizer_finish_switch_fiber(f->fake_stack, &bottom, &size);
    if (prev != NULL && prev->bottom == NULL) {
        prev->bottom = bottom;
        prev->size = size;
    }
#endif
    (void)f;
    (void)prev;
}

#endif /* CNET_SANITIZER_FIBER_H */
