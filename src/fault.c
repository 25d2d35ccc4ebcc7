/* Fault injection for tests (built only into the cnet_fault library). */
#include "fault.h"
#include "sys.h"

#include <stdatomic.h>
#include <string.h>

static atomic_ulong counted, target;
static atomic_int errnum_to_inject, fired, armed;
static char only[32];

void cnet__fault_arm(unsigned long nth, int errnum, const char *call)
{
    atomic_store(&armed, 0);
    atomic_store(&counted, 0);
    atomic_store(&target, nth);
    atomic_store(&errnum_to_inject, errnum);
    atomic_store(&fired, 0);
    strncpy(only, call != NULL ? call : "", sizeof only - 1);
    atomic_store(&armed, 1);
}

unsigned long cnet__fault_disarm(void)
{
    atomic_store(&armed, 0);
    return atomic_load(&counted);
}

int cnet__fault_fired(void)
{
    return atomic_load(&fired);
}

int cnet__fault(const char *call)
{
    unsigned long n;

    if (!atomic_load(&armed) || (only[0] != '\0' && strcmp(only, call) != 0))
        return 0;
    n = atomic_fetch_add(&counted, 1) + 1;
    if (n != atomic_load(&target))
        return 0;
    atomic_store(&fired, 1);
    return atomic_load(&errnum_to_inject);
}
