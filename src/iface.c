/* Go's Interfaces, InterfaceByName, InterfaceByIndex, Interface.Addrs and
 * InterfaceAddrs over one snapshot of the kernel's tables (iface_<os>.c reads it in one
 * pass; Go reads the whole table again for each call, golang/go#53660). */
#include "internal.h"
#include "sys.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>

struct cnet__iface_acc {
    cnet_interface *ifs;
    size_t n, cap;
    cnet_prefix *all; /* every address, in the kernel's order (InterfaceAddrs) */
    int *all_index;   /* the interface index of each */
    size_t nall, capall;
    cnet_prefix *grouped; /* the same addresses grouped per interface (Interface.Addrs) */
};

struct cnet_interfaces {
    cnet__iface_acc acc;
};

/* Grows *p (of *cap elements of size bytes) to hold one more than used. */
static int grow(void **p, size_t *cap, size_t used, size_t size)
{
    size_t ncap;
    void *np;

    if (used < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 8;
    np = cnet__os_malloc(ncap * size);
    if (np == NULL)
        return -ENOMEM;
    if (used > 0)
        memcpy(np, *p, used * size);
    free(*p);
    *p = np;
    *cap = ncap;
    return 0;
}

int cnet__iface_add_link(cnet__iface_acc *acc, const cnet_interface *link)
{
    if (grow((void **)&acc->ifs, &acc->cap, acc->n, sizeof *acc->ifs) < 0)
        return -ENOMEM;
    acc->ifs[acc->n] = *link;
    acc->ifs[acc->n].addrs = NULL;
    acc->ifs[acc->n].naddrs = 0;
    acc->n++;
    return 0;
}

int cnet__iface_add_addr(cnet__iface_acc *acc, int index, const cnet_prefix *addr)
{
    size_t cap_index = acc->capall; /* the two arrays grow in step: same capacity */

    if (grow((void **)&acc->all, &acc->capall, acc->nall, sizeof *acc->all) < 0)
        return -ENOMEM;
    if (grow((void **)&acc->all_index, &cap_index, acc->nall, sizeof *acc->all_index) < 0)
        return -ENOMEM;
    acc->all[acc->nall] = *addr;
    acc->all_index[acc->nall] = index;
    acc->nall++;
    return 0;
}

int cnet__iface_index_of(const cnet__iface_acc *acc, const char *name)
{
    for (size_t i = 0; i < acc->n; i++)
        if (strcmp(acc->ifs[i].name, name) == 0)
            return acc->ifs[i].index;
    return 0;
}

unsigned cnet__iface_flags(unsigned iff)
{
    unsigned f = 0;

    f |= (iff & IFF_UP) ? CNET_IF_UP : 0;
    f |= (iff & IFF_BROADCAST) ? CNET_IF_BROADCAST : 0;
    f |= (iff & IFF_LOOPBACK) ? CNET_IF_LOOPBACK : 0;
    f |= (iff & IFF_POINTOPOINT) ? CNET_IF_POINTTOPOINT : 0;
    f |= (iff & IFF_MULTICAST) ? CNET_IF_MULTICAST : 0;
    f |= (iff & IFF_RUNNING) ? CNET_IF_RUNNING : 0; /* Go >= 1.20's FlagRunning */
    return f;
}

static void acc_free(cnet__iface_acc *acc)
{
    free(acc->ifs);
    free(acc->all);
    free(acc->all_index);
    free(acc->grouped);
}

/* Points each interface at its addresses, copied in kernel order into one array. An
 * address of an interface the link dump did not list (one that came up between the two
 * dumps) stays in InterfaceAddrs only. */
static int group_addrs(cnet__iface_acc *acc)
{
    size_t i, k, used = 0;

    if (acc->nall == 0)
        return 0;
    acc->grouped = cnet__os_malloc(acc->nall * sizeof *acc->grouped);
    if (acc->grouped == NULL)
        return -ENOMEM;
    for (i = 0; i < acc->n; i++) {
        acc->ifs[i].addrs = acc->grouped + used;
        for (k = 0; k < acc->nall; k++)
            if (acc->all_index[k] == acc->ifs[i].index)
                acc->grouped[used++] = acc->all[k];
        acc->ifs[i].naddrs = (size_t)(acc->grouped + used - acc->ifs[i].addrs);
        if (acc->ifs[i].naddrs == 0)
            acc->ifs[i].addrs = NULL;
    }
    return 0;
}

/* Go's OpError for the interface calls: "route ip+net: <inner>". */
static int route_error(cnet_error *err, int code, const char *syscall)
{
    return cnet__sys_error(err, code, "route", "ip+net", NULL, NULL, syscall);
}

int cnet_interfaces_read(cnet_interfaces **out, cnet_error *err)
{
    cnet_interfaces *list;
    const char *syscall = NULL;
    int rc;

    if (out == NULL)
        return cnet__null_arg(err, "route", "out");
    *out = NULL;
    list = cnet__os_calloc(1, sizeof *list);
    if (list == NULL)
        return route_error(err, -ENOMEM, NULL);
    rc = cnet__iface_read(&list->acc, &syscall);
    if (rc == 0)
        rc = group_addrs(&list->acc);
    if (rc < 0) {
        acc_free(&list->acc);
        free(list);
        return route_error(err, rc, syscall);
    }
    *out = list;
    cnet__err_clear(err);
    return 0;
}

size_t cnet_interfaces_len(const cnet_interfaces *list)
{
    return list != NULL ? list->acc.n : 0;
}

const cnet_interface *cnet_interfaces_at(const cnet_interfaces *list, size_t i)
{
    return list != NULL && i < list->acc.n ? &list->acc.ifs[i] : NULL;
}

const cnet_interface *cnet_interfaces_by_name(const cnet_interfaces *list, const char *name)
{
    if (list == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < list->acc.n; i++)
        if (strcmp(list->acc.ifs[i].name, name) == 0)
            return &list->acc.ifs[i];
    return NULL;
}

const cnet_interface *cnet_interfaces_by_index(const cnet_interfaces *list, int index)
{
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < list->acc.n; i++)
        if (list->acc.ifs[i].index == index)
            return &list->acc.ifs[i];
    return NULL;
}

size_t cnet_interfaces_addrs(const cnet_interfaces *list, const cnet_prefix **addrs)
{
    if (addrs != NULL)
        *addrs = list != NULL && list->acc.nall > 0 ? list->acc.all : NULL;
    return list != NULL ? list->acc.nall : 0;
}

void cnet_interfaces_free(cnet_interfaces *list)
{
    if (list == NULL)
        return;
    acc_free(&list->acc);
    free(list);
}

/* Reads a snapshot and finds one interface in it (by name if name is not NULL). */
static int interface_by(const char *name, int index, cnet_interfaces **list,
                        const cnet_interface **ifi, cnet_error *err)
{
    int rc;

    rc = cnet_interfaces_read(list, err);
    if (rc < 0)
        return rc;
    *ifi = name != NULL ? cnet_interfaces_by_name(*list, name) : cnet_interfaces_by_index(*list, index);
    if (*ifi == NULL) {
        cnet_interfaces_free(*list);
        *list = NULL;
        return cnet__op_error(err, CNET_ENOINTERFACE, "route", "ip+net", NULL, NULL, NULL);
    }
    return 0;
}

int cnet_interface_by_name(const char *name, cnet_interfaces **list, const cnet_interface **ifi,
                           cnet_error *err)
{
    if (list == NULL || ifi == NULL || name == NULL) {
        if (list != NULL)
            *list = NULL;
        return cnet__null_arg(err, "route", name == NULL ? "name" : list == NULL ? "list" : "ifi");
    }
    *list = NULL;
    *ifi = NULL;
    if (name[0] == '\0')
        return cnet__op_error(err, -EINVAL, "route", "ip+net", NULL, NULL,
                              "invalid network interface name");
    return interface_by(name, 0, list, ifi, err);
}

int cnet_interface_by_index(int index, cnet_interfaces **list, const cnet_interface **ifi,
                            cnet_error *err)
{
    if (list == NULL || ifi == NULL) {
        if (list != NULL)
            *list = NULL;
        return cnet__null_arg(err, "route", list == NULL ? "list" : "ifi");
    }
    *list = NULL;
    *ifi = NULL;
    if (index <= 0)
        return cnet__op_error(err, -EINVAL, "route", "ip+net", NULL, NULL,
                              "invalid network interface index");
    return interface_by(NULL, index, list, ifi, err);
}

int cnet_interface_flags_string(unsigned flags, char *buf, size_t len)
{
    static const char *const names[] = {"up", "broadcast", "loopback", "pointtopoint",
                                        "multicast", "running"};
    char text[64] = "";
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (flags & (1u << i)) {
            if (text[0] != '\0')
                strcat(text, "|");
            strcat(text, names[i]);
        }
    }
    return cnet__copy_out(buf, len, text[0] != '\0' ? text : "0");
}

int cnet_hwaddr_string(const uint8_t *hw, size_t n, char *buf, size_t len)
{
    char text[3 * CNET_HWADDR_MAX];
    size_t i, used = 0;

    if (hw == NULL && n > 0) {
        if (buf != NULL && len > 0)
            buf[0] = '\0';
        return -EINVAL;
    }
    if (n > CNET_HWADDR_MAX)
        n = CNET_HWADDR_MAX;
    text[0] = '\0';
    for (i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%02x", i > 0 ? ":" : "", hw[i]);
    return cnet__copy_out(buf, len, text);
}
