/* libFuzzer: error texts. cnet_strerror over any int, and the net.Error predicates over
 * any cnet_error (a message that is not NUL-terminated included). */
#include "cnet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int code;
    if (size < sizeof code)
        return 0;
    memcpy(&code, data, sizeof code);
    const char *text = cnet_strerror(code);
    if (text == NULL || text[0] == '\0' || strlen(text) >= CNET_ERROR_MAX)
        abort();

    cnet_error err;
    memset(&err, 'x', sizeof err);
    err.code = code;
    size_t n = size - sizeof code < sizeof err.msg ? size - sizeof code : sizeof err.msg;
    memcpy(err.msg, data + sizeof code, n);
    err.msg[sizeof err.msg - 1] = '\0';
    int timeout = cnet_error_is_timeout(&err), closed = cnet_error_is_closed(&err);
    int deadline = cnet_error_is_deadline_exceeded(&err);
    if (deadline && !timeout)
        abort(); /* an expired deadline is a timeout */
    if (code == CNET_ECLOSED && !closed)
        abort();
    return 0;
}
