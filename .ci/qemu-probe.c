/* Which kernel interfaces that the test suite needs does this emulator not pass through?
 * .ci/musl.sh builds this for the target, runs it under qemu-user and leaves out only the
 * tests that need a missing one, so the list of left-out tests follows the emulator.
 * Prints one word per missing interface:
 *   exec               the kernel cannot exec a target binary (no binfmt_misc entry for
 *                      the emulator): tests that exec a program by its path fail
 *   tcp_info           getsockopt(TCP_INFO) returns 4 bytes, not struct tcp_info
 *   ip_multicast_if    setsockopt(IP_MULTICAST_IF) with a struct ip_mreqn is refused
 *   ipv6_multicast_if  setsockopt(IPV6_MULTICAST_IF) is refused
 * An interface that fails for another reason is not reported: its tests then run, and
 * fail where the reason shows. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int exec_fails(char *argv0)
{
    int status;
    pid_t pid = fork();
    if (pid == 0) {
        execv("/proc/self/exe", (char *[]){argv0, "--exec", NULL});
        _exit(errno == ENOEXEC ? 126 : 127);
    }
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 126;
}

static int tcp_info_short(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    int fd = socket(AF_INET, SOCK_STREAM, 0), is_short;
    if (fd < 0)
        return 0;
    is_short = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 8) == 0 &&
               getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
               len < offsetof(struct tcp_info, tcpi_sacked) + sizeof ti.tcpi_sacked;
    close(fd);
    return is_short;
}

static int refused(int family, int level, int name, const void *val, socklen_t len)
{
    int fd = socket(family, SOCK_DGRAM, 0), no;
    if (fd < 0)
        return 0;
    no = setsockopt(fd, level, name, val, len) < 0 && errno == ENOPROTOOPT;
    close(fd);
    return no;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--exec") == 0)
        return 0;
    int lo = (int)if_nametoindex("lo");
    struct ip_mreqn mreqn = {.imr_ifindex = lo};
    if (exec_fails(argv[0]))
        puts("exec");
    if (tcp_info_short())
        puts("tcp_info");
    if (lo > 0 && refused(AF_INET, IPPROTO_IP, IP_MULTICAST_IF, &mreqn, sizeof mreqn))
        puts("ip_multicast_if");
    if (lo > 0 && refused(AF_INET6, IPPROTO_IPV6, IPV6_MULTICAST_IF, &lo, sizeof lo))
        puts("ipv6_multicast_if");
    return 0;
}
