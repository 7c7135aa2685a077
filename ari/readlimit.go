package ari

import (
	"errors"
	"io"
)

// errTooLarge is readLimited's report of a body over its limit; callers
// turn it into ErrReplyTooLarge or ErrFrameTooLarge.
var errTooLarge = errors.New("over the size limit")

// readLimited reads r to the end into b[:0], growing it as needed, and
// fails with errTooLarge as soon as more than limit bytes arrive, without
// reading further. size is the length announced beforehand (an HTTP
// Content-Length), or -1: a size over limit fails before any read, and a
// known size is read into one buffer of that size.
//
// Memory: the buffers it allocates on the way to a body of limit bytes
// add up to less than 2*limit. They grow by doubling along limit>>k
// (... limit/4, limit/2, limit, from at least minGrow), so that the last
// one holds exactly limit bytes, and a full buffer at the limit is probed
// with a one-byte read rather than grown.
func readLimited(r io.Reader, b []byte, size, limit int64) ([]byte, error) {
	b = b[:0]
	if size > limit {
		return b, errTooLarge
	}
	if size >= 0 && int64(cap(b)) <= size {
		b = make([]byte, 0, size+1) // +1: the read that sees EOF needs room
	}
	for {
		if len(b) == cap(b) {
			if int64(len(b)) >= limit {
				more, err := probe(r)
				if more {
					return b, errTooLarge
				}
				return b, err
			}
			nb := make([]byte, len(b), growCap(cap(b), limit))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return b, errTooLarge
		}
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
	}
}

// minGrow is the smallest buffer readLimited grows to. The buffers on the
// way to limit add up to 2*limit minus the first one, so a larger first
// step keeps the total clearly under 2*limit (1.98*limit at 16 MiB).
const minGrow = 256 << 10

// growCap returns the capacity of the buffer that replaces a full one of
// capacity cur on the way to limit (cur < limit): the smallest limit>>k
// that is at least max(2*cur, minGrow), or limit.
func growCap(cur int, limit int64) int {
	want := max(int64(2*cur), minGrow)
	if want >= limit {
		return int(limit)
	}
	c := limit
	for c/2 >= want {
		c /= 2
	}
	return int(c)
}

// probe reads one byte from r to tell its end from more data. It returns
// more == true when a byte arrived, otherwise the error that ended r (nil
// for io.EOF).
func probe(r io.Reader) (more bool, err error) {
	var one [1]byte
	for range 100 {
		n, err := r.Read(one[:])
		if n > 0 {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, io.ErrNoProgress
}
