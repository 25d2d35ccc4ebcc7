/* Fault injection, for the test build only (target cnet_fault): make the Nth system
 * call the library makes fail with a chosen errno. */
#ifndef CNET_FAULT_H
#define CNET_FAULT_H

/* From now on, count the library's system calls (only those named call, if call is not
 * NULL) and fail the nth one (1-based) with errnum. nth 0 only counts. */
void cnet__fault_arm(unsigned long nth, int errnum, const char *call);
/* Stops failing and counting; returns how many calls were counted. */
unsigned long cnet__fault_disarm(void);
/* Whether the armed fault has fired. */
int cnet__fault_fired(void);

#endif
