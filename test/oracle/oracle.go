// The Go side of the parity test: runs every case of cases.txt with Go's net package
// and prints one normalised line per case. oracle.c does the same with cnet; run.sh
// diffs the two. The case language is described at the top of cases.txt.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// A run of one case: the ports the kernel chose (printed as <port>) and the temporary
// directory (printed as <dir>).
type run struct {
	dir   string
	ports []int
}

func main() {
	noDNS()
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: oracle-go CASES")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fmt.Printf("%s => %s\n", line, runCase(line))
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// Names resolve from /etc/hosts only (the cases name no host but localhost): a DNS query
// fails the case instead of leaving the machine.
func noDNS() {
	net.DefaultResolver.PreferGo = true
	net.DefaultResolver.Dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		return nil, errors.New("oracle: refused a DNS query to " + address)
	}
}

// Each case gets a fresh temporary directory so unix paths never collide.
func runCase(line string) string {
	dir, err := os.MkdirTemp("", "cnet-oracle.")
	if err != nil {
		return "oracle: " + err.Error()
	}
	defer os.RemoveAll(dir)
	r := &run{dir: dir}
	words := strings.Split(line, " ")
	args := make([]string, len(words)-1)
	for i, w := range words[1:] {
		args[i] = strings.ReplaceAll(unescape(w), "<dir>", dir)
	}
	return r.normalise(r.dispatch(words[0], args))
}

// Tokens: two single quotes are the empty string, \xHH a byte (for spaces and the
// like).
func unescape(word string) string {
	if word == "''" {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(word); i++ {
		if word[i] == '\\' && i+3 < len(word) && word[i+1] == 'x' {
			if v, err := strconv.ParseUint(word[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(word[i])
	}
	return b.String()
}

func (r *run) dispatch(cmd string, a []string) string {
	switch {
	case strings.HasPrefix(cmd, "lookup-"): // ---- lookups (cases-dns.txt) ----
		return lookupCase(cmd, a)
	case cmd == "split" && len(a) == 1:
		host, port, err := net.SplitHostPort(a[0])
		if err != nil {
			return "err " + err.Error()
		}
		return "ok host=[" + host + "] port=[" + port + "]"
	case cmd == "join" && len(a) == 2:
		return "ok " + net.JoinHostPort(a[0], a[1])
	case cmd == "port" && len(a) == 2:
		return r.port(a[0], a[1])
	case cmd == "listen" && len(a) == 2:
		return r.listenAndClose("listen", a[0], a[1])
	case cmd == "listenpacket" && len(a) == 2:
		return r.listenAndClose("listenpacket", a[0], a[1])
	case cmd == "mcast-local" && len(a) == 2:
		return r.listenAndClose("mcast", a[0], a[1])
	case cmd == "mcast-nodev" && len(a) == 2:
		return r.multicastWithoutIPv4(a[0], a[1])
	case cmd == "writeto" && len(a) == 3:
		return r.writeTo(a[0], a[1], a[2])
	case (cmd == "listen-twice" || cmd == "listenpacket-twice" || cmd == "mcast-twice") && len(a) == 2:
		kind := strings.TrimSuffix(cmd, "-twice")
		return r.pair(kind, a[0], a[1], a[0], twiceAddress(a[1]))
	case (cmd == "listen-pair" || cmd == "listenpacket-pair") && len(a) == 4:
		kind := strings.TrimSuffix(cmd, "-pair")
		return r.pair(kind, a[0], a[1], a[2], a[3])
	case cmd == "dial" && len(a) == 2:
		return r.dialAndClose(a[0], a[1], nil)
	case cmd == "dial-to" && len(a) == 4:
		return r.dialTo(a[0], a[1], a[2], a[3], nil)
	case cmd == "dial-to-from" && len(a) == 5:
		return r.dialTo(a[0], a[1], a[2], a[3], &a[4])
	case cmd == "dial-read" && len(a) == 2:
		return r.dialRead(a[0], a[1])
	case cmd == "listenpacket-read" && len(a) == 2:
		return r.listenPacketRead(a[0], a[1])
	case cmd == "dial-refused" && len(a) == 2:
		return r.dialRefused(a[0], a[1], nil)
	case cmd == "dial-refused-from" && len(a) == 3:
		return r.dialRefused(a[0], a[1], &a[2])
	case cmd == "stream-expired" && len(a) == 2: // message I/O: streams and unix
		return r.streamExpired(a[0], a[1])
	}
	if result, ok := netipCase(cmd, a); ok { // ---- addresses and interfaces ----
		return result
	}
	return "oracle: bad case"
}

// ---- message I/O: streams and unix ----

// streamExpired: on one TCP pair, net.Buffers.WriteTo past an expired write deadline
// (writev), then TCPConn.ReadFrom(the other end's conn) past its expired read
// deadline (Go's splice path): the two errors.
func (r *run) streamExpired(network, address string) string {
	l, err := net.Listen(network, address)
	if err != nil {
		return "err " + err.Error()
	}
	defer l.Close()
	c, err := dialer.Dial(network, r.learn(l.Addr()))
	if err != nil {
		return "err " + err.Error()
	}
	defer c.Close()
	r.learn(c.LocalAddr())
	s, err := l.Accept()
	if err != nil {
		return "err " + err.Error()
	}
	defer s.Close()
	past := time.Now().Add(-time.Second)
	c.SetWriteDeadline(past)
	_, werr := (&net.Buffers{[]byte("ab"), []byte("cd")}).WriteTo(c)
	c.SetWriteDeadline(time.Time{})
	s.SetReadDeadline(past)
	_, rerr := c.(*net.TCPConn).ReadFrom(s)
	return "writev=" + errString(werr) + " splice=" + errString(rerr)
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// ---- end of message I/O: streams and unix ----

// An endpoint of any kind, reduced to what the cases print.
type endpoint interface {
	Close() error
}

func (r *run) open(kind, network, address string) (endpoint, string, error) {
	switch kind {
	case "listen":
		l, err := net.Listen(network, address)
		if err != nil {
			return nil, "", err
		}
		return l, r.learn(l.Addr()), nil
	case "listenpacket":
		c, err := net.ListenPacket(network, address)
		if err != nil {
			return nil, "", err
		}
		return c, r.learn(c.LocalAddr()), nil
	case "mcast":
		return r.multicast(network, address)
	}
	return nil, "", errors.New("oracle: bad kind " + kind)
}

// Multicast joins only on lo (never a nil interface on the host).
func (r *run) multicast(network, address string) (endpoint, string, error) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return nil, "", err
	}
	group, err := net.ResolveUDPAddr(network, address)
	if err != nil {
		return nil, "", fmt.Errorf("oracle: unresolvable group (not a Go case): %v", err)
	}
	c, err := net.ListenMulticastUDP(network, lo, group)
	if err != nil {
		return nil, "", err
	}
	return c, r.learn(c.LocalAddr()), nil
}

// Records a kernel-chosen port so that it prints as <port>.
func (r *run) learn(a net.Addr) string {
	s := a.String()
	if _, port, err := net.SplitHostPort(s); err == nil && a.Network() != "unix" &&
		a.Network() != "unixgram" && a.Network() != "unixpacket" {
		if p, err := strconv.Atoi(port); err == nil && p != 0 {
			r.ports = append(r.ports, p)
		}
	}
	return s
}

func (r *run) listenAndClose(kind, network, address string) string {
	e, addr, err := r.open(kind, network, address)
	if err != nil {
		return "err " + err.Error()
	}
	e.Close()
	return "ok " + addr
}

// A *-twice case repeats its address on the port the first endpoint got: a trailing
// ":0" becomes ":<port>".
func twiceAddress(address string) string {
	if strings.HasSuffix(address, ":0") {
		return strings.TrimSuffix(address, "0") + "<port>"
	}
	return address
}

// "<port>" in a later address is the port the first endpoint got.
func (r *run) withPort(address string) string {
	if len(r.ports) == 0 {
		return address
	}
	return strings.ReplaceAll(address, "<port>", strconv.Itoa(r.ports[0]))
}

// Other programs on the host may hold the port the first endpoint got on the second
// address: a conflict is retried on a new port, so only a real one (which recurs
// every time) is reported.
func (r *run) pair(kind, net1, addr1, net2, addr2 string) string {
	result := ""
	for attempt := 0; attempt < pairAttempts; attempt++ {
		r.ports = nil
		var inUse bool
		result, inUse = r.pairOnce(kind, net1, addr1, net2, addr2)
		if !inUse {
			break
		}
	}
	return result
}

const pairAttempts = 3

func (r *run) pairOnce(kind, net1, addr1, net2, addr2 string) (string, bool) {
	first, _, err := r.open(kind, net1, addr1)
	if err != nil {
		return "err first: " + err.Error(), false
	}
	defer first.Close()
	second, addr, err := r.open(kind, net2, r.withPort(addr2))
	if err != nil {
		return "err " + err.Error(), errors.Is(err, syscall.EADDRINUSE)
	}
	second.Close()
	return "ok " + addr, false
}

// Every dial connects only to the local host (a loopback or unspecified address, or no
// address at all): the control hook refuses anything else.
var dialer = net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
	if strings.HasPrefix(network, "unix") {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil { // ip networks have no port
		host = address
	}
	ip := net.ParseIP(strings.Split(host, "%")[0])
	if host == "" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		return nil
	}
	return errors.New("oracle: refused non-loopback dial to " + address)
}}

// The Dialer's LocalAddr for a "from" address (nil: none). The cases only name local
// addresses that resolve: cnet takes a string, so Go's resolution errors have no
// counterpart.
func localAddr(network string, from *string) (net.Addr, error) {
	if from == nil {
		return nil, nil
	}
	switch {
	case strings.HasPrefix(network, "tcp"):
		return net.ResolveTCPAddr("tcp", *from)
	case strings.HasPrefix(network, "udp"):
		return net.ResolveUDPAddr("udp", *from)
	}
	return net.ResolveUnixAddr(network, *from)
}

func (r *run) dialAndClose(network, address string, from *string) string {
	d := dialer
	laddr, err := localAddr(network, from)
	if err != nil {
		return "oracle: unresolvable local address (not a Go case): " + err.Error()
	}
	if from != nil {
		d.LocalAddr = laddr
	}
	c, err := d.Dial(network, address)
	if err != nil {
		return "err " + err.Error()
	}
	defer c.Close()
	local := r.learn(c.LocalAddr())
	return "ok local=" + local + " remote=" + c.RemoteAddr().String()
}

// A read past its deadline: the error an open socket gives, with the network it names.
func readExpired(c interface{ SetReadDeadline(time.Time) error }, read func([]byte) error) string {
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if err := read(make([]byte, 1)); err != nil {
		return "err " + err.Error()
	}
	return "ok read"
}

func (r *run) dialRead(network, address string) string {
	c, err := dialer.Dial(network, address)
	if err != nil {
		return "err " + err.Error()
	}
	defer c.Close()
	r.learn(c.LocalAddr())
	return readExpired(c, func(b []byte) error { _, err := c.Read(b); return err })
}

func (r *run) listenPacketRead(network, address string) string {
	c, err := net.ListenPacket(network, address)
	if err != nil {
		return "err " + err.Error()
	}
	defer c.Close()
	r.learn(c.LocalAddr())
	return readExpired(c, func(b []byte) error { _, _, err := c.ReadFrom(b); return err })
}

func (r *run) dialTo(lnet, laddr, dnet, daddr string, from *string) string {
	kind := "listen"
	if strings.HasPrefix(lnet, "udp") || lnet == "unixgram" {
		kind = "listenpacket"
	}
	l, _, err := r.open(kind, lnet, laddr)
	if err != nil {
		return "err listener: " + err.Error()
	}
	defer l.Close()
	if from != nil {
		f := r.withPort(*from)
		from = &f
	}
	return r.dialAndClose(dnet, r.withPort(daddr), from)
}

// A port just freed by a closed listener: nothing listens there.
func (r *run) dialRefused(network, host string, from *string) string {
	l, _, err := r.open("listen", network, net.JoinHostPort(host, "0"))
	if err != nil {
		return "err listener: " + err.Error()
	}
	l.Close()
	return r.dialAndClose(network, r.withPort(net.JoinHostPort(host, "<port>")), from)
}

// Looks a port up the only way the public API allows: dialing it on loopback.
func (r *run) port(network, service string) string {
	host := "127.0.0.1"
	if strings.HasSuffix(network, "6") {
		host = "::1"
	}
	return r.dialAndClose(network, net.JoinHostPort(host, service), nil)
}

var portPattern = regexp.MustCompile(`:[0-9]+`)

// Kernel-chosen ports print as <port>, the temporary directory as <dir>, an autobound
// unix name as @<auto>.
func (r *run) normalise(s string) string {
	s = strings.ReplaceAll(s, r.dir, "<dir>")
	s = portPattern.ReplaceAllStringFunc(s, func(m string) string {
		p, _ := strconv.Atoi(m[1:])
		for _, q := range r.ports {
			if p == q {
				return ":<port>"
			}
		}
		return m
	})
	return autobound.ReplaceAllString(s, "@<auto>$1")
}

var autobound = regexp.MustCompile(`@[0-9a-f]{5}( |$)`)

// ---- issue 11.9: a refused multicast join; WriteTo's errors (fix-misc) ----------------

// A join the kernel refuses: ListenMulticastUDP on lo in a network namespace of its
// own where lo cannot carry IPv4 (an MTU below IPv4's 68 drops its IPv4 state). The
// namespace belongs to one locked thread, which is never unlocked and so ends with
// the goroutine.
func (r *run) multicastWithoutIPv4(network, address string) string {
	result := make(chan string)
	go func() {
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			result <- "skip: no private network namespace"
			return
		}
		if err := setLoopbackMTU(60); err != nil {
			result <- "oracle: SIOCSIFMTU: " + err.Error()
			return
		}
		e, addr, err := r.multicast(network, address)
		if err != nil {
			result <- "err " + err.Error()
			return
		}
		e.Close()
		result <- "ok " + addr
	}()
	return <-result
}

func setLoopbackMTU(mtu int32) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr struct {
		name [syscall.IFNAMSIZ]byte
		mtu  int32
		_    [20]byte
	}
	copy(ifr.name[:], "lo")
	ifr.mtu = mtu
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFMTU,
		uintptr(unsafe.Pointer(&ifr)))
	if errno != 0 {
		return errno
	}
	return nil
}

// ListenPacket, then one byte written to an address resolved as Go's caller resolves
// it (ResolveUDPAddr, ResolveUnixAddr). Only loopback (or the unspecified address, which
// reaches it) is written to.
func (r *run) writeTo(network, laddr, daddr string) string {
	c, err := net.ListenPacket(network, laddr)
	if err != nil {
		return "err listener: " + err.Error()
	}
	defer c.Close()
	r.learn(c.LocalAddr())
	var to net.Addr
	if strings.HasPrefix(network, "unix") {
		to, err = net.ResolveUnixAddr(network, r.withPort(daddr))
	} else {
		var u *net.UDPAddr
		u, err = net.ResolveUDPAddr(network, r.withPort(daddr))
		if err == nil && u.IP != nil && !u.IP.IsLoopback() && !u.IP.IsUnspecified() {
			return "oracle: refused non-loopback write to " + daddr
		}
		to = u
	}
	if err != nil {
		return "oracle: unresolvable destination (not a Go case): " + err.Error()
	}
	n, err := c.WriteTo([]byte("x"), to)
	if err != nil {
		return "err " + err.Error()
	}
	return "ok " + strconv.Itoa(n)
}

// ---- addresses and interfaces: net/netip (netip) ----------------------------------------
//
//   addr S                  ParseAddr: String and every predicate, or the error
//   prefix S                ParsePrefix: String, IsValid, Masked, Bits, or the error
//   contains PREFIX ADDR    Prefix.Contains
//   compare A B             Addr.Compare and Less
//   addrprefix A BITS       Addr.Prefix(BITS)
//   ifaces                  Interfaces, each "[INDEX NAME MTU FLAGS HWADDR ADDR...]"
//                           ("-" for no hardware address), then InterfaceAddrs
//   ifname NAME             InterfaceByName, the same form
//   ifindex INDEX           InterfaceByIndex

func netipCase(cmd string, a []string) (string, bool) {
	switch {
	case cmd == "addr" && len(a) == 1:
		ip, err := netip.ParseAddr(a[0])
		if err != nil {
			return "err " + err.Error(), true
		}
		return "ok " + describeAddr(ip), true
	case cmd == "prefix" && len(a) == 1:
		p, err := netip.ParsePrefix(a[0])
		if err != nil {
			return "err " + err.Error(), true
		}
		return fmt.Sprintf("ok %s valid=%s masked=%s bits=%d addr=%s", p, flag(p.IsValid()),
			p.Masked(), p.Bits(), p.Addr()), true
	case cmd == "contains" && len(a) == 2:
		p, err := netip.ParsePrefix(a[0])
		if err != nil {
			return "err " + err.Error(), true
		}
		ip, err := netip.ParseAddr(a[1])
		if err != nil {
			return "err " + err.Error(), true
		}
		return "ok " + flag(p.Contains(ip)), true
	case cmd == "compare" && len(a) == 2:
		x, err := netip.ParseAddr(a[0])
		if err != nil {
			return "err " + err.Error(), true
		}
		y, err := netip.ParseAddr(a[1])
		if err != nil {
			return "err " + err.Error(), true
		}
		return fmt.Sprintf("ok %d less=%s", x.Compare(y), flag(x.Less(y))), true
	case cmd == "ifaces" && len(a) == 0:
		return interfacesLine(), true
	case cmd == "ifname" && len(a) == 1:
		ifi, err := net.InterfaceByName(a[0])
		if err != nil {
			return "err " + err.Error(), true
		}
		return "ok " + interfaceLine(ifi), true
	case cmd == "ifindex" && len(a) == 1:
		index, _ := strconv.Atoi(a[0])
		ifi, err := net.InterfaceByIndex(index)
		if err != nil {
			return "err " + err.Error(), true
		}
		return "ok " + interfaceLine(ifi), true
	case cmd == "addrprefix" && len(a) == 2:
		ip, err := netip.ParseAddr(a[0])
		if err != nil {
			return "err " + err.Error(), true
		}
		bits, err := strconv.Atoi(a[1])
		if err != nil {
			return "oracle: bad bits", true
		}
		p, err := ip.Prefix(bits)
		if err != nil {
			return "err " + err.Error(), true
		}
		return "ok " + p.String(), true
	}
	return "", false
}

func flag(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func describeAddr(ip netip.Addr) string {
	return fmt.Sprintf("%s bits=%d 4=%s 6=%s 4in6=%s unmap=%s zone=[%s] lo=%s priv=%s mc=%s "+
		"ilmc=%s llmc=%s llu=%s gu=%s unspec=%s", ip, ip.BitLen(), flag(ip.Is4()), flag(ip.Is6()),
		flag(ip.Is4In6()), ip.Unmap(), ip.Zone(), flag(ip.IsLoopback()), flag(ip.IsPrivate()),
		flag(ip.IsMulticast()), flag(ip.IsInterfaceLocalMulticast()),
		flag(ip.IsLinkLocalMulticast()), flag(ip.IsLinkLocalUnicast()),
		flag(ip.IsGlobalUnicast()), flag(ip.IsUnspecified()))
}

func interfaceLine(ifi *net.Interface) string {
	hw := ifi.HardwareAddr.String()
	if hw == "" {
		hw = "-"
	}
	line := fmt.Sprintf("[%d %s %d %s %s", ifi.Index, ifi.Name, ifi.MTU, ifi.Flags, hw)
	addrs, err := ifi.Addrs()
	if err != nil {
		return line + " err " + err.Error() + "]"
	}
	for _, a := range addrs {
		line += " " + a.String()
	}
	return line + "]"
}

func interfacesLine() string {
	ift, err := net.Interfaces()
	if err != nil {
		return "err " + err.Error()
	}
	line := "ok"
	for i := range ift {
		line += " " + interfaceLine(&ift[i])
	}
	all, err := net.InterfaceAddrs()
	if err != nil {
		return line + " all: err " + err.Error()
	}
	line += " all:"
	for _, a := range all {
		line += " " + a.String()
	}
	return line
}

// ---- lookups: Go's Resolver against the tests' dnsmasq (cases-dns.txt, run-dns.sh) ----

// Go's pure resolver, as on Linux with "hosts: files dns", allowed to ask only the
// namespace's dnsmasq on 127.0.0.1:53 (run-dns.sh runs both sides inside dns-netns.sh).
var dnsResolver = &net.Resolver{
	PreferGo: true,
	Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		if address != "127.0.0.1:53" {
			return nil, errors.New("oracle: refused a DNS query to " + address)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, address)
	},
}

// Answers whose order is the server's or the system's (addresses, TXT records) print
// sorted; SRV and MX print in Go's order, which the zone makes deterministic.
func sortedJoin(v []string) string {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	return strings.Join(v, ",")
}

func lookupResult(answer string, err error) string {
	if err != nil {
		return "err " + err.Error()
	}
	return "ok " + answer
}

func lookupCase(cmd string, a []string) string {
	ctx := context.Background()
	if strings.HasPrefix(cmd, "lookup-deadline-") { // 200 ms, under resolv.conf's 1 s
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		cmd = "lookup-" + strings.TrimPrefix(cmd, "lookup-deadline-")
	}
	r := dnsResolver
	switch {
	case cmd == "lookup-host" && len(a) == 1:
		v, err := r.LookupHost(ctx, a[0])
		return lookupResult(sortedJoin(v), err)
	case cmd == "lookup-ip" && len(a) == 2:
		ips, err := r.LookupIP(ctx, a[0], a[1])
		var v []string
		for _, ip := range ips {
			v = append(v, ip.String())
		}
		return lookupResult(sortedJoin(v), err)
	case cmd == "lookup-addr" && len(a) == 1:
		v, err := r.LookupAddr(ctx, a[0])
		return lookupResult(strings.Join(v, ","), err)
	case cmd == "lookup-cname" && len(a) == 1:
		v, err := r.LookupCNAME(ctx, a[0])
		return lookupResult(v, err)
	case cmd == "lookup-srv" && len(a) == 3:
		cname, srvs, err := r.LookupSRV(ctx, a[0], a[1], a[2])
		v := []string{cname}
		for _, s := range srvs {
			v = append(v, fmt.Sprintf("%s:%d:%d:%d", s.Target, s.Port, s.Priority, s.Weight))
		}
		return lookupResult(strings.Join(v, ","), err)
	case cmd == "lookup-mx" && len(a) == 1:
		mxs, err := r.LookupMX(ctx, a[0])
		var v []string
		for _, m := range mxs {
			v = append(v, fmt.Sprintf("%s:%d", m.Host, m.Pref))
		}
		return lookupResult(strings.Join(v, ","), err)
	case cmd == "lookup-txt" && len(a) == 1:
		v, err := r.LookupTXT(ctx, a[0])
		return lookupResult(sortedJoin(v), err)
	case cmd == "lookup-txtsum" && len(a) == 1: // records too long to print: length:start
		v, err := r.LookupTXT(ctx, a[0])
		for i, t := range v {
			if len(t) > 10 {
				v[i] = strconv.Itoa(len(t)) + ":" + t[:10]
			}
		}
		return lookupResult(sortedJoin(v), err)
	case cmd == "lookup-ns" && len(a) == 1:
		nss, err := r.LookupNS(ctx, a[0])
		var v []string
		for _, n := range nss {
			v = append(v, n.Host)
		}
		return lookupResult(strings.Join(v, ","), err)
	case cmd == "lookup-port" && len(a) == 2:
		p, err := r.LookupPort(ctx, a[0], a[1])
		return lookupResult(strconv.Itoa(p), err)
	}
	return "oracle: bad case"
}
