package configurator

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// NormalizeMatch normalises an identify's match list the way Asterisk
// stores it: each entry becomes "address/netmask" with the netmask in
// address form and the address masked by it, as Asterisk's ACL code keeps
// it ("10.1.2.3/8" is "10.0.0.0/255.0.0.0", "192.168.1.0/23" is
// "192.168.0.0/255.255.254.0"); a bare address gets the full netmask
// ("/255.255.255.255", or "/ffff:...:ffff" for IPv6); IPv6 addresses and
// netmasks are printed in their canonical short form; an IPv4-mapped IPv6
// address becomes IPv4; a port ("1.2.3.4:5060", "[2001:db8::1]:5060") is
// dropped, as GET does not print it; a leading "!" is kept. Entries are
// separated by commas, trimmed, sorted and deduplicated, since the set is
// what matters. An entry that is not an address (a host name, which
// Asterisk resolves with DNS) is kept as it is.
func NormalizeMatch(v string) string {
	entries := splitList(v)
	for i, e := range entries {
		entries[i] = matchEntry(e)
	}
	slices.Sort(entries)
	return strings.Join(slices.Compact(entries), ",")
}

// matchEntry normalises one entry of a match list.
func matchEntry(e string) string {
	neg := ""
	if strings.HasPrefix(e, "!") {
		neg, e = "!", e[1:]
	}
	addrText, maskText, hasMask := strings.Cut(e, "/")
	addr, ok := parseAddr(addrText)
	if !ok {
		return neg + e
	}
	bits := addr.BitLen()
	var mask netip.Addr
	switch {
	case !hasMask:
		mask = PrefixNetmask(bits, bits == 128)
	case strings.ContainsAny(maskText, ".:"):
		m, err := netip.ParseAddr(maskText)
		if err != nil {
			return neg + e
		}
		m = m.Unmap()
		if m.BitLen() != bits {
			return neg + e
		}
		mask = m
	default:
		n, err := strconv.Atoi(maskText)
		if err != nil || n < 0 || n > bits {
			return neg + e
		}
		mask = PrefixNetmask(n, bits == 128)
	}
	return neg + applyMask(addr, mask).String() + "/" + mask.String()
}

// parseAddr parses an address with an optional port.
func parseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// PrefixNetmask returns the netmask of a prefix length as an address:
// PrefixNetmask(23, false) is 255.255.254.0, PrefixNetmask(64, true) is
// ffff:ffff:ffff:ffff::. Lengths outside 0..32 (IPv4) or 0..128 (IPv6) are
// clamped.
func PrefixNetmask(bits int, ipv6 bool) netip.Addr {
	size := 4
	if ipv6 {
		size = 16
	}
	bits = max(0, min(bits, 8*size))
	var b [16]byte
	for i := range size {
		switch {
		case bits >= 8:
			b[i] = 0xff
			bits -= 8
		case bits > 0:
			b[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	if ipv6 {
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte(b[:4]))
}

// NetmaskPrefix returns the prefix length of a netmask, and false when the
// netmask's ones are not contiguous (Asterisk accepts such a netmask in
// address form; it has no prefix length).
func NetmaskPrefix(mask netip.Addr) (int, bool) {
	b := mask.AsSlice()
	n, zero := 0, false
	for _, x := range b {
		for bit := 7; bit >= 0; bit-- {
			one := x&(1<<bit) != 0
			switch {
			case one && zero:
				return 0, false
			case one:
				n++
			default:
				zero = true
			}
		}
	}
	return n, true
}

// applyMask returns addr with the bits outside mask cleared.
func applyMask(addr, mask netip.Addr) netip.Addr {
	a, m := addr.AsSlice(), mask.AsSlice()
	for i := range a {
		a[i] &= m[i]
	}
	out, _ := netip.AddrFromSlice(a)
	return out
}
