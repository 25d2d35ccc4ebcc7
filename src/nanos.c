/* Nanosecond arithmetic. Times and durations are int64 nanoseconds, and callers may
 * pass any value (INT64_MAX for "never", INT64_MIN for "long ago"): a plain sum can
 * overflow, which C leaves undefined and which in practice wraps a far future into
 * the past. Sums saturate instead, so that a very long time stays very long. */
#include "internal.h"

#include <stdint.h>

#define NS_PER_SEC INT64_C(1000000000)

int64_t cnet__add_sat_ns(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

int64_t cnet__sec_to_ns_sat(int64_t sec, int64_t nsec)
{
    if (sec > INT64_MAX / NS_PER_SEC)
        return INT64_MAX;
    if (sec < INT64_MIN / NS_PER_SEC)
        return INT64_MIN;
    return cnet__add_sat_ns(sec * NS_PER_SEC, nsec);
}
