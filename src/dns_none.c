/* A build without c-ares (CNET_WITH_CARES=OFF, or none found): the record lookups the
 * system resolver cannot answer fail clearly instead of asking DNS some other way. Host,
 * IP, port and /etc/hosts lookups still work. */
#include "internal.h"

#include <string.h>

int cnet__dns_query(const char *name, const char *what, int type, int64_t deadline,
                    cnet__stopper *stop, int wake_fd, cnet__dns_answer *ans, cnet_error *err)
{
    (void)name;
    (void)type;
    (void)deadline;
    (void)stop;
    (void)wake_fd;
    memset(ans, 0, sizeof *ans);
    return cnet__dns_error(err, CNET_ENOTSUP, what, NULL,
                           "DNS record lookups not supported (cnet built without c-ares)");
}

void cnet__dns_answer_free(cnet__dns_answer *ans)
{
    (void)ans;
}

void cnet__dns_first_server(char *buf, size_t len)
{
    if (len > 0)
        buf[0] = '\0';
}
