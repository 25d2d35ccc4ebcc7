/* Task stacks: an anonymous mapping with a PROT_NONE guard page at its low end, so a
 * stack overflow faults at the guard instead of running into other memory. Pages are
 * only backed once touched: a parked task costs the pages its frames reached. */
#include "internal.h"
#include "sys.h"

#include <sys/mman.h>
#include <unistd.h>

#define MIN_STACK (16 * 1024)

static size_t page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);

    return n > 0 ? (size_t)n : 4096;
}

size_t cnet__stack_round(size_t size)
{
    size_t page = page_size();

    if (size < MIN_STACK)
        size = MIN_STACK;
    if (size > SIZE_MAX / 2)
        size = SIZE_MAX / 2; /* mmap refuses it below; no overflow on the way */
    return (size + page - 1) / page * page;
}

int cnet__stack_alloc(cnet__stack *st, size_t size)
{
    size_t page = page_size();
    void *map;

    size = cnet__stack_round(size);
    map = cnet__os_mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return CNET__ERRNO();
    if (cnet__os_mprotect(map, page, PROT_NONE) < 0) {
        int rc = CNET__ERRNO();

        munmap(map, size + page);
        return rc;
    }
    st->map = map;
    st->base = (char *)map + page;
    st->size = size;
    return 0;
}

void cnet__stack_free(cnet__stack *st)
{
    if (st->map != NULL)
        munmap(st->map, st->size + page_size());
    st->map = NULL;
}
