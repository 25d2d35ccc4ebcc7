/* Unix domain sockets: paths, Linux abstract names and autobind, unlink on close
 * (go-dial.md §8), and Go's errors. */
#include "testutil.h"

#include <sys/stat.h>
#include <sys/un.h>

static char dir[64];

static int make_dir(void **state)
{
    tu_make_tempdir(dir, sizeof dir);
    return tu_fd_setup(state);
}

static int remove_dir(void **state)
{
    assert_int_equal(rmdir(dir), 0); /* every test cleans up its own files */
    return tu_fd_teardown(state);
}

#define UNIX_TEST(f) cmocka_unit_test_setup_teardown(f, make_dir, remove_dir)

static void path_in_dir(char *buf, size_t len, const char *name)
{
    assert_true(snprintf(buf, len, "%s/%s", dir, name) < (int)len);
}

static void expect_addr(int n, const char *got, const char *want)
{
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(got, want);
}

/* One byte each way between a dialed and an accepted conn. */
static void exchange(cnet_conn *a, cnet_conn *b)
{
    char c = 0;
    assert_int_equal(cnet_conn_write(a, "x", 1, NULL), 1);
    assert_int_equal(cnet_conn_read(b, &c, 1, NULL), 1);
    assert_int_equal(c, 'x');
    assert_int_equal(cnet_conn_write(b, "y", 1, NULL), 1);
    assert_int_equal(cnet_conn_read(a, &c, 1, NULL), 1);
    assert_int_equal(c, 'y');
}

static void unix_stream_round_trip_reports_addresses(void **state)
{
    (void)state;
    char path[128], buf[CNET_ADDRSTRLEN];
    path_in_dir(path, sizeof path, "s.sock");
    cnet_listener *ln = tu_listen("unix", path);
    expect_addr(cnet_listener_addr(ln, buf, sizeof buf), buf, path);
    int lfd = cnet_listener_fd(ln);
    assert_int_equal(tu_sockopt(lfd, SOL_SOCKET, SO_REUSEADDR), 1); /* rule 4 covers AF_UNIX */
    assert_int_equal(tu_sockopt(lfd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    assert_true(tu_is_cloexec(lfd));

    cnet_conn *client = tu_dial("unix", path);
    cnet_conn *server = tu_accept(ln);
    assert_true(tu_is_cloexec(cnet_conn_fd(client)));
    assert_true(tu_is_cloexec(cnet_conn_fd(server)));
    exchange(client, server);
    /* unnamed sockets print as "@" (Go issue 7354) */
    expect_addr(cnet_conn_local_addr(client, buf, sizeof buf), buf, "@");
    expect_addr(cnet_conn_remote_addr(client, buf, sizeof buf), buf, path);
    expect_addr(cnet_conn_local_addr(server, buf, sizeof buf), buf, path);
    expect_addr(cnet_conn_remote_addr(server, buf, sizeof buf), buf, "@");
    assert_int_equal(cnet_conn_close(client), 0);
    assert_int_equal(cnet_conn_close(server), 0);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void unix_abstract_name_prints_at_name(void **state)
{
    (void)state;
    char name[64], buf[CNET_ADDRSTRLEN];
    snprintf(name, sizeof name, "@cnet-test-abstract-%ld", (long)getpid());
    cnet_listener *ln = tu_listen("unix", name);
    expect_addr(cnet_listener_addr(ln, buf, sizeof buf), buf, name);
    cnet_conn *client = tu_dial("unix", name);
    cnet_conn *server = tu_accept(ln);
    exchange(client, server);
    expect_addr(cnet_conn_remote_addr(client, buf, sizeof buf), buf, name);
    assert_int_equal(cnet_conn_close(client), 0);
    assert_int_equal(cnet_conn_close(server), 0);
    assert_int_equal(cnet_listener_close(ln), 0);
}

/* An empty name autobinds to a kernel-chosen abstract name, which peers can dial. */
static void unix_autobind_gets_abstract_name(void **state)
{
    (void)state;
    cnet_listener *ln = tu_listen("unix", "");
    char name[CNET_ADDRSTRLEN], buf[CNET_ADDRSTRLEN];
    int n = cnet_listener_addr(ln, name, sizeof name);
    assert_true(n > 1);
    assert_int_equal(name[0], '@');
    cnet_conn *client = tu_dial("unix", name);
    cnet_conn *server = tu_accept(ln);
    expect_addr(cnet_conn_remote_addr(client, buf, sizeof buf), buf, name);
    assert_int_equal(cnet_conn_close(client), 0);
    assert_int_equal(cnet_conn_close(server), 0);
    assert_int_equal(cnet_listener_close(ln), 0);
}

static void unix_listener_close_removes_path(void **state)
{
    (void)state;
    char path[128];
    path_in_dir(path, sizeof path, "gone.sock");
    cnet_listener *ln = tu_listen("unix", path);
    assert_true(tu_path_exists(path));
    assert_int_equal(cnet_listener_close(ln), 0);
    assert_false(tu_path_exists(path));
}

/* Only the file the listener created is removed, never one that replaced it. */
static void unix_listener_close_keeps_replacement_file(void **state)
{
    (void)state;
    char path[128];
    path_in_dir(path, sizeof path, "replaced.sock");
    cnet_listener *ln = tu_listen("unix", path);
    assert_int_equal(unlink(path), 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(cnet_listener_close(ln), 0);
    assert_true(tu_path_exists(path));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(unlink(path), 0);
}

static void expect_listen_error(const char *network, const char *address, int code, const char *want)
{
    cnet_listener *ln = (cnet_listener *)&ln; /* must be overwritten with NULL */
    cnet_error err;
    assert_int_equal(cnet_listen(network, address, &ln, &err), code);
    assert_null(ln);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, want);
}

/* Go never removes a stale file before bind. */
static void unix_listen_existing_path_eaddrinuse(void **state)
{
    (void)state;
    char path[128], want[256];
    path_in_dir(path, sizeof path, "busy.sock");
    snprintf(want, sizeof want, "listen unix %s: bind: address already in use", path);
    cnet_listener *ln = tu_listen("unix", path);
    expect_listen_error("unix", path, -EADDRINUSE, want);
    assert_int_equal(cnet_listener_close(ln), 0);

    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    expect_listen_error("unix", path, -EADDRINUSE, want);
    assert_true(tu_path_exists(path));
    assert_int_equal(unlink(path), 0);
}

/* sun_path holds 108 bytes: a path needs its NUL, so 107 bytes is the longest. */
static void unix_path_length_limit_einval(void **state)
{
    (void)state;
    char path[256], want[320];
    size_t dirlen = strlen(dir) + 1;
    memset(path, 0, sizeof path);
    path_in_dir(path, sizeof path, "");
    memset(path + dirlen, 'a', sizeof(((struct sockaddr_un *)0)->sun_path) - 1 - dirlen);
    assert_int_equal(strlen(path), 107);
    cnet_listener *ln = tu_listen("unix", path);
    assert_int_equal(cnet_listener_close(ln), 0);

    path[107] = 'a';
    snprintf(want, sizeof want, "listen unix %s: bind: invalid argument", path);
    expect_listen_error("unix", path, -EINVAL, want);

    memset(path + 108, 'a', 200 - 108);
    snprintf(want, sizeof want, "listen unix %s: bind: invalid argument", path);
    expect_listen_error("unix", path, -EINVAL, want);
    assert_false(tu_path_exists(path));
}

static void unix_dial_missing_path_enoent(void **state)
{
    (void)state;
    char path[128], want[256];
    path_in_dir(path, sizeof path, "nope.sock");
    snprintf(want, sizeof want, "dial unix %s: connect: no such file or directory", path);
    cnet_conn *c = (cnet_conn *)&c;
    cnet_error err;
    assert_int_equal(cnet_dial("unix", path, &c, &err), -ENOENT);
    assert_null(c);
    assert_string_equal(err.msg, want);
}

static void unixgram_round_trip_reports_sender_path(void **state)
{
    (void)state;
    char pa[128], pb[128], buf[64], from[CNET_ADDRSTRLEN];
    path_in_dir(pa, sizeof pa, "a.sock");
    path_in_dir(pb, sizeof pb, "b.sock");
    cnet_packet_conn *a = tu_listen_packet("unixgram", pa);
    cnet_packet_conn *b = tu_listen_packet("unixgram", pb);
    expect_addr(cnet_packet_local_addr(a, buf, sizeof buf), buf, pa);
    assert_int_equal(tu_sockopt(cnet_packet_fd(a), SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    assert_int_equal(tu_sockopt(cnet_packet_fd(a), SOL_SOCKET, SO_BROADCAST), 0); /* not on AF_UNIX */
    assert_true(tu_is_cloexec(cnet_packet_fd(a)));

    assert_int_equal(cnet_packet_write_to(a, "dgram", 5, pb, NULL), 5);
    assert_int_equal(cnet_packet_read_from(b, buf, sizeof buf, from, sizeof from, NULL), 5);
    assert_memory_equal(buf, "dgram", 5);
    assert_string_equal(from, pa);

    cnet_conn *c = tu_dial("unixgram", pb); /* a dialed datagram conn, unnamed */
    assert_int_equal(cnet_conn_write(c, "via-dial", 8, NULL), 8);
    assert_int_equal(cnet_packet_read_from(b, buf, sizeof buf, from, sizeof from, NULL), 8);
    assert_memory_equal(buf, "via-dial", 8);
    assert_int_equal(cnet_conn_close(c), 0);

    /* Go's datagram sockets never unlink their path (go-dial.md §8). */
    assert_int_equal(cnet_packet_close(a), 0);
    assert_int_equal(cnet_packet_close(b), 0);
    assert_true(tu_path_exists(pa));
    assert_int_equal(unlink(pa), 0);
    assert_int_equal(unlink(pb), 0);
}

/* SOCK_SEQPACKET keeps message boundaries. */
static void unixpacket_keeps_message_boundaries(void **state)
{
    (void)state;
    char path[128], buf[16];
    path_in_dir(path, sizeof path, "p.sock");
    cnet_listener *ln = tu_listen("unixpacket", path);
    assert_int_equal(tu_sockopt(cnet_listener_fd(ln), SOL_SOCKET, SO_TYPE), SOCK_SEQPACKET);
    cnet_conn *client = tu_dial("unixpacket", path);
    cnet_conn *server = tu_accept(ln);
    assert_int_equal(cnet_conn_write(client, "ab", 2, NULL), 2);
    assert_int_equal(cnet_conn_write(client, "cde", 3, NULL), 3);
    assert_int_equal(cnet_conn_read(server, buf, sizeof buf, NULL), 2);
    assert_memory_equal(buf, "ab", 2);
    assert_int_equal(cnet_conn_read(server, buf, sizeof buf, NULL), 3);
    assert_memory_equal(buf, "cde", 3);
    assert_int_equal(cnet_conn_close(client), 0);
    assert_int_equal(cnet_conn_close(server), 0);
    assert_int_equal(cnet_listener_close(ln), 0);
    assert_false(tu_path_exists(path));
}

/* Go 1.19's WriteTo to "" on a unixgram socket: the destination is present but empty,
 * and Go prints its arrow: "write unixgram <path>->: sendto: invalid argument". */
static void unixgram_write_to_empty_names_the_arrow(void **state)
{
    (void)state;
    char path[128], want[256];
    cnet_error err;
    path_in_dir(path, sizeof path, "s");
    cnet_packet_conn *pc = tu_listen_packet("unixgram", path);
    snprintf(want, sizeof want, "write unixgram %s->: sendto: invalid argument", path);
    assert_int_equal(cnet_packet_write_to(pc, "x", 1, "", &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    assert_string_equal(err.msg, want);
    assert_int_equal(cnet_packet_close(pc), 0);
    assert_int_equal(unlink(path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIX_TEST(unix_stream_round_trip_reports_addresses),
        UNIX_TEST(unix_abstract_name_prints_at_name),
        UNIX_TEST(unix_autobind_gets_abstract_name),
        UNIX_TEST(unix_listener_close_removes_path),
        UNIX_TEST(unix_listener_close_keeps_replacement_file),
        UNIX_TEST(unix_listen_existing_path_eaddrinuse),
        UNIX_TEST(unix_path_length_limit_einval),
        UNIX_TEST(unix_dial_missing_path_enoent),
        UNIX_TEST(unixgram_round_trip_reports_sender_path),
        UNIX_TEST(unixpacket_keeps_message_boundaries),
        UNIX_TEST(unixgram_write_to_empty_names_the_arrow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
