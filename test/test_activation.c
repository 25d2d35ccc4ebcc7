/* Socket activation: cnet_listeners_from_env reads systemd's LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES, as a real activated process does. Each test starts this program again
 * ("--child OP...") with the sockets at fds 3.. and the variables set the way systemd
 * (or cnet_restart_exec) sets them; the child runs the OPs and prints one line for each,
 * and the test compares the whole transcript. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>

/* ---- the activated child ------------------------------------------------------------- */

static cnet_activation *act;
static cnet_listener *taken[8];
static size_t ntaken;

static const char *var_or_dash(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? v : "-";
}

static void op_env(void)
{
    cnet_error err;
    int rc = cnet_listeners_from_env(&act, &err);
    printf("from_env %d %s\n", rc, err.msg);
    printf("vars %s %s %s\n", var_or_dash("LISTEN_PID"), var_or_dash("LISTEN_FDS"),
           var_or_dash("LISTEN_FDNAMES"));
}

static void op_names(void)
{
    printf("names");
    for (size_t i = 0; i < cnet_activation_count(act); i++)
        printf(" %s", cnet_activation_name(act, i));
    printf("\n");
}

/* Whether each of fds 3..3+n-1 is open, and close-on-exec. */
static void op_fds(size_t n)
{
    printf("fds");
    for (size_t i = 0; i < n; i++) {
        int flags = fcntl(3 + (int)i, F_GETFD);
        printf(" %s", flags < 0 ? "closed" : (flags & FD_CLOEXEC) ? "cloexec" : "inherit");
    }
    printf("\n");
}

static void op_take(const char *kind, const char *name)
{
    const char *want = strcmp(name, "*") == 0 ? NULL : name;
    char addr[CNET_ADDRSTRLEN] = "";
    cnet_error err;
    int rc;
    if (strcmp(kind, "listener") == 0) {
        cnet_listener *ln = NULL;
        rc = cnet_activation_listener(act, want, &ln, &err);
        if (rc == 0) {
            cnet_listener_addr(ln, addr, sizeof addr);
            taken[ntaken++] = ln;
        }
    } else {
        cnet_packet_conn *pc = NULL;
        rc = cnet_activation_packet_conn(act, want, &pc, &err);
        if (rc == 0) {
            cnet_packet_local_addr(pc, addr, sizeof addr);
            cnet_packet_close(pc);
        }
    }
    printf("%s %s %d %s\n", kind, name, rc, rc == 0 ? addr : err.msg);
}

/* A connection through the last listener taken: it is a working socket. */
static void op_roundtrip(void)
{
    cnet_listener *ln = taken[ntaken - 1];
    char addr[CNET_ADDRSTRLEN], buf[8] = "";
    cnet_conn *client = NULL, *server = NULL;
    cnet_error err;
    cnet_listener_addr(ln, addr, sizeof addr);
    int ok = cnet_dial("tcp", addr, &client, &err) == 0 &&
             cnet_listener_accept(ln, &server, &err) == 0 &&
             cnet_conn_write(client, "hi", 2, &err) == 2 &&
             cnet_conn_read(server, buf, sizeof buf, &err) == 2;
    printf("roundtrip %s\n", ok ? buf : err.msg);
    cnet_conn_close(client);
    cnet_conn_close(server);
}

static int child_main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "env") == 0)
            op_env();
        else if (strcmp(argv[i], "names") == 0)
            op_names();
        else if (strcmp(argv[i], "fds") == 0 && i + 1 < argc)
            op_fds((size_t)atoi(argv[++i]));
        else if ((strcmp(argv[i], "listener") == 0 || strcmp(argv[i], "packet") == 0) && i + 1 < argc)
            op_take(argv[i], argv[i + 1]), i++;
        else if (strcmp(argv[i], "roundtrip") == 0)
            op_roundtrip();
        else if (strcmp(argv[i], "free") == 0)
            cnet_activation_free(act), act = NULL;
        else
            return 2;
    }
    while (ntaken > 0)
        cnet_listener_close(taken[--ntaken]);
    cnet_activation_free(act);
    return 0;
}

/* ---- the test side ------------------------------------------------------------------- */

typedef struct activation {
    const int *fds;      /* become 3, 4, ... in the child */
    size_t n;
    const char *pid;     /* "self", "parent" or NULL (unset) */
    const char *nfds;    /* LISTEN_FDS; NULL: unset */
    const char *names;   /* LISTEN_FDNAMES; NULL: unset */
    const char *const *ops;
} activation;

/* In the forked child: fds to 3.., the variables, stdout to the test, then exec. */
static int exec_activated(void *arg, int out)
{
    const activation *a = arg;
    int lifted[8];
    char pid[24];
    char *argv[32] = {"test_activation", "--child"};
    size_t argc = 2;
    for (size_t i = 0; i < a->n; i++) /* out of the way of 3.. first */
        lifted[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, 16);
    for (size_t i = 0; i < a->n; i++)
        if (lifted[i] < 0 || dup2(lifted[i], 3 + (int)i) < 0) /* dup2: inheritable */
            return 126;
    if (dup2(out, STDOUT_FILENO) < 0)
        return 126;
    unsetenv("LISTEN_PID"); /* whatever this test itself was started with */
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (a->pid != NULL) {
        snprintf(pid, sizeof pid, "%ld", strcmp(a->pid, "self") == 0 ? (long)getpid() : (long)getppid());
        setenv("LISTEN_PID", pid, 1);
    }
    if (a->nfds != NULL)
        setenv("LISTEN_FDS", a->nfds, 1);
    if (a->names != NULL)
        setenv("LISTEN_FDNAMES", a->names, 1);
    for (const char *const *op = a->ops; *op != NULL && argc < 31; op++)
        argv[argc++] = (char *)*op;
    argv[argc] = NULL;
    execv("/proc/self/exe", argv);
    return 127;
}

/* Runs the child and checks its transcript (printf-style, expanded). */
static void expect_transcript(const activation *a, const char *fmt, ...)
{
    char out[2048], want[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    assert_int_equal(tu_run_child(exec_activated, (void *)a, out, sizeof out), 0);
    assert_string_equal(out, want);
}

static int port_of_listener(cnet_listener *ln)
{
    char addr[CNET_ADDRSTRLEN];
    return tu_listener_addr(ln, addr, sizeof addr);
}

static void finds_sockets_by_name(void **state)
{
    (void)state;
    cnet_listener *web = tu_listen("tcp", "127.0.0.1:0"), *admin = tu_listen("tcp", "127.0.0.1:0");
    cnet_packet_conn *dns = tu_listen_packet("udp", "127.0.0.1:0");
    char dns_addr[CNET_ADDRSTRLEN];
    tu_packet_addr(dns, dns_addr, sizeof dns_addr);
    const int fds[] = {cnet_listener_fd(web), cnet_packet_fd(dns), cnet_listener_fd(admin)};
    const char *const ops[] = {"env", "names", "fds", "3", "listener", "admin", "listener", "web",
                               "roundtrip", "packet", "dns", "listener", "web", "listener", "dns",
                               NULL};
    activation a = {fds, 3, "self", "3", "web:dns:admin", ops};
    expect_transcript(&a,
                      "from_env 3 \n"
                      "vars - - -\n"
                      "names web dns admin\n"
                      "fds cloexec cloexec cloexec\n"
                      "listener admin 0 127.0.0.1:%d\n"
                      "listener web 0 127.0.0.1:%d\n"
                      "roundtrip hi\n"
                      "packet dns 0 %s\n"
                      "listener web -2 file file+net web: activation: no such file or directory\n"
                      "listener dns -2 file file+net dns: activation: no such file or directory\n",
                      port_of_listener(admin), port_of_listener(web), dns_addr);
    cnet_listener_close(web);
    cnet_listener_close(admin);
    cnet_packet_close(dns);
}

/* Without LISTEN_FDNAMES every socket is systemd's "unknown"; NULL takes any name. */
static void unnamed_sockets_are_unknown(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    const int fds[] = {cnet_listener_fd(ln)};
    const char *const ops[] = {"env", "names", "listener", "web", "listener", "*", "roundtrip", NULL};
    activation a = {fds, 1, "self", "1", NULL, ops};
    expect_transcript(&a,
                      "from_env 1 \n"
                      "vars - - -\n"
                      "names unknown\n"
                      "listener web -2 file file+net web: activation: no such file or directory\n"
                      "listener * 0 127.0.0.1:%d\n"
                      "roundtrip hi\n",
                      port_of_listener(ln));
    cnet_listener_close(ln);
}

/* cnet_activation_free closes what was not taken, and only that. */
static void free_closes_untaken_sockets(void **state)
{
    (void)state;
    cnet_listener *a1 = tu_listen("tcp", "127.0.0.1:0"), *a2 = tu_listen("tcp", "127.0.0.1:0");
    const int fds[] = {cnet_listener_fd(a1), cnet_listener_fd(a2)};
    const char *const ops[] = {"env", "listener", "two", "free", "fds", "2", NULL};
    activation a = {fds, 2, "self", "2", "one:two", ops};
    expect_transcript(&a,
                      "from_env 2 \n"
                      "vars - - -\n"
                      "listener two 0 127.0.0.1:%d\n"
                      "fds closed cloexec\n",
                      port_of_listener(a2));
    cnet_listener_close(a1);
    cnet_listener_close(a2);
}

/* The variables were meant for another process (our parent, say): nothing is ours, the
 * descriptors are left alone, and the variables are still removed (as sd_listen_fds). */
static void other_pid_gets_nothing(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    const int fds[] = {cnet_listener_fd(ln)};
    const char *const ops[] = {"env", "names", "listener", "*", "fds", "1", NULL};
    activation a = {fds, 1, "parent", "1", "web", ops};
    expect_transcript(&a, "from_env 0 \n"
                          "vars - - -\n"
                          "names\n"
                          "listener * -2 file file+net *: activation: no such file or directory\n"
                          "fds inherit\n");
    cnet_listener_close(ln);
}

static void absent_variables_give_nothing(void **state)
{
    (void)state;
    const char *const ops[] = {"env", "names", NULL};
    activation a = {NULL, 0, NULL, NULL, NULL, ops};
    expect_transcript(&a, "from_env 0 \nvars - - -\nnames\n");
}

static void malformed_listen_fds_is_einval(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    const int fds[] = {cnet_listener_fd(ln)};
    const char *const ops[] = {"env", NULL};
    static const char *const bad[] = {"1x", "", "-1", " 1", "99999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        activation a = {fds, 1, "self", bad[i], NULL, ops};
        expect_transcript(&a, "from_env -22 activation: LISTEN_FDS=%s: invalid argument\n"
                              "vars - - -\n", bad[i]);
    }
    cnet_listener_close(ln);
}

static void names_count_mismatch_is_einval(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    const int fds[] = {cnet_listener_fd(ln), cnet_listener_fd(ln)};
    const char *const ops[] = {"env", NULL};
    activation fewer = {fds, 2, "self", "2", "web", ops};
    expect_transcript(&fewer, "from_env -22 activation: LISTEN_FDNAMES=web: invalid argument\n"
                              "vars - - -\n");
    activation more = {fds, 1, "self", "1", "web:admin", ops};
    expect_transcript(&more, "from_env -22 activation: LISTEN_FDNAMES=web:admin: invalid argument\n"
                             "vars - - -\n");
    cnet_listener_close(ln);
}

/* A descriptor that is not a socket cnet can use fails the whole set. */
static void non_socket_fd_is_refused(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    const int fds[] = {fd};
    const char *const ops[] = {"env", "names", NULL};
    activation a = {fds, 1, "self", "1", "web", ops};
    expect_transcript(&a, "from_env -88 file file+net web: getsockopt: socket operation on non-socket\n"
                          "vars - - -\n"
                          "names\n");
    close(fd);
}

/* A TCP socket that is bound but not listening. */
static int idle_tcp_socket(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    return fd;
}

/* Issue 11 §10: a socket of the wrong kind (what `cnet serve` was handed as fd 3) is
 * refused with what it is, not as if there were no socket; the refused socket stays in
 * the set for a taker of the right kind. */
static void wrong_kind_of_socket_is_named(void **state)
{
    (void)state;
    cnet_packet_conn *udp = tu_listen_packet("udp", "127.0.0.1:0");
    const int udp_fds[] = {cnet_packet_fd(udp)};
    const char *const udp_ops[] = {"env", "listener", "*", NULL};
    activation a_udp = {udp_fds, 1, "self", "1", NULL, udp_ops};
    expect_transcript(&a_udp, "from_env 1 \n"
                              "vars - - -\n"
                              "listener * -22 file file+net unknown: fd 3 is not a listening "
                              "stream socket (udp)\n");

    int idle = idle_tcp_socket();
    const int idle_fds[] = {idle};
    const char *const idle_ops[] = {"env", "listener", "web", NULL};
    activation a_idle = {idle_fds, 1, "self", "1", "web", idle_ops};
    expect_transcript(&a_idle, "from_env 1 \n"
                               "vars - - -\n"
                               "listener web -22 file file+net web: fd 3 is not a listening "
                               "stream socket (tcp, not listening)\n");

    cnet_listener *ln = tu_listen("tcp", "127.0.0.1:0");
    const int ln_fds[] = {cnet_listener_fd(ln)};
    const char *const ln_ops[] = {"env", "packet", "web", "listener", "web", NULL};
    activation a_ln = {ln_fds, 1, "self", "1", "web", ln_ops};
    expect_transcript(&a_ln, "from_env 1 \n"
                             "vars - - -\n"
                             "packet web -22 file file+net web: fd 3 is not a datagram socket (tcp)\n"
                             "listener web 0 127.0.0.1:%d\n",
                      port_of_listener(ln));
    cnet_listener_close(ln);
    close(idle);
    cnet_packet_close(udp);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_main(argc - 2, argv + 2);
    const struct CMUnitTest tests[] = {
        TU_TEST(finds_sockets_by_name),
        TU_TEST(unnamed_sockets_are_unknown),
        TU_TEST(free_closes_untaken_sockets),
        TU_TEST(other_pid_gets_nothing),
        TU_TEST(absent_variables_give_nothing),
        TU_TEST(malformed_listen_fds_is_einval),
        TU_TEST(names_count_mismatch_is_einval),
        TU_TEST(non_socket_fd_is_refused),
        TU_TEST(wrong_kind_of_socket_is_named),
    };
    return cmocka_run_group_tests_name("activation", tests, NULL, NULL);
}
