package resources

import "gostasis.dev/ari"

// strs converts a list of enum values to strings for the query.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Operations describes every operation this build knows, by resource then
// method name: method, path, the releases that have it and its
// parameters, and the error statuses it declares. The descriptions are
// copies: changing them changes nothing else.
func Operations() []*ari.Operation {
	out := make([]*ari.Operation, len(operations))
	for i, op := range operations {
		out[i] = cloneOperation(op)
	}
	return out
}

// cloneOperation returns a deep copy of op.
func cloneOperation(op *ari.Operation) *ari.Operation {
	c := *op
	c.Availability = cloneAvailability(op.Availability)
	c.Errors = append([]ari.ErrorResponse(nil), op.Errors...)
	c.Params = append([]ari.Param(nil), op.Params...)
	for i := range c.Params {
		c.Params[i].Availability = cloneAvailability(c.Params[i].Availability)
	}
	return &c
}

func cloneAvailability(a ari.Availability) ari.Availability {
	return ari.Availability{
		Releases: append([]ari.Version(nil), a.Releases...),
		Since:    append([]ari.Version(nil), a.Since...),
	}
}
