/* Nanosecond arithmetic. Times and durations are int64 nanoseconds, and callers may
 * pass any value (INT64_MAX for "never", INT64_MIN for "long ago"): a plain sum can
 * overflow, which C leaves undefined and which in practice wraps a far future into
 * the past. Sums saturate instead, so that a very long time stays very long. */
#include "internal.h"

#include <stdint.h>

int64_t cnet__add_sat_ns(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}
